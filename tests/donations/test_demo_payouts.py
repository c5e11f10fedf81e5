"""The Sceaux demo's money: each organization's gifts were charged on its own Stripe account, and once
Stripe pays that account out, the payout reconciles to the cent with the organization's online gifts
and Stripe's fees, every line matched to a gift."""
import requests
from sqlalchemy import func, select

from app.extensions import db


def test_each_demo_organizations_payout_ties_to_its_gifts_to_the_cent(app, localstripe):
    from app.demo import load_all
    from campaigns.models import Organization
    from donations.models import Donation, DonationStatus, PaymentMethod
    from donations.services import payouts

    with app.app_context():
        load_all(app)
        organizations = db.session.scalars(select(Organization).order_by(Organization.id)).all()
        assert organizations and all(org.takes_payments for org in organizations)
        accounts = {org.stripe_account_id for org in organizations}
        assert len(accounts) == len(organizations)  # one account each, none shared
        reconciled = 0
        for organization in organizations:
            online = db.session.scalar(select(func.coalesce(func.sum(Donation.amount_cents), 0)).where(
                Donation.organization_id == organization.id, Donation.status == DonationStatus.succeeded,
                Donation.payment_method.in_([PaymentMethod.card, PaymentMethod.direct_debit])))
            answer = requests.post(f"{localstripe}/_config/connect/accounts/{organization.stripe_account_id}/payout",
                                   timeout=10)
            if not online:
                assert answer.status_code == 400  # nothing was charged on its account
                continue
            [payout] = payouts.payouts(organization)
            assert payout["id"] == answer.json()["id"]
            assert payout["ties"] and payout["unmatched"] == 0
            assert payout["gifts_cents"] == online
            assert payout["amount_cents"] == online - payout["fees_cents"] and payout["fees_cents"] > 0
            assert {line["kind"] for line in payout["lines"]} == {"gift"}
            reconciled += 1
        assert reconciled >= 2  # the demo gives online on three campaigns of two organizations
