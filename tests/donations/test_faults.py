"""Gifts under faults, on SQLite as on PostgreSQL: racing refunds, a webhook whose first delivery
failed, a database that is not there."""
import stripe
from sqlalchemy import select

from app import create_app
from app.extensions import db
from tests.donations.conftest import event_payload, sign
from tests.support import run_concurrently


def test_ten_racing_partial_refunds_of_one_gift_refund_exactly_what_was_given(giving, actors, localstripe, app):
    from donations.models import DonationRefund, RefundStatus

    slug = giving.campaign()
    started = giving.give(slug, amount_cents=5000)
    giving.reconcile()
    finance = actors.user("finance", organization="asso-jardin")
    url = f"/api/v1/donations/{started['id']}/refund"

    def refund(index):
        return app.test_client().post(url, json={"amount_cents": 700}, headers=finance)

    answers = run_concurrently(refund, 10)
    accepted = [a for a in answers if a.status_code == 200]
    # 7 refunds of 7 € fit in 50 €; the three others are refused, none half-done.
    assert len(accepted) == 7, [(a.status_code, a.json) for a in answers]
    assert sorted({a.status_code for a in answers}) == [200, 422]

    gift = giving.donation(started["id"])
    assert gift.refunded_cents == 4900 and gift.status.value == "partially_refunded"
    assert giving.campaign_row(slug).raised_cents == 100
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    in_stripe = client.v1.refunds.list(params={"payment_intent": gift.stripe_payment_intent_id, "limit": 100},
                                       options={"stripe_account": gift.stripe_account_id}).data
    assert sorted(r.amount for r in in_stripe) == [700] * 7
    with app.app_context():
        rows = db.session.scalars(select(DonationRefund).where(DonationRefund.donation_id == started["id"])).all()
        assert [r.status for r in rows] == [RefundStatus.done] * 7


def test_an_event_whose_first_delivery_failed_is_processed_on_stripes_retry(giving, app, localstripe):
    slug = giving.campaign()
    started = giving.start(slug, amount_cents=3000).json
    method = giving.save_card(started)
    # The charge is made, but its webhook arrives while Stripe cannot be read back.
    giving.client.post(f"/api/v1/donations/{started['id']}/confirm",
                       json={"token": started["token"], "payment_method": method})
    intent_id = giving.donation(started["id"]).stripe_payment_intent_id
    payload = event_payload("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"},
                            event_id="evt_retried_after_failure")
    headers = {"Stripe-Signature": sign(payload)}

    # The app's Stripe client, pointed where nothing listens.
    app.extensions["donations.stripe"] = stripe.StripeClient("sk_test_x", base_addresses={"api": "http://127.0.0.1:9"})
    try:
        first = giving.client.post("/api/v1/stripe/webhook", data=payload, content_type="application/json",
                                   headers=headers)
    finally:
        app.extensions.pop("donations.stripe")
    assert first.status_code == 503
    assert giving.donation(started["id"]).status.value == "pending"

    retry = giving.client.post("/api/v1/stripe/webhook", data=payload, content_type="application/json",
                               headers=headers)
    assert retry.status_code == 200 and retry.json["outcome"] != "duplicate", retry.json
    assert giving.donation(started["id"]).status.value == "succeeded"


def test_a_database_that_is_not_there_answers_503_with_retry_after(base_config, tmp_path):
    app = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/folder/x.sqlite3"})
    client = app.test_client()
    health = client.get("/api/v1/health")
    assert health.status_code == 503 and health.headers["Retry-After"] == "5"
    assert health.mimetype == "application/problem+json"
    listed = client.get("/api/v1/campaigns")
    assert listed.status_code == 503 and listed.json["type"].endswith("database-unavailable")
    page = client.get("/")
    assert page.status_code == 503 and "momentanément indisponible" in page.get_data(as_text=True)
