"""Demo data: the Épicerie fine Houdan pays the Épicerie solidaire by SEPA Direct Debit (a signed mandate,
on the association's localstripe account), so /commercant and /gestion/commercants/... show one."""
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from campaigns.models import Organization
from donations.roundup.debit_models import MerchantMandate
from donations.roundup.models import Merchant
from donations.roundup.services.mandates import sign_mandate

SHOP, ASSOCIATION = "epicerie-fine-houdan", "epicerie-solidaire-sceaux"
DEMO_IBAN = "FR1420041010050500013M02606"  # a test IBAN that Stripe's (and the fake's) test mode accepts


def load_mandates():
    merchant = db.session.scalar(select(Merchant).where(Merchant.slug == SHOP))
    organization = db.session.scalar(select(Organization).where(Organization.slug == ASSOCIATION))
    if merchant is None or organization is None:
        return []
    if db.session.scalar(select(MerchantMandate.id).where(MerchantMandate.merchant_id == merchant.id)) is not None:
        return []
    try:
        mandate = sign_mandate(merchant, ASSOCIATION, iban=DEMO_IBAN, account_holder="Épicerie fine Houdan SARL",
                               email="compta@epicerie-houdan.example", accepted=True, ip_address="127.0.0.1",
                               user_agent="demo")
    except DomainError as error:
        db.session.rollback()
        return [f"SEPA mandate demo skipped: {error.detail}"]
    return [f"SEPA mandate: {merchant.name} -> {organization.name} (IBAN ...{mandate.iban_last4})"]
