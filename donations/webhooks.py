"""Stripe's webhook: a verified event is a hint to re-read the object from Stripe and act on that.

Each event id is recorded once, in the same transaction as what it caused: a replay finds the row
and changes nothing; a failure rolls both back so that Stripe's retry is processed afresh.
"""
import json
import logging

import stripe
from flask import current_app, jsonify, request
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from app.errors import UpstreamError, problem_response
from app.extensions import db
from donations import services
from donations.gateway import call_stripe, object_id, stripe_client
from donations.models import StripeEvent

log = logging.getLogger(__name__)
bp = Blueprint("stripe_webhook", __name__, url_prefix="/api/v1/stripe", description="Signed events from Stripe.")


def _dispute(obj):
    """Re-read the dispute when Stripe can tell (localstripe has no disputes: the verified payload is
    then all there is)."""
    try:
        with call_stripe("reading the dispute"):
            return stripe_client().v1.disputes.retrieve(obj["id"]).to_dict()
    except UpstreamError:
        if "api.stripe.com" in current_app.config["STRIPE_API_BASE"]:
            raise
        return obj


def _dispute_closed(obj):
    dispute = _dispute(obj)
    return services.dispute_closed(object_id(dispute["charge"]), dispute["status"], dispute.get("amount"))


HANDLERS = {
    "payment_intent.succeeded": lambda obj: services.settle_payment_intent(obj["id"]),
    "payment_intent.payment_failed": lambda obj: services.settle_payment_intent(obj["id"]),
    "payment_intent.canceled": lambda obj: services.settle_payment_intent(obj["id"]),
    "charge.refunded": lambda obj: f"{services.sync_charge_refunds(obj['id'])} refunds recorded",
    "charge.dispute.created": lambda obj: services.dispute_opened(object_id(_dispute(obj)["charge"])),
    "charge.dispute.closed": _dispute_closed,
    "invoice.paid": lambda obj: services.settle_invoice(obj["id"]),
    "invoice.payment_succeeded": lambda obj: services.settle_invoice(obj["id"]),
    "customer.subscription.deleted": lambda obj: services.subscription_ended(obj["id"]),
}


class MalformedEvent(ValueError):
    """A correctly signed payload that is not an event we can read (no `data.object`, wrong types)."""


def read_event(payload):
    """(id, type, object) of a verified payload, or MalformedEvent."""
    try:
        event = json.loads(payload)
        event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise MalformedEvent("no id, type or data.object") from None
    if not (isinstance(event_id, str) and isinstance(event_type, str) and isinstance(obj, dict)
            and isinstance(obj.get("id"), str) and event_id and obj["id"]):
        raise MalformedEvent("id, type and data.object.id are not strings")
    return event_id[:255], event_type[:255], obj


def process_event(event_id, event_type, obj):
    """Act on one verified event, once. Returns what happened, in a word, for Stripe's dashboard."""
    record = StripeEvent(id=event_id, type=event_type, object_id=str(obj.get("id", ""))[:255])
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return "duplicate"
    handler = HANDLERS.get(event_type)
    record.outcome = handler(obj) if handler else "ignored"
    db.session.flush()
    return record.outcome


@bp.route("/webhook", methods=["POST"])
@bp.doc(security=[], description="Signed with STRIPE_WEBHOOK_SECRET; an unverifiable payload is refused (400).")
def webhook():
    payload = request.get_data()
    try:
        # The signature only: the payload is read by read_event, which refuses what it cannot use.
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), request.headers.get("Stripe-Signature"),
                                              current_app.config["STRIPE_WEBHOOK_SECRET"])
    except (ValueError, stripe.SignatureVerificationError):
        return problem_response(400, "Unverifiable event", "The Stripe-Signature header does not verify.",
                                type_slug="bad-signature")
    try:
        # The verified payload as plain data: handlers read ids from it, and Stripe for the rest.
        event_id, event_type, obj = read_event(payload)
        outcome = process_event(event_id, event_type, obj)
        db.session.commit()
    except (MalformedEvent, KeyError, TypeError) as error:
        # Signed, but not a shape we can act on (e.g. a dispute without its charge): nothing is kept, and
        # Stripe is told so rather than left to retry a 500 for days.
        db.session.rollback()
        log.warning("stripe event refused as malformed: %r", error)
        return problem_response(400, "Malformed event", "The event's payload cannot be read.",
                                type_slug="malformed-event")
    except UpstreamError:
        db.session.rollback()
        log.warning("event %s left for Stripe's retry: Stripe could not be read", event_id)
        return problem_response(503, "Try again", "Stripe could not be read back.", type_slug="retry")
    log.info("stripe event %s %s: %s", event_id, event_type, outcome)
    return jsonify(received=True, outcome=outcome)
