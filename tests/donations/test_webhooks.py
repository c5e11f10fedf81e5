"""Stripe's webhook: verified, recorded once, and only a trigger to re-read Stripe."""
from sqlalchemy import func, select

from app.extensions import db
from donations.models import StripeEvent


def _intent(giving, started):
    return giving.donation(started["id"]).stripe_payment_intent_id


def test_a_bad_signature_is_refused_and_changes_nothing(giving, deliver, app):
    slug = giving.campaign()
    started = giving.give(slug)
    answer = deliver("payment_intent.succeeded", {"id": _intent(giving, started), "object": "payment_intent"},
                     secret="whsec_someone_else")
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    unsigned = giving.client.post("/api/v1/stripe/webhook", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 400
    assert giving.donation(started["id"]).status.value == "pending"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_a_replayed_event_changes_nothing_twice(giving, deliver):
    slug = giving.campaign()
    started = giving.give(slug)
    obj = {"id": _intent(giving, started), "object": "payment_intent"}
    first = deliver("payment_intent.succeeded", obj, event_id="evt_replayed")
    assert first.status_code == 200 and first.json["outcome"] == "succeeded"
    again = deliver("payment_intent.succeeded", obj, event_id="evt_replayed")
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    # Another event for the same payment (Stripe may send several) is recognised as already done.
    other = deliver("payment_intent.succeeded", obj, event_id="evt_other")
    assert other.json["outcome"] == "unchanged"
    campaign = giving.campaign_row(slug)
    assert campaign.raised_cents == 2500 and campaign.donor_count == 1


def test_a_late_failure_after_success_changes_nothing(giving, deliver):
    slug = giving.campaign()
    started = giving.give(slug)
    intent = {"id": _intent(giving, started), "object": "payment_intent", "status": "requires_payment_method"}
    deliver("payment_intent.succeeded", intent)
    late = deliver("payment_intent.payment_failed", intent)
    assert late.status_code == 200 and late.json["outcome"] == "unchanged"
    assert giving.donation(started["id"]).status.value == "succeeded"
    assert giving.campaign_row(slug).raised_cents == 2500


def test_the_payload_is_not_believed_stripe_is(giving, deliver):
    """A signed `succeeded` event for a payment Stripe has not charged settles nothing."""
    slug = giving.campaign()
    started = giving.start(slug).json  # no card saved, no PaymentIntent yet
    answer = deliver("payment_intent.succeeded", {"id": "pi_unknown_to_us", "object": "payment_intent",
                                                  "status": "succeeded", "amount": 2500})
    assert answer.status_code == 503 or answer.json["outcome"] == "unknown"
    assert giving.donation(started["id"]).status.value == "pending"


def test_an_event_for_someone_else_is_acknowledged(deliver):
    answer = deliver("customer.created", {"id": "cus_x", "object": "customer"})
    assert answer.status_code == 200 and answer.json["outcome"] == "ignored"


def test_disputes_freeze_then_restore_or_return_the_money(giving, deliver):
    slug = giving.campaign()
    started = giving.give(slug)
    giving.reconcile()
    charge = giving.donation(started["id"]).stripe_charge_id
    opened = deliver("charge.dispute.created", {"id": "dp_1", "object": "dispute", "charge": charge,
                                                "status": "needs_response", "amount": 2500})
    assert opened.json["outcome"] == "disputed"
    assert giving.donation(started["id"]).status.value == "disputed"
    won = deliver("charge.dispute.closed", {"id": "dp_1", "object": "dispute", "charge": charge, "status": "won",
                                            "amount": 2500})
    assert won.json["outcome"] == "restored"
    assert giving.donation(started["id"]).status.value == "succeeded"
    deliver("charge.dispute.created", {"id": "dp_2", "object": "dispute", "charge": charge, "status": "needs_response"})
    lost = deliver("charge.dispute.closed", {"id": "dp_2", "object": "dispute", "charge": charge, "status": "lost",
                                             "amount": 2500})
    assert lost.json["outcome"] == "refunded"
    donation = giving.donation(started["id"])
    assert donation.status.value == "refunded" and donation.refunded_cents == 2500
    assert giving.campaign_row(slug).raised_cents == 0
