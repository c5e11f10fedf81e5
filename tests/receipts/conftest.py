"""Receipts' fixtures: gifts written as the donations package writes them, signals included."""
import io
from datetime import date, datetime, timedelta, timezone

import pdfplumber
import pytest

from app.extensions import db


def pdf_text(data):
    """The text of every page of a PDF (lines joined by spaces, as a reader reads them) and its page count."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
        return " ".join(text.split()), len(pdf.pages)


class Gifts:
    """Campaigns and gifts as the donations package leaves them, and the receipts job."""

    def __init__(self, app):
        self.app = app
        self._campaigns = 0

    def campaign(self, organization="asso-test", funding_model="keep_it_all", status="published"):
        from campaigns import services
        from campaigns.models import Campaign, CampaignStatus, FundingModel

        self._campaigns += 1
        now = datetime.now(timezone.utc)
        with self.app.app_context():
            campaign = Campaign(
                organization_id=services.get_organization(organization).id, slug=f"campagne-{self._campaigns}",
                title=f"Campagne {self._campaigns}", status=CampaignStatus(status),
                funding_model=FundingModel(funding_model), category="solidarity", commune="Sceaux",
                insee_code="92071", goal_cents=1_000_000, starts_at=now - timedelta(days=30),
                ends_at=now + timedelta(days=30))
            db.session.add(campaign)
            db.session.commit()
            return campaign.id

    def gift(self, campaign_id, amount_cents=5_000, *, donor_type="individual", receipt_choice="per_gift",
             paid_on=None, payment_method="card", fair_value_cents=0, email="marie.curie@example.org",
             **donor):
        from donations.models import Donation, DonationStatus, DonorType, PaymentMethod, ReceiptChoice
        from donations.signals import gift_succeeded
        from campaigns.models import Campaign

        values = dict(first_name="Marie", last_name="Curie", address_line1="12 rue des Écoles",
                      postal_code="92330", city="Sceaux")
        if donor_type == "company":
            values.update(company_name="Boulangerie Dupont SARL", company_legal_form="SARL",
                          company_siren="732829320", first_name="", last_name="")
        values.update(donor)
        with self.app.app_context():
            campaign = db.session.get(Campaign, campaign_id)
            donation = Donation(
                campaign_id=campaign_id, organization_id=campaign.organization_id, amount_cents=amount_cents,
                status=DonationStatus.pending, donor_type=DonorType(donor_type),
                receipt_choice=ReceiptChoice(receipt_choice), payment_method=PaymentMethod(payment_method),
                tier_fair_value_cents=fair_value_cents, email=email, **values)
            db.session.add(donation)
            db.session.flush()
            donation.move_to(DonationStatus.succeeded)
            donation.paid_on = paid_on or date.today()
            gift_succeeded.send(donation)
            db.session.commit()
            return donation.id

    def refund(self, donation_id, cents):
        from donations.models import Donation, DonationStatus
        from donations.signals import gift_refunded

        with self.app.app_context():
            donation = db.session.get(Donation, donation_id)
            donation.refunded_cents += cents
            donation.move_to(DonationStatus.refunded if donation.refunded_cents == donation.amount_cents
                             else DonationStatus.partially_refunded)
            gift_refunded.send(donation, refunded_cents=cents, remaining_cents=donation.remaining_cents)
            db.session.commit()

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
def gifts(app):
    return Gifts(app)


@pytest.fixture
def finance(actors):
    """An organization `asso-test` and the headers of its finance officer."""
    actors.organization("asso-test")
    return actors.user("finance", organization="asso-test")
