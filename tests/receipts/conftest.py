"""Receipts' fixtures: campaigns and gifts made through the campaigns and donations services (card
gifts through localstripe, cheques and transfers recorded by the finance officer), and the job."""
import io
from datetime import timedelta

import pdfplumber
import pytest
import stripe

from app.extensions import db
from app.types import utcnow

DONOR = dict(first_name="Marie", last_name="Curie", address_line1="12 rue des Écoles", postal_code="92330",
             city="Sceaux")
COMPANY = dict(company_name="Boulangerie Dupont SARL", company_legal_form="SARL", company_siren="732829320",
               first_name="", last_name="")


def pdf_text(data):
    """The text of every page of a PDF (lines joined by spaces, as a reader reads them) and its page count."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
        return " ".join(text.split()), len(pdf.pages)


class Gifts:
    """Campaigns, gifts, refunds and campaign endings as the services make them, and the receipts job."""

    def __init__(self, app, client, localstripe):
        self.app, self.client, self.localstripe = app, client, localstripe
        self._campaigns = 0

    def campaign(self, organization="asso-test", funding_model="keep_it_all", goal_cents=1_000_000):
        """A published campaign of `organization`; returns its slug."""
        from campaigns import services

        self._campaigns += 1
        with self.app.app_context():
            campaign = services.create_campaign(
                services.get_organization(organization).id, slug=f"campagne-{self._campaigns}",
                title=f"Campagne {self._campaigns}", funding_model=funding_model, category="solidarity",
                commune="Sceaux", insee_code="92071", goal_cents=goal_cents, description="Pour le quartier.",
                starts_at=utcnow() - timedelta(days=30), ends_at=utcnow() + timedelta(days=30))
            services.publish_campaign(campaign)
            db.session.commit()
            return campaign.slug

    def gift(self, campaign, amount_cents=5_000, *, donor_type="individual", receipt_choice="per_gift",
             paid_on=None, payment_method="card", fair_value_cents=0, email="marie.curie@example.org",
             **donor):
        """A gift that has succeeded: by card (Stripe's word read back), or recorded offline on `paid_on`.
        Returns the gift's id."""
        values = {**DONOR, **(COMPANY if donor_type == "company" else {}), **donor, "email": email,
                  "donor_type": donor_type, "receipt_choice": receipt_choice}
        if payment_method == "card":
            if paid_on is not None:
                raise ValueError("a card gift is dated by Stripe: record a cheque or a transfer for another day")
            tier = self._tier(campaign, amount_cents, fair_value_cents) if fair_value_cents else None
            return self._by_card(campaign, amount_cents, tier, values)
        if fair_value_cents:
            raise ValueError("rewards are chosen on the donation form: give by card")
        from campaigns import services as campaigns
        from donations import services
        from app.formatting import local_today

        with self.app.app_context():
            organization_id = campaigns.get_campaign(campaign).organization_id
            donation = services.record_offline_gift(organization_id, campaign, amount_cents=amount_cents,
                                                    payment_method=payment_method,
                                                    paid_on=paid_on or local_today(), **values)
            db.session.commit()
            return donation.id

    def _tier(self, slug, min_amount_cents, fair_value_cents):
        from campaigns import services

        with self.app.app_context():
            campaign = services.get_campaign(slug)
            tiers = [{"id": tier.id} for tier in campaign.tiers]
            services.update_campaign(campaign, tiers=tiers + [{
                "title": f"Contrepartie {len(tiers) + 1}", "min_amount_cents": min_amount_cents,
                "fair_value_cents": fair_value_cents}])
            db.session.commit()
            return campaign.tiers[-1].id

    def _by_card(self, slug, amount_cents, tier_id, values):
        """What the donor's browser does: the form, Stripe.js saving the card, the confirmation."""
        from donations import services

        started = self.client.post(f"/api/v1/campaigns/{slug}/donations",
                                   json={"amount_cents": amount_cents, "reward_tier_id": tier_id, **values})
        assert started.status_code == 201, started.json
        setup_id = started.json["client_secret"].split("_secret_")[0]
        browser = stripe.StripeClient("sk_test_browser", base_addresses={"api": self.localstripe})
        with self.app.app_context():  # Stripe.js acts on the organization's account, as the page sets it up
            account = services.get_donation(started.json["id"]).stripe_account_id
        card = browser.v1.setup_intents.confirm(setup_id, params={"payment_method": "pm_card_visa"},
                                                options={"stripe_account": account}).payment_method
        confirmed = self.client.post(f"/api/v1/donations/{started.json['id']}/confirm",
                                     json={"token": started.json["token"], "payment_method": card})
        assert confirmed.status_code == 200, confirmed.json
        with self.app.app_context():
            donation = services.get_donation(started.json["id"])
            # Stripe's word, read back as the webhook and the reconciliation job do.
            assert services.settle_payment_intent(donation.stripe_payment_intent_id) == "succeeded"
            db.session.commit()
            return donation.id

    def refund(self, donation_id, cents):
        """A finance officer refunds part or all of a gift (through Stripe for a card gift)."""
        from donations import services

        with self.app.app_context():
            services.refund_gift(donation_id, cents)
            db.session.commit()

    def close(self, slug):
        """The campaign ends: succeeded or failed, by its totals, as the scheduler's job ends it."""
        from campaigns import services

        with self.app.app_context():
            status = services.close_campaign(services.get_campaign(slug)).status.value
            db.session.commit()
            return status

    def run_job(self):
        from receipts.jobs import issue_queued_receipts

        with self.app.app_context():
            return issue_queued_receipts()

    def receipts(self, organization="asso-test"):
        """(number, status, amount_cents, kind) of the organization's receipts, in numbering order."""
        from sqlalchemy import select

        from campaigns import services
        from receipts.models import Receipt

        with self.app.app_context():
            org = services.get_organization(organization)
            rows = db.session.execute(select(Receipt.number, Receipt.status, Receipt.amount_cents, Receipt.kind)
                                      .where(Receipt.organization_id == org.id)
                                      .order_by(Receipt.year, Receipt.sequence)).all()
            return [(n, s.value, a, k.value) for n, s, a, k in rows]


@pytest.fixture
def gifts(app, client, localstripe):
    return Gifts(app, client, localstripe)


@pytest.fixture
def finance(actors):
    """An organization `asso-test` and the headers of its finance officer."""
    actors.organization("asso-test")
    return actors.user("finance", organization="asso-test")
