"""Campaigns: create, edit (with the rules after publication), publish, cancel, end, list."""
import logging
from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, func, or_, select

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.sql import contains_pattern, locked
from app.formatting import local_today, to_local
from app.lookups import get_by_id, get_by_slug, unique_slug
from app.text import slugify
from app.types import utcnow
from campaigns import signals
from campaigns.models import (Campaign, CampaignCategory, CampaignStatus, FundingModel, Organization, StretchGoal)
from campaigns.models.campaigns import EDITABLE_STATUSES, FROZEN_AFTER_PUBLICATION, UNPUBLISHED_STATUSES
from campaigns.services.content import render_markdown
from campaigns.services.ledger import reverse_matches_of_failed_campaign
from campaigns.services.tiers import sync_tiers

log = logging.getLogger(__name__)

CAMPAIGN_FIELDS = {"title", "slug", "summary", "description", "commune", "insee_code", "category", "goal_cents",
                   "min_gift_cents", "starts_at", "ends_at", "funding_model"}


def get_campaign(slug) -> Campaign:
    return get_by_slug(Campaign, slug, "campaign")


def get_campaign_by_id(campaign_id) -> Campaign:
    return get_by_id(Campaign, campaign_id, "campaign")


def page_version(slug):
    """(id, status, version) of the campaign with this slug, or None: one short statement that tells
    the campaign page's cache whether its copy is still current. The version moves with every change
    of the row: its totals (the ledger's updates), its texts and status (`updated_at`); and with whether
    its organization's Stripe account takes payments (the page shows the donation form only then)."""
    row = db.session.execute(select(Campaign.id, Campaign.status, Campaign.updated_at, Campaign.raised_cents,
                                    Campaign.donor_count, Campaign.has_cover, Organization.stripe_account_id,
                                    Organization.charges_enabled)
                             .join(Organization, Organization.id == Campaign.organization_id)
                             .where(Campaign.slug == slug)).first()
    return None if row is None else (row.id, row.status, tuple(row[2:]))


def _aware(value, field):
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("give a date and time with its time zone", field)
    return value


def _check(values):
    """Rules that hold for any campaign, whoever calls (API, CLI, demo)."""
    for field in ("starts_at", "ends_at"):
        if field in values:
            _aware(values[field], field)
    for field, minimum in (("goal_cents", 1), ("min_gift_cents", 1)):
        if field in values:
            value = values[field]
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise InvalidInput(f"{field} is a positive whole number of cents", field)
    if "insee_code" in values and not _valid_insee(values["insee_code"]):
        raise InvalidInput("an INSEE code has 5 characters (2A/2B for Corsica)", "insee_code")
    for field, enum_cls in (("category", CampaignCategory), ("funding_model", FundingModel)):
        if field in values:
            try:
                values[field] = enum_cls(values[field])
            except ValueError:
                raise InvalidInput(f"unknown {field} {values[field]!r}", field) from None


def _valid_insee(code):
    code = code or ""
    return len(code) == 5 and (code.isdigit() or (code[:2] in ("2A", "2B") and code[2:].isdigit()))


def _generated_slug(title):
    """Two projects may share a title: the second gets `-2`, and so on."""
    base = slugify(title, max_length=70) or "campagne"
    taken = set(db.session.scalars(select(Campaign.slug).where(Campaign.slug.like(base + "%"))))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _apply(campaign, values):
    for name, value in values.items():
        if name == "description":
            campaign.description_md = value or ""
            campaign.description_html = render_markdown(value)
        else:
            setattr(campaign, name, value)
    if campaign.ends_at <= campaign.starts_at:
        raise InvalidInput("the campaign ends after it starts", "ends_at")


def _set_stretch_goals(campaign, goals):
    amounts = [goal["amount_cents"] for goal in goals]
    if len(set(amounts)) != len(amounts):
        raise InvalidInput("two stretch goals have the same amount", "stretch_goals")
    if any(amount <= campaign.goal_cents for amount in amounts):
        raise InvalidInput("a stretch goal is above the goal", "stretch_goals")
    campaign.stretch_goals = [StretchGoal(amount_cents=goal["amount_cents"], title=goal["title"],
                                          description=goal.get("description", "")) for goal in goals]


def create_campaign(organization_id, *, tiers=(), stretch_goals=(), **values) -> Campaign:
    """A draft campaign of the organization, with its reward tiers and stretch goals."""
    if db.session.get(Organization, organization_id) is None:
        raise NotFound(f"no organization {organization_id}", "organization")
    values = {k: v for k, v in values.items() if k in CAMPAIGN_FIELDS and v is not None}
    for field in ("title", "commune", "insee_code", "category", "goal_cents", "starts_at", "ends_at", "funding_model"):
        if field not in values:
            raise InvalidInput(f"{field} is required", field)
    _check(values)
    values["slug"] = (unique_slug(Campaign, values["slug"], values["title"]) if values.get("slug")
                      else _generated_slug(values["title"]))
    campaign = Campaign(organization_id=organization_id, status=CampaignStatus.draft, min_gift_cents=100,
                        raised_cents=0, online_cents=0, offline_cents=0, company_cents=0, roundup_cents=0,
                        match_cents=0, grant_cents=0, donor_count=0)
    _apply(campaign, values)
    db.session.add(campaign)
    _set_stretch_goals(campaign, list(stretch_goals))
    db.session.flush()
    sync_tiers(campaign, list(tiers))
    db.session.flush()
    return campaign


def update_campaign(campaign, *, tiers=None, stretch_goals=None, **values) -> Campaign:
    """Edit a draft freely; once published, what donors relied on (goal, dates, funding model,
    minimum gift, address) no longer changes; ended or cancelled campaigns are not edited."""
    if campaign.status not in EDITABLE_STATUSES:
        raise Conflict(f"a {campaign.status.value} campaign can no longer be edited", "status")
    values = {k: v for k, v in values.items() if k in CAMPAIGN_FIELDS}
    _check(values)
    if campaign.status is CampaignStatus.published:
        for field in FROZEN_AFTER_PUBLICATION:
            if field in values and values[field] != getattr(campaign, field):
                raise Conflict(f"{field} can no longer change once the campaign is published", field)
    if values.get("slug") and values["slug"] != campaign.slug:
        values["slug"] = unique_slug(Campaign, values["slug"], campaign.title, campaign.id)
    _apply(campaign, values)
    if stretch_goals is not None:
        _set_stretch_goals(campaign, list(stretch_goals))
    if tiers is not None:
        sync_tiers(campaign, list(tiers))
    db.session.flush()
    return campaign


def ensure_publishable(campaign, now=None) -> None:
    """What a campaign needs before the public sees it (checked on submission and on publication)."""
    if campaign.ends_at <= (now or utcnow()):
        raise InvalidInput("the end date has passed: move it before publishing", "ends_at")
    if not campaign.description_md.strip():
        raise InvalidInput("describe the project before publishing", "description")


def publish_campaign(campaign, now=None) -> Campaign:
    """Publish a draft (administrators only, by the API) or approve a submitted campaign: it is
    public at once and takes gifts from its start date."""
    now = now or utcnow()
    if campaign.status in UNPUBLISHED_STATUSES:
        ensure_publishable(campaign, now)
    ensure_takes_payments(campaign.organization)
    campaign.move_to(CampaignStatus.published)
    campaign.published_at = now
    db.session.flush()
    return campaign


def cancel_campaign(campaign, now=None) -> Campaign:
    """Withdraw a campaign. One that has raised money is not cancelled: donors are owed an outcome,
    so it runs to its end date and succeeds or fails."""
    if campaign.raised_cents > 0:
        raise Conflict("a campaign that has raised money cannot be cancelled", "status")
    campaign.move_to(CampaignStatus.cancelled)
    campaign.cancelled_at = now or utcnow()
    db.session.flush()
    return campaign


def archive_campaign(campaign) -> Campaign:
    """An ended campaign whose money has been paid out: nothing changes any more."""
    campaign.move_to(CampaignStatus.closed)
    db.session.flush()
    return campaign


def close_campaign(campaign, now=None) -> Campaign:
    """End a published campaign: succeeded (goal reached, or keep-it-all with money raised) or failed.

    The row is locked first, so two schedulers cannot end it twice, and the totals read are the
    committed ones. A failed all-or-nothing campaign's matches are reversed here (partners pay
    nothing); the signal receivers (refunds, receipts) run in this transaction.
    """
    campaign = db.session.scalars(locked(select(Campaign).where(Campaign.id == campaign.id))).one()
    reached = campaign.raised_cents >= campaign.goal_cents
    if reached or (campaign.funding_model is FundingModel.keep_it_all and campaign.raised_cents > 0):
        campaign.move_to(CampaignStatus.succeeded)
        outcome = signals.campaign_succeeded
    else:
        campaign.move_to(CampaignStatus.failed)
        outcome = signals.campaign_failed
        if campaign.funding_model is FundingModel.all_or_nothing:
            reverse_matches_of_failed_campaign(campaign)
    campaign.ended_at = now or utcnow()
    db.session.flush()
    log.info("campaign %s ended: %s with %s of %s cents", campaign.slug, campaign.status.value,
             campaign.raised_cents, campaign.goal_cents)
    outcome.send(campaign)
    return campaign


def due_campaign_ids(now=None) -> list[int]:
    now = now or utcnow()
    return db.session.scalars(select(Campaign.id).where(Campaign.status == CampaignStatus.published,
                                                        Campaign.ends_at <= now).order_by(Campaign.ends_at)).all()


def close_due_campaigns(now=None) -> list[Campaign]:
    """End every published campaign whose end date has passed (the caller commits)."""
    return [close_campaign(get_campaign_by_id(campaign_id), now) for campaign_id in due_campaign_ids(now)]


def days_left(campaign, today=None) -> int:
    """Whole days until the end date, in the territory's calendar (0 on the last day or after)."""
    today = today or local_today()
    return max(0, (to_local(campaign.ends_at).date() - today).days)


def ensure_takes_payments(organization) -> None:
    """Raise unless the organization's own Stripe account may be charged (gifts are charged there)."""
    if not organization.takes_payments:
        raise Conflict(f"{organization.name} ne peut pas encore recevoir de paiements en ligne : son compte "
                       "Stripe n'est pas activé (compte à créer ou inscription à terminer).", "organization")


def ensure_accepting_gifts(campaign, amount_cents, now=None) -> None:
    """Raise unless the campaign takes a gift of `amount_cents` now (published, within its dates,
    at least its minimum gift, at most the service's maximum) on its organization's Stripe account."""
    now = now or utcnow()
    if campaign.status is not CampaignStatus.published:
        raise Conflict("this campaign is not accepting gifts", "campaign")
    ensure_takes_payments(campaign.organization)
    if now < campaign.starts_at:
        raise Conflict("this campaign has not started yet", "campaign")
    if now >= campaign.ends_at:
        raise Conflict("this campaign has ended", "campaign")
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise InvalidInput("the amount is a whole number of cents", "amount_cents")
    if amount_cents < campaign.min_gift_cents:
        raise InvalidInput(f"the minimum gift is {campaign.min_gift_cents} cents", "amount_cents")
    maximum = current_app.config.get("MAX_GIFT_CENTS")
    if maximum and amount_cents > maximum:
        raise InvalidInput(f"the maximum gift is {maximum} cents", "amount_cents")


ENDED = (CampaignStatus.succeeded, CampaignStatus.failed, CampaignStatus.closed)


def ended_campaigns(limit=12, *, territory=None, category=None) -> Sequence[Campaign]:
    """The most recently ended campaigns (succeeded, failed or closed), for the public archive."""
    statement = list_campaigns(territory=territory, category=category).where(Campaign.status.in_(ENDED))
    return db.session.scalars(statement.order_by(None).order_by(Campaign.ends_at.desc(), Campaign.id.desc())
                              .limit(limit)).all()


def list_campaigns(*, status=None, territory=None, category=None, q=None, viewer=None) -> Select:
    """A statement of the campaigns `viewer` may see, filtered; drafts only for their organization."""
    statement = select(Campaign)
    if viewer is None or not viewer.is_admin:
        visible = Campaign.status.not_in(UNPUBLISHED_STATUSES)
        if viewer is not None and viewer.organization_id is not None:
            visible = or_(visible, Campaign.organization_id == viewer.organization_id)
        statement = statement.where(visible)
    if status:
        statement = statement.where(Campaign.status == CampaignStatus(status))
    if territory:
        statement = statement.where(or_(Campaign.insee_code == territory.strip().upper(),
                                        func.lower(Campaign.commune) == territory.strip().lower()))
    if category:
        statement = statement.where(Campaign.category == CampaignCategory(category))
    if q:
        pattern = contains_pattern(q)
        statement = statement.where(or_(func.lower(Campaign.title).like(pattern, escape="\\"),
                                        func.lower(Campaign.summary).like(pattern, escape="\\")))
    return statement.order_by(Campaign.ends_at, Campaign.id)
