"""The town's writes on merchants from the back office: the same services as the API, logged.

Each function flushes and writes its line to the action log (app.audit); the caller commits.
"""
from sqlalchemy import select

from app.audit import record_action
from app.auth.invitations import invite_user
from app.auth.models import Role, User
from app.extensions import db
from campaigns.models import Campaign
from donations.roundup.models import Merchant
from donations.roundup.services.applications import live_beneficiaries
from donations.roundup.services.mandates import revoke_mandate, sign_mandate
from donations.roundup.services.merchants import (
    create_merchant,
    issue_merchant_key,
    revoke_key,
    update_merchant,
)


def beneficiary_choices(merchant: Merchant | None = None):
    """(organizations, campaigns) a merchant may give to: the live ones, and those it already has."""
    organizations, campaigns = live_beneficiaries()
    campaigns = list(campaigns)
    if merchant is not None:
        have = {row.id for row in campaigns}
        for row in merchant.beneficiaries:
            if row.campaign_id is not None and row.campaign_id not in have:
                campaigns.append(db.session.get(Campaign, row.campaign_id))
    return organizations, campaigns


def create_merchant_by(user, *, beneficiaries, **values) -> Merchant:
    merchant = create_merchant(beneficiaries=beneficiaries, **values)
    record_action(user, "merchant.create", merchant, merchant.name)
    return merchant


def update_merchant_by(user, merchant, *, beneficiaries=None, **values) -> Merchant:
    update_merchant(merchant, beneficiaries=beneficiaries, **values)
    record_action(user, "merchant.update", merchant, merchant.name)
    return merchant


def issue_key_by(user, merchant, kind, label=""):
    """(MerchantKey, key): the key is shown once and only its hash is stored."""
    row, key = issue_merchant_key(merchant, kind, label)
    record_action(user, "merchant.key_issue", merchant, f"{row.kind.value} {row.prefix} {label}".strip())
    return row, key


def revoke_key_by(user, merchant, row):
    revoke_key(row)
    record_action(user, "merchant.key_revoke", merchant, f"{row.kind.value} {row.prefix}")
    return row


def sign_mandate_by(user, merchant, organization_slug, **details):
    """A SEPA mandate signed for the shop (mandates.sign_mandate); in the action log when a person of
    the shop signed it (`user`; None for a dashboard opened with a key, as for keys)."""
    mandate = sign_mandate(merchant, organization_slug, **details)
    if user is not None:
        record_action(user, "merchant.mandate_sign", merchant,
                      f"{mandate.organization.slug} IBAN …{mandate.iban_last4} {mandate.mandate_reference}".strip())
    return mandate


def revoke_mandate_by(user, merchant, mandate) -> bool:
    revoked = revoke_mandate(mandate)
    if revoked and user is not None:
        record_action(user, "merchant.mandate_revoke", merchant,
                      f"{mandate.organization.slug} IBAN …{mandate.iban_last4}")
    return revoked


def invite_staff(user, merchant, email, name="") -> User:
    """Invite someone of the shop as a `merchant` user (invite_user logs it)."""
    return invite_user(email, Role.merchant, merchant_id=merchant.id, name=name, invited_by=user)


def merchant_staff(merchant):
    return db.session.scalars(select(User).where(User.merchant_id == merchant.id).order_by(User.email)).all()
