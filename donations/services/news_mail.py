"""A campaign's donors as its holders see them, and the news they write to the donors who agreed.

- `campaign_donors`: the gifts received (anonymous donors stay anonymous: no name, no email).
- `write_to_donors`: one email per address whose gift to this campaign ticked "send me news", each
  with its own signed unsubscribe link (and a List-Unsubscribe header, RFC 2369/8058), queued in the
  outbox and sent once the transaction commits; the action log keeps who wrote, to how many.
- `unsubscribe`: the link withdraws the consent of every gift of that address to that campaign, with
  no sign-in (the signature proves the address received the message).
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from app.audit import record_action
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.mail import make_message, send_after_commit
from campaigns.models import Campaign, RewardTier
from donations.models import Donation, DonationStatus

RECEIVED = (DonationStatus.succeeded, DonationStatus.partially_refunded, DonationStatus.refunded,
            DonationStatus.disputed)
PAID = (DonationStatus.succeeded, DonationStatus.partially_refunded)  # their donors may get news
SALT = "donations.news-unsubscribe"
SUBJECT_MAX, BODY_MAX = 150, 10_000


def campaign_donors(campaign, *, limit=None, offset=0):
    """(gifts with their reward tier's title, how many) of the campaign, the latest first."""
    query = (select(Donation, RewardTier.title).outerjoin(RewardTier, RewardTier.id == Donation.reward_tier_id)
             .where(Donation.campaign_id == campaign.id, Donation.status.in_(RECEIVED)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Donation.created_at.desc(), Donation.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return db.session.execute(query).all(), total


def news_recipients(campaign) -> list[str]:
    """Each address (lower case, once) whose paid gift to this campaign agreed to receive its news."""
    emails = db.session.scalars(select(func.lower(Donation.email)).where(
        Donation.campaign_id == campaign.id, Donation.news_consent.is_(True), Donation.status.in_(PAID),
        Donation.email != "").distinct())
    return sorted(set(emails))


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_url(campaign, email) -> str:
    token = _serializer().dumps([campaign.id, email.lower()])
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/dons/nouvelles/{token}"


def read_unsubscribe_token(token):
    """(campaign, email) of a genuine link; NotFound for anything else."""
    try:
        campaign_id, email = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("this link is not valid", "token") from None
    campaign = db.session.get(Campaign, campaign_id) if isinstance(campaign_id, int) else None
    if campaign is None or not isinstance(email, str):
        raise NotFound("this link is not valid", "token")
    return campaign, email


def unsubscribe(token) -> tuple[Campaign, int]:
    """Withdraw the consent of every gift of the link's address to its campaign (harmless twice)."""
    campaign, email = read_unsubscribe_token(token)
    changed = db.session.execute(update(Donation).where(
        Donation.campaign_id == campaign.id, func.lower(Donation.email) == email,
        Donation.news_consent.is_(True)).values(news_consent=False)).rowcount
    return campaign, changed


def write_to_donors(campaign, user, subject, body) -> int:
    """Queue one message per consenting address; returns how many. Refused with no recipient."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not 3 <= len(subject) <= SUBJECT_MAX:
        raise InvalidInput(f"a subject has 3 to {SUBJECT_MAX} characters", "subject")
    if not 10 <= len(body) <= BODY_MAX:
        raise InvalidInput(f"a message has 10 to {BODY_MAX} characters", "body")
    recipients = news_recipients(campaign)
    if not recipients:
        raise InvalidInput("no donor of this campaign has agreed to receive its news", "recipients")
    for email in recipients:
        link = unsubscribe_url(campaign, email)
        text = (f"{body}\n\n-- \n{campaign.organization.name}, pour la campagne « {campaign.title} ».\n"
                f"Vous recevez ce message parce que vous avez accepté, en donnant, de recevoir les nouvelles "
                f"de ce projet. Pour ne plus les recevoir : {link}\n")
        message = make_message(email, subject, text)
        message["List-Unsubscribe"] = f"<{link}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        send_after_commit(db.session, message)
    record_action(user, "campaign.write_to_donors", campaign, f"{len(recipients)} destinataires : {subject}")
    return len(recipients)
