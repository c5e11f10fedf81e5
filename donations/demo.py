"""Demo gifts on the demo campaigns: card gifts made for real through the configured Stripe
(localstripe under `make run`), a company gift, offline cheques and a monthly gift; before the
campaigns are published, each organization's own Stripe account, onboarded."""
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.formatting import local_today
from campaigns.models import Campaign, CampaignStatus, Organization
from donations import services
from donations.gateway import call_stripe, on_account, stripe_client
from donations.services import accounts
from donations.services.gifts import existing_gift

log = logging.getLogger(__name__)

DONOR = dict(address_line1="5 rue des Imbergères", postal_code="92330", city="Sceaux")
CARD_GIFTS = [
    dict(key="demo-card-camille", amount_cents=2500, first_name="Camille", last_name="Lefèvre",
         email="camille.lefevre@example.org", public_message="Bravo pour ce beau projet !", **DONOR),
    dict(key="demo-card-annual", amount_cents=5000, first_name="Hugo", last_name="Moreau",
         email="hugo.moreau@example.org", receipt_choice="annual", **DONOR),
    dict(key="demo-card-anonymous", amount_cents=1000, first_name="Nina", last_name="Garnier",
         email="nina.garnier@example.org", anonymous=True, **DONOR),
    dict(key="demo-company", amount_cents=150000, donor_type="company", company_name="Boulangerie du Marché SARL",
         company_legal_form="SARL", company_siren="732829320", email="contact@boulangerie-marche.example",
         address_line1="20 rue Houdan", postal_code="92330", city="Sceaux"),
    dict(key="demo-monthly", amount_cents=1500, monthly=True, first_name="Louise", last_name="Bonnet",
         email="louise.bonnet@example.org", receipt_choice="annual", **DONOR),
]
CHEQUES = [
    dict(key="demo-cheque-1", amount_cents=4000, payment_method="cheque", reference="Chèque n° 0012345",
         first_name="Jean", last_name="Dupont", email="", days_ago=3, **DONOR),
    dict(key="demo-transfer-1", amount_cents=20000, payment_method="transfer", reference="VIR ASSO 2026-04",
         first_name="Marie", last_name="Lambert", email="marie.lambert@example.org", days_ago=6, **DONOR),
]


def _give_by_card(campaign, values):
    values = dict(values)
    key = values.pop("key")
    if existing_gift(campaign.id, key) is not None:
        return False
    donation, _ = services.start_gift(campaign.slug, idempotency_key=key, **values)
    # What the donor's browser does with Stripe.js: save the test card on the SetupIntent.
    with call_stripe("saving the demo card"):
        stripe_client().v1.setup_intents.confirm(donation.stripe_setup_intent_id,
                                                 params={"payment_method": "pm_card_visa"},
                                                 options=on_account(donation.stripe_account_id))
    services.confirm_gift(donation.id)
    # Stripe's word, read back as the reconciliation job would.
    if donation.stripe_payment_intent_id:
        services.settle_payment_intent(donation.stripe_payment_intent_id)
    return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def connect_organizations():
    """Each demo organization without a Stripe account gets one, onboarded as its treasurer would: on
    localstripe, visiting the onboarding link completes it (real Stripe asks a person: never in production)."""
    done = 0
    for organization in db.session.scalars(select(Organization).where(Organization.stripe_account_id.is_(None))
                                           .order_by(Organization.id)).all():
        accounts.create_account(organization)
        link = accounts.onboarding_link(organization, return_url="http://127.0.0.1/", refresh_url="http://127.0.0.1/")
        try:
            urllib.request.build_opener(_NoRedirect).open(link["url"], timeout=10)
        except urllib.error.HTTPError as answer:  # the 302 back to return_url
            if answer.code != 302:
                raise
        accounts.refresh_account(organization.stripe_account_id)
        db.session.commit()
        done += 1
    return [f"Demo Stripe accounts: {done} organizations connected."]


def load_gifts():
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status == CampaignStatus.published)
                                   .order_by(Campaign.id)).all()
    if not campaigns:
        return ["Demo gifts: no published campaign to give to."]
    made = 0
    for index, campaign in enumerate(campaigns[:3]):
        gifts = CARD_GIFTS if index == 0 else CARD_GIFTS[:2]
        for values in gifts:
            try:
                made += _give_by_card(campaign, {**values, "key": f"{values['key']}-{campaign.slug}"[:255]})
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                log.warning("demo gift %s on %s skipped: %s", values["key"], campaign.slug, error.detail)
        for values in CHEQUES:
            values = dict(values)
            key = f"{values.pop('key')}-{campaign.slug}"
            paid_on = local_today() - timedelta(days=values.pop("days_ago"))
            if existing_gift(campaign.id, key) is None:
                services.record_offline_gift(campaign.organization_id, campaign.slug, paid_on=paid_on,
                                             idempotency_key=key, **values)
                db.session.commit()
                made += 1
    return [f"Demo gifts: {made} new (card, company, monthly, cheque, transfer)."]
