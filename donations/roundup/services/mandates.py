"""A merchant's SEPA Direct Debit mandates: one per beneficiary organization, which collects its statements.

The organization is the creditor: the merchant's Customer, its `sepa_debit` PaymentMethod and the
SetupIntent that records the mandate's acceptance are created on the organization's own Stripe account
(direct charges, as gifts). The IBAN goes to Stripe only; the row keeps its last four digits.
Signing goes through the server (the dashboard's form posts the IBAN to us, we pass it to Stripe
within the request and keep nothing of it but the last four digits), with `mandate_data` proving the
acceptance (time, IP address, browser), as Stripe asks of a server-side confirmation.
"""
from datetime import datetime

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.banking import ACCOUNT_HOLDER_MAX, clean_iban
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.types import utcnow
from campaigns.models import Campaign, Organization
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.roundup.debit_models import MerchantMandate
from donations.roundup.models import Merchant


class MandateRefused(InvalidInput):
    """Stripe (the bank details) refused the mandate: said on the IBAN field."""


def beneficiary_organizations(merchant: Merchant) -> list[Organization]:
    """The organizations the merchant's statements pay (a campaign's money goes to its organization)."""
    found = {}
    for beneficiary in merchant.beneficiaries:
        organization = beneficiary.organization or db.session.get(Campaign, beneficiary.campaign_id).organization
        found[organization.id] = organization
    return sorted(found.values(), key=lambda organization: organization.name)


def mandates_of(merchant_id: int, *, active_only=False) -> list[MerchantMandate]:
    query = select(MerchantMandate).where(MerchantMandate.merchant_id == merchant_id)
    if active_only:
        query = query.where(MerchantMandate.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(MerchantMandate.revoked_at.is_not(None),
                                                  MerchantMandate.created_at.desc(), MerchantMandate.id.desc())))


def active_mandate(merchant_id: int, organization_id: int) -> MerchantMandate | None:
    return db.session.scalar(select(MerchantMandate).where(
        MerchantMandate.merchant_id == merchant_id, MerchantMandate.organization_id == organization_id,
        MerchantMandate.revoked_at.is_(None)))


def get_mandate(merchant: Merchant, mandate_id) -> MerchantMandate:
    """The merchant's own mandate, or NotFound (another merchant's is not found either)."""
    mandate = db.session.get(MerchantMandate, mandate_id) if isinstance(mandate_id, int) else None
    if mandate is None or mandate.merchant_id != merchant.id:
        raise NotFound("no such mandate")
    return mandate


def sign_mandate(merchant: Merchant, organization_slug: str, *, iban: str, account_holder: str, email: str,
                 accepted: bool, ip_address: str = "", user_agent: str = "",
                 accepted_at: datetime | None = None) -> MerchantMandate:
    """The merchant authorises `organization_slug` to collect its statements from `iban`.

    Refused by field: an organization that is not a beneficiary (NotFound), one already holding an active
    mandate (Conflict), one that cannot take payments (Conflict), an invalid IBAN, an empty holder or
    email, the mandate text not accepted. The Stripe objects are made before the row is written: a
    failure leaves nothing here (Stripe's orphans, a customer without mandate, are harmless).
    """
    organization = next((o for o in beneficiary_organizations(merchant) if o.slug == organization_slug), None)
    if organization is None:
        raise NotFound(f"{organization_slug!r} is not a beneficiary of this merchant")
    if not accepted:
        raise InvalidInput("the mandate must be accepted", "accepted")
    try:
        iban = clean_iban(iban)
    except ValueError as error:
        raise InvalidInput(str(error), "iban") from None
    account_holder = " ".join((account_holder or "").split())
    if not account_holder or len(account_holder) > ACCOUNT_HOLDER_MAX:
        raise InvalidInput(f"the account holder's name, 1 to {ACCOUNT_HOLDER_MAX} characters", "account_holder")
    email = (email or "").strip()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise InvalidInput("an email address for the debit notices", "email")
    if active_mandate(merchant.id, organization.id) is not None:
        raise Conflict(f"a mandate for {organization.name} is already active: revoke it first", "organization")
    if not organization.takes_payments:
        raise Conflict(f"{organization.name} cannot collect payments yet (its Stripe account is not ready)",
                       "organization")
    accepted_at = accepted_at or utcnow()
    account = organization.stripe_account_id
    client = stripe_client()
    metadata = {"merchant": merchant.slug, "organization": organization.slug}
    with call_stripe("registering the merchant's mandate"):
        customer = client.v1.customers.create(
            params={"email": email, "name": merchant.name, "metadata": metadata}, options=on_account(account))
        setup = client.v1.setup_intents.create(
            params={"customer": customer.id, "payment_method_types": ["sepa_debit"], "usage": "off_session",
                    "metadata": metadata}, options=on_account(account))
        try:
            setup = client.v1.setup_intents.confirm(setup.id, params={
                "payment_method_data": {"type": "sepa_debit", "sepa_debit": {"iban": iban},
                                        "billing_details": {"name": account_holder, "email": email}},
                "mandate_data": {"customer_acceptance": {
                    "type": "online", "accepted_at": int(accepted_at.timestamp()),
                    "online": {"ip_address": ip_address or "0.0.0.0", "user_agent": user_agent or "unknown"}}}},
                options=on_account(account))
        except (stripe.CardError, stripe.InvalidRequestError) as error:
            raise MandateRefused("the bank details were refused", "iban") from error
        method = client.v1.payment_methods.retrieve(object_id(setup.payment_method), options=on_account(account))
    if setup.status != "succeeded":
        raise MandateRefused("the bank details were refused", "iban")
    details = method.to_dict().get("sepa_debit") or {}
    mandate = MerchantMandate(
        merchant_id=merchant.id, organization_id=organization.id, stripe_account_id=account,
        stripe_customer_id=customer.id, stripe_payment_method_id=method.id, stripe_setup_intent_id=setup.id,
        stripe_mandate_id=object_id(setup.to_dict().get("mandate")),
        mandate_reference=(details.get("mandate_reference") or setup.id)[:100],
        account_holder=account_holder, email=email, iban_last4=iban[-4:], accepted_at=accepted_at,
        accepted_ip=(ip_address or "")[:45])
    try:
        with db.session.begin_nested():  # two tabs signing at once: the partial unique index decides
            db.session.add(mandate)
    except IntegrityError:
        raise Conflict(f"a mandate for {organization.name} is already active: revoke it first",
                       "organization") from None
    return mandate


def revoke_mandate(mandate: MerchantMandate) -> bool:
    """The merchant withdraws its authorisation: no later statement is debited with it. The payment method
    is detached at Stripe (which ends the mandate there). Returns False when it was revoked already.
    A debit already sent to the bank goes on (the merchant's bank may still refund it)."""
    if mandate.revoked_at is not None:
        return False
    with call_stripe("revoking the merchant's mandate"):
        stripe_client().v1.payment_methods.detach(mandate.stripe_payment_method_id,
                                                   options=on_account(mandate.stripe_account_id))
    mandate.revoked_at = utcnow()
    db.session.flush()
    return True
