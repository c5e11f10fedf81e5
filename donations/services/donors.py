"""A donor's own gifts, found by their email (the donor space signs them in by an emailed link), and
what a donor may change on a monthly gift: stop it, or change the amount of the coming months.

Sits above `monthly` in the services' layers (lookups < ... < monthly < donors).
"""
from flask import current_app
from sqlalchemy import func, select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.models import Donation
from donations.services.monthly import cancel_monthly


def normalized(email: str) -> str:
    return (email or "").strip().lower()


def _of(email):
    return func.lower(Donation.email) == normalized(email)


def gifts_of(email: str) -> list[Donation]:
    """Every gift given with this email, to any organization, newest first (each month of a monthly gift
    is a gift of its own)."""
    if not normalized(email):
        return []
    return db.session.scalars(select(Donation).where(_of(email))
                              .order_by(Donation.created_at.desc(), Donation.id.desc())).all()


def monthly_gifts_of(email: str) -> list[Donation]:
    """The monthly gifts this email started (the first gift of each subscription), newest first."""
    if not normalized(email):
        return []
    return db.session.scalars(select(Donation).where(
        _of(email), Donation.monthly.is_(True), Donation.recurring_of_id.is_(None),
        Donation.stripe_subscription_id.is_not(None)).order_by(Donation.created_at.desc())).all()


def owned_gift(email: str, public_id: str) -> Donation:
    """The gift `public_id` if this email gave it; another donor's gift is a 404, never a hint."""
    gift = db.session.scalar(select(Donation).where(Donation.public_id == (public_id or ""), _of(email)))
    if gift is None or not normalized(email):
        raise NotFound("no such gift")
    return gift


def current_monthly_amount(first: Donation) -> int:
    return first.monthly_amount_cents or first.amount_cents


def stop_monthly(email: str, public_id: str) -> Donation:
    """Stop a monthly gift of this donor (cancelled on Stripe); the months given stay given. Repeating
    it changes nothing. The caller commits."""
    return cancel_monthly(owned_gift(email, public_id))


def change_monthly_amount(email: str, public_id: str, amount_cents) -> Donation:
    """The coming months of this donor's monthly gift take `amount_cents`: a new Stripe plan, the
    subscription moved onto it without proration (a month already given is not charged again nor
    credited). Refused (InvalidInput on `amount_cents`) under the campaign's minimum or over the
    largest gift, and for a stopped gift. The caller commits."""
    first = owned_gift(email, public_id)
    first = first.recurring_of or first
    if not first.monthly or not first.stripe_subscription_id or first.subscription_cancelled_at is not None:
        raise InvalidInput("this monthly gift is stopped", "amount_cents")
    minimum, maximum = first.campaign.min_gift_cents, current_app.config["MAX_GIFT_CENTS"]
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or not minimum <= amount_cents <= maximum:
        raise InvalidInput(f"the monthly amount must be between {minimum} and {maximum} cents", "amount_cents")
    if amount_cents == current_monthly_amount(first):
        return first
    client = stripe_client()
    metadata = {"donation": first.public_id, "campaign": first.campaign.slug}
    # One plan per (gift, amount): a retried change reuses it rather than making another.
    key = f"solidaire-gift-{first.public_id}-amount-{amount_cents}"
    account = first.stripe_account_id  # the subscription lives on the organization's connected account
    with call_stripe("changing the monthly gift"):
        subscription = client.v1.subscriptions.retrieve(first.stripe_subscription_id, options=on_account(account))
        item = subscription["items"]["data"][0]
        plan = client.v1.plans.create(params={"amount": amount_cents, "currency": "eur", "interval": "month",
                                              "product": object_id(item["plan"]["product"]), "metadata": metadata},
                                      options=on_account(account, idempotency_key=f"{key}-plan"))
        client.v1.subscriptions.update(first.stripe_subscription_id, params={
            "items": [{"id": item["id"], "plan": plan.id}], "proration_behavior": "none"},
            options=on_account(account))
    first.monthly_amount_cents = amount_cents
    db.session.flush()
    return first
