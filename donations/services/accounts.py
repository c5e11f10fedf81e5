"""Each organization's own Stripe account (Stripe Connect, Standard accounts, direct charges).

The organization, not the town, is the merchant of record of its gifts: its gifts, refunds and disputes
happen on its account and its money is paid out to its bank. The platform creates the account and an
onboarding link; the organization's treasurer completes Stripe's onboarding; `account.updated` (or
`refresh_account`) brings Stripe's flags here.
"""
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from app.sql import locked
from campaigns.models import Organization
from donations.gateway import call_stripe, stripe_client


def create_account(organization) -> tuple[Organization, bool]:
    """The organization's Standard connected account, created once (the row is locked; Stripe's
    idempotency key covers a retry after a crash). Returns (organization, created)."""
    organization = db.session.scalar(locked(select(Organization).where(Organization.id == organization.id)))
    if organization.stripe_account_id:
        return organization, False
    params = {"type": "standard", "country": "FR", "default_currency": "eur",
              "business_profile": {"name": organization.name[:200]},
              "metadata": {"organization": organization.slug}}
    if organization.email:
        params["email"] = organization.email
    with call_stripe("creating the organization's Stripe account"):
        account = stripe_client().v1.accounts.create(
            params=params, options={"idempotency_key": f"solidaire-organization-{organization.id}-account"})
    organization.stripe_account_id = account.id
    apply_account(organization, account.to_dict())
    return organization, True


def onboarding_link(organization, *, return_url, refresh_url) -> dict:
    """A single-use link to Stripe's onboarding of the organization's account (a few minutes' life)."""
    if not organization.stripe_account_id:
        raise Conflict("create the organization's Stripe account first", "stripe_account")
    with call_stripe("creating the onboarding link"):
        link = stripe_client().v1.account_links.create(params={
            "account": organization.stripe_account_id, "type": "account_onboarding",
            "return_url": return_url, "refresh_url": refresh_url})
    return {"url": link.url, "expires_at": link.expires_at}


def apply_account(organization, account: dict) -> str:
    """Stripe's flags on the organization's row; returns a word for the log."""
    flags = {name: bool(account.get(name)) for name in ("charges_enabled", "payouts_enabled", "details_submitted")}
    changed = any(getattr(organization, name) != value for name, value in flags.items())
    for name, value in flags.items():
        setattr(organization, name, value)
    db.session.flush()
    return "updated" if changed else "unchanged"


def account_disconnected(account_id) -> str:
    """After `account.application.deauthorized`: the organization took its account away from the
    platform, which can no longer charge it; its gifts stop until it connects one again."""
    organization = db.session.scalar(locked(select(Organization).where(Organization.stripe_account_id == account_id)))
    if organization is None:
        return "unknown"
    return apply_account(organization, {})


def refresh_account(account_id) -> str:
    """After `account.updated`: re-read the account from Stripe and keep its flags."""
    organization = db.session.scalar(locked(select(Organization).where(Organization.stripe_account_id == account_id)))
    if organization is None:
        return "unknown"
    with call_stripe("reading the organization's Stripe account"):
        account = stripe_client().v1.accounts.retrieve(account_id).to_dict()
    return apply_account(organization, account)
