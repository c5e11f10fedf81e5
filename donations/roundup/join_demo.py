"""Demo data of merchants joining: a shop's staff account, and an application waiting for the town."""
from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import create_user
from app.extensions import db
from campaigns.demo import DEMO_PASSWORD
from campaigns.models import Organization
from donations.roundup.applications import MerchantApplication
from donations.roundup.models import Merchant
from donations.roundup.services.applications import submit_application

MERCHANT_USER = "commercant@sceaux.example"
WAITING = {
    "siret": "73282932000025", "name": "Fromagerie des Écoles", "address_line1": "7 rue des Écoles",
    "postal_code": "92330", "city": "Sceaux", "contact_name": "Hélène Girard", "contact_email": "fromagerie@example.org",
    "contact_phone": "01 46 61 00 00", "rounding_step_cents": 100, "round_exact_baskets": False, "top_ups_cents": [100],
    "max_roundup_cents": 200,
}


def load():
    lines = []
    merchant = db.session.scalar(select(Merchant).where(Merchant.slug == "boulangerie-des-blagis"))
    if merchant is not None:
        if not db.session.scalar(select(User.id).where(User.email == MERCHANT_USER)):
            create_user(MERCHANT_USER, "merchant", merchant_id=merchant.id, password=DEMO_PASSWORD,
                        name="Boulangerie des Blagis")
        lines.append(f"A shop's staff sign in at /connexion (password {DEMO_PASSWORD!r}): {MERCHANT_USER} "
                     "(Boulangerie des Blagis, then /commercant)")
    organization = db.session.scalar(select(Organization).where(Organization.slug == "epicerie-solidaire-sceaux"))
    if organization is not None and not db.session.scalar(
            select(MerchantApplication.id).where(MerchantApplication.siret == WAITING["siret"])):
        submit_application(beneficiaries=[{"organization": organization.id, "share_basis_points": 10_000}],
                           charter_text=current_app.config["MERCHANT_CHARTER"], **WAITING)
        lines.append("A shop's application waits at /gestion/commercants/demandes.")
    return lines
