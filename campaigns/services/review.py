"""The town's review of campaigns: a holder submits a draft, an administrator approves it (published)
or sends it back with a reason the holder reads; the holders of the organization hear of either by
email. The same functions serve the API, the back-office pages and the tests."""
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select

from app.audit import record_action
from app.auth.models import Role, User
from app.errors import DomainError, InvalidInput, InvalidTransition
from app.extensions import db
from app.mail import make_message, send_after_commit
from app.types import utcnow
from campaigns.models import Campaign, CampaignStatus
from campaigns.services.campaigns import ensure_publishable, publish_campaign

RETURN_REASON_MAX = 2000


class ReviewRequired(DomainError):
    """A holder asked to publish: the town publishes, after review (403 problem+json)."""

    status = 403
    type_slug = "review-required"
    title = "The town publishes campaigns after review"


def submit_campaign(campaign, user, now=None) -> Campaign:
    """The holder (or an administrator) sends a draft to the town for review."""
    now = now or utcnow()
    if campaign.status is CampaignStatus.draft:
        ensure_publishable(campaign, now)
    campaign.move_to(CampaignStatus.submitted)
    campaign.submitted_at = now
    record_action(user, "campaign.submit", campaign)
    db.session.flush()
    return campaign


def approve_campaign(campaign, user, now=None) -> Campaign:
    """An administrator approves a submitted campaign: public now, taking gifts from its start date."""
    _ensure_status(campaign, CampaignStatus.submitted, "approved")
    publish_campaign(campaign, now)
    campaign.return_reason = None
    record_action(user, "campaign.approve", campaign)
    _tell_holders(campaign, "approved")
    return campaign


def publish_directly(campaign, user, now=None) -> Campaign:
    """An administrator publishes a draft without the review step (or approves a submitted one)."""
    if not user.is_admin:
        raise ReviewRequired("a holder submits the campaign for review (POST /api/v1/campaigns/{slug}/submit);"
                             " the town publishes it", "status")
    publish_campaign(campaign, now)
    campaign.return_reason = None
    record_action(user, "campaign.publish", campaign)
    _tell_holders(campaign, "approved")
    return campaign


def return_campaign(campaign, user, reason, now=None) -> Campaign:
    """An administrator sends a submitted campaign back to its holder, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the campaign goes back to its holder", "reason")
    if len(reason) > RETURN_REASON_MAX:
        raise InvalidInput(f"the reason has at most {RETURN_REASON_MAX} characters", "reason")
    _ensure_status(campaign, CampaignStatus.submitted, "returned")
    campaign.move_to(CampaignStatus.draft)
    campaign.returned_at = now or utcnow()
    campaign.return_reason = reason
    record_action(user, "campaign.return", campaign, reason)
    db.session.flush()
    _tell_holders(campaign, "returned")
    return campaign


def _ensure_status(campaign, status, verb):
    if campaign.status is not status:
        raise InvalidTransition(f"only a {status.value} campaign is {verb}; this one is {campaign.status.value}",
                                "status")


def review_queue() -> Sequence[Campaign]:
    """Submitted campaigns, the longest-waiting first."""
    return db.session.scalars(select(Campaign).where(Campaign.status == CampaignStatus.submitted)
                              .order_by(Campaign.submitted_at, Campaign.id)).all()


def holders_of(organization_id) -> Sequence[User]:
    return db.session.scalars(select(User).where(User.role == Role.holder, User.active.is_(True),
                                                 User.organization_id == organization_id)
                              .order_by(User.id)).all()


def _tell_holders(campaign, outcome):
    """Email the organization's holders that their campaign was approved or returned (after commit)."""
    link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/gestion/campagnes/{campaign.slug}"
    if outcome == "approved":
        subject = f"Votre campagne « {campaign.title} » est publiée"
        body = (f"Bonjour,\n\nLa Ville a validé votre campagne « {campaign.title} ». Elle est en ligne et "
                f"reçoit des dons à partir de sa date de début.\n\nPage publique : "
                f"{current_app.config['PUBLIC_URL'].rstrip('/')}/campagnes/{campaign.slug}\n"
                f"Suivi : {link}\n")
    else:
        subject = f"Votre campagne « {campaign.title} » vous est renvoyée"
        body = (f"Bonjour,\n\nLa Ville vous renvoie votre campagne « {campaign.title} » pour la compléter "
                f"avant publication. Son message :\n\n{campaign.return_reason}\n\n"
                f"Modifiez-la puis soumettez-la de nouveau : {link}\n")
    for holder in holders_of(campaign.organization_id):
        send_after_commit(db.session, make_message(holder.email, subject, body))
