"""Refunds by finance officers, from Stripe's dashboard, and of failed all-or-nothing campaigns."""
import pytest
import stripe
from sqlalchemy import select

from app.extensions import db
from donations import signals


@pytest.fixture
def refunded_signals():
    heard = []

    def receiver(donation, **kwargs):
        heard.append((donation.id, kwargs))

    signals.gift_refunded.connect(receiver)
    yield heard
    signals.gift_refunded.disconnect(receiver)


def _stripe(localstripe):
    return stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})


def test_finance_refunds_part_then_the_rest_never_more(giving, actors, localstripe, refunded_signals):
    slug = giving.campaign()
    started = giving.give(slug, amount_cents=5000)
    giving.reconcile()
    finance = actors.user("finance", organization="asso-jardin")
    url = f"/api/v1/donations/{started['id']}/refund"

    part = giving.client.post(url, json={"amount_cents": 2000}, headers=finance)
    assert part.status_code == 200, part.json
    assert part.json["donation"]["status"] == "partially_refunded"
    assert part.json["donation"]["remaining_cents"] == 3000
    assert giving.campaign_row(slug).raised_cents == 3000
    assert refunded_signals[-1][1] == {"refunded_cents": 2000, "remaining_cents": 3000}

    too_much = giving.client.post(url, json={"amount_cents": 3001}, headers=finance)
    assert too_much.status_code == 422 and "amount_cents" in too_much.json["errors"]

    rest = giving.client.post(url, json={}, headers=finance)
    assert rest.status_code == 200, rest.json
    assert rest.json["amount_cents"] == 3000
    assert rest.json["donation"]["status"] == "refunded"
    assert giving.client.post(url, json={"amount_cents": 1}, headers=finance).status_code == 409

    on_account = giving.on_account(started["id"])
    intent = _stripe(localstripe).v1.payment_intents.retrieve(giving.donation(started["id"]).stripe_payment_intent_id,
                                                             options=on_account)
    refunds = _stripe(localstripe).v1.refunds.list(params={"payment_intent": intent.id}, options=on_account).data
    assert sorted(r.amount for r in refunds) == [2000, 3000]
    campaign = giving.campaign_row(slug)
    assert campaign.raised_cents == 0


def test_a_refund_retried_with_its_key_is_made_once(giving, actors, localstripe):
    slug = giving.campaign()
    started = giving.give(slug, amount_cents=5000)
    giving.reconcile()
    finance = {**actors.user("finance", organization="asso-jardin"), "Idempotency-Key": "refund-1"}
    url = f"/api/v1/donations/{started['id']}/refund"
    first = giving.client.post(url, json={"amount_cents": 1000}, headers=finance)
    again = giving.client.post(url, json={"amount_cents": 1000}, headers=finance)
    assert first.json["id"] == again.json["id"]
    assert giving.donation(started["id"]).refunded_cents == 1000


def test_only_the_organizations_finance_and_admins_refund(giving, actors):
    slug = giving.campaign()
    started = giving.give(slug)
    giving.reconcile()
    url = f"/api/v1/donations/{started['id']}/refund"
    actors.organization("autre-asso")
    assert giving.client.post(url, json={}, headers=actors.user("finance", organization="autre-asso")).status_code == 404
    assert giving.client.post(url, json={}, headers=actors.user("holder", organization="asso-jardin")).status_code == 403
    assert giving.client.post(url, json={}).status_code == 401
    assert giving.client.post(url, json={}, headers=actors.admin()).status_code == 200


def test_a_dashboard_refund_is_picked_up_from_a_signed_charge_refunded(giving, deliver, localstripe,
                                                                     refunded_signals):
    slug = giving.campaign()
    started = giving.give(slug, amount_cents=4000)
    giving.reconcile()
    donation = giving.donation(started["id"])
    _stripe(localstripe).v1.refunds.create(params={"payment_intent": donation.stripe_payment_intent_id,
                                                   "amount": 1500}, options=giving.on_account(started["id"]))
    charge = {"id": donation.stripe_charge_id, "object": "charge", "amount_refunded": 1500}
    answer = deliver("charge.refunded", charge, event_id="evt_dashboard")
    assert answer.status_code == 200 and answer.json["outcome"] == "1 refunds recorded"
    assert deliver("charge.refunded", charge, event_id="evt_dashboard_again").json["outcome"] == "0 refunds recorded"
    donation = giving.donation(started["id"])
    assert donation.status.value == "partially_refunded" and donation.refunded_cents == 1500
    assert giving.campaign_row(slug).raised_cents == 2500
    assert [kwargs for _, kwargs in refunded_signals] == [{"refunded_cents": 1500, "remaining_cents": 2500}]


def test_a_failed_all_or_nothing_campaign_refunds_each_gift_once_even_after_a_crash(giving, app, localstripe):
    from campaigns import services as campaigns
    from donations.jobs import refund_failed_campaigns
    from donations.models import Donation

    slug = giving.campaign(funding_model="all_or_nothing", goal_cents=1_000_000)
    gifts = [giving.give(slug, amount_cents=amount, email=f"donor{amount}@example.org")
             for amount in (2000, 3000, 4000)]
    giving.reconcile()
    with app.app_context():
        campaigns.close_campaign(campaigns.get_campaign(slug))
        db.session.commit()
        assert campaigns.get_campaign(slug).status.value == "failed"

        assert refund_failed_campaigns(limit=1) == 1  # the job stops after the first gift

        def crash(donation, **kwargs):  # the process dies after Stripe refunded, before our commit
            raise RuntimeError("simulated crash")

        signals = __import__("donations.signals", fromlist=["gift_refunded"])
        signals.gift_refunded.connect(crash)
        try:
            with pytest.raises(RuntimeError):
                refund_failed_campaigns()
        finally:
            signals.gift_refunded.disconnect(crash)
        db.session.rollback()

        assert refund_failed_campaigns() == 2  # the re-run finishes the job
        assert refund_failed_campaigns() == 0  # and a further run finds nothing to do
        statuses = db.session.scalars(select(Donation.status).order_by(Donation.id)).all()
        assert [s.value for s in statuses] == ["refunded"] * 3
        assert campaigns.get_campaign(slug).raised_cents == 0

    client = _stripe(localstripe)
    for gift in gifts:
        intent_id, on_account = giving.donation(gift["id"]).stripe_payment_intent_id, giving.on_account(gift["id"])
        refunds = client.v1.refunds.list(params={"payment_intent": intent_id}, options=on_account).data
        intent = client.v1.payment_intents.retrieve(intent_id, options=on_account)
        assert [r.amount for r in refunds] == [intent.amount], "each gift refunded exactly once"


def _campaign_refunds(app):
    from donations.models import DonationRefund

    with app.app_context():
        return [(r.donation_id, r.amount_cents, r.reason.value, r.status.value) for r in
                db.session.scalars(select(DonationRefund).order_by(DonationRefund.donation_id))]


def test_failing_a_campaign_writes_the_refund_intentions_in_its_own_transaction(giving, app, localstripe):
    from campaigns import services as campaigns
    from donations.jobs import refund_failed_campaigns
    from donations.models import DonationRefund

    slug = giving.campaign(funding_model="all_or_nothing", goal_cents=1_000_000)
    gifts = [giving.give(slug, amount_cents=amount, email=f"donor{amount}@example.org") for amount in (2000, 3000)]
    giving.reconcile()
    with app.app_context():
        campaigns.close_campaign(campaigns.get_campaign(slug))
        intended = db.session.scalars(select(DonationRefund).order_by(DonationRefund.donation_id)).all()
        assert [(r.donation_id, r.amount_cents, r.reason.value, r.status.value) for r in intended] == [
            (gifts[0]["id"], 2000, "campaign_failed", "intended"), (gifts[1]["id"], 3000, "campaign_failed", "intended")]
        db.session.rollback()  # the campaign did not fail after all: no intention either
        assert campaigns.get_campaign(slug).status.value == "published"
    assert _campaign_refunds(app) == []

    with app.app_context():
        campaigns.close_campaign(campaigns.get_campaign(slug))
        db.session.commit()
    assert [status for *_, status in _campaign_refunds(app)] == ["intended", "intended"]  # before any job
    with app.app_context():
        assert refund_failed_campaigns() == 2
        assert refund_failed_campaigns() == 0
    assert [status for *_, status in _campaign_refunds(app)] == ["done", "done"]
    client = _stripe(localstripe)
    for gift in gifts:
        intent_id, on_account = giving.donation(gift["id"]).stripe_payment_intent_id, giving.on_account(gift["id"])
        refunds = client.v1.refunds.list(params={"payment_intent": intent_id}, options=on_account).data
        assert [r.amount for r in refunds] == [client.v1.payment_intents.retrieve(intent_id, options=on_account).amount]


def test_a_gift_that_succeeds_after_its_campaign_failed_is_refunded_too(giving, app, localstripe):
    from campaigns import services as campaigns
    from donations.jobs import refund_failed_campaigns

    slug = giving.campaign(funding_model="all_or_nothing", goal_cents=1_000_000)
    early = giving.give(slug, amount_cents=2000, email="early@example.org")
    giving.reconcile()
    late = giving.give(slug, amount_cents=3000, email="late@example.org")  # charged; Stripe's word not heard yet
    with app.app_context():
        campaigns.close_campaign(campaigns.get_campaign(slug))
        db.session.commit()
    assert [row[0] for row in _campaign_refunds(app)] == [early["id"]]

    giving.reconcile()  # the late success: its intention is written with it
    assert giving.donation(late["id"]).status.value == "succeeded"
    assert _campaign_refunds(app) == [(early["id"], 2000, "campaign_failed", "intended"),
                                      (late["id"], 3000, "campaign_failed", "intended")]
    with app.app_context():
        assert refund_failed_campaigns() == 2
    assert [giving.donation(g["id"]).status.value for g in (early, late)] == ["refunded", "refunded"]
    assert giving.campaign_row(slug).raised_cents == 0


def test_a_keep_it_all_campaign_that_fails_owes_nothing(giving, app):
    from campaigns import services as campaigns

    slug = giving.campaign(goal_cents=1_000_000)
    with app.app_context():
        campaigns.close_campaign(campaigns.get_campaign(slug))
        db.session.commit()
        assert campaigns.get_campaign(slug).status.value == "failed"
    assert _campaign_refunds(app) == []
