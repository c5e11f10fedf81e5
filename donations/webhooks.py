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
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.models import StripeEvent
from donations.roundup.services.debits import settle_debit_intent
from donations.services import accounts

log = logging.getLogger(__name__)
bp = Blueprint("stripe_webhook", __name__, url_prefix="/api/v1/stripe", description="Signed events from Stripe.")


def _dispute(obj, account):
    """Re-read the dispute on the account it happened on (a bare localstripe has no disputes: the
    verified payload is then all there is)."""
    try:
        with call_stripe("reading the dispute"):
            return stripe_client().v1.disputes.retrieve(obj["id"], options=on_account(account)).to_dict()
    except UpstreamError:
        if "api.stripe.com" in current_app.config["STRIPE_API_BASE"]:
            raise
        return obj


def _dispute_closed(obj, account):
    dispute = _dispute(obj, account)
    return services.dispute_closed(object_id(dispute["charge"]), dispute["status"], dispute.get("amount"))


def _payment_intent(obj, account):
    """A merchant's statement debit (donations.roundup.services.debits), else a gift's payment."""
    outcome = settle_debit_intent(obj["id"], account)
    return outcome if outcome is not None else services.settle_payment_intent(obj["id"], account)


# handler(object, account): `account` is the connected account the event came from (None on the
# platform's endpoint); the services read each object on its gift's account.
HANDLERS = {
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
    "payment_intent.canceled": _payment_intent,
    "charge.refunded": lambda obj, account: f"{services.sync_charge_refunds(obj['id'], account)} refunds recorded",
    "charge.dispute.created": lambda obj, account: services.dispute_opened(object_id(_dispute(obj, account)["charge"])),
    "charge.dispute.closed": _dispute_closed,
    "invoice.paid": lambda obj, account: services.settle_invoice(obj["id"], account),
    "invoice.payment_succeeded": lambda obj, account: services.settle_invoice(obj["id"], account),
    "customer.subscription.deleted": lambda obj, account: services.subscription_ended(obj["id"]),
    "account.updated": lambda obj, account: accounts.refresh_account(account or obj["id"]),
    # Only a Connect event names the account that left (the object is the platform's application).
    "account.application.deauthorized": lambda obj, account: accounts.account_disconnected(account)
    if account else "ignored",
}


class MalformedEvent(ValueError):
    """A correctly signed payload that is not an event we can read (no `data.object`, wrong types)."""


def read_event(payload, connect=False):
    """(id, type, object, account) of a verified payload, or MalformedEvent. An event of the Connect
    endpoint names the connected account it happened on."""
    try:
        event = json.loads(payload)
        event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
        account = event.get("account") if connect else None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise MalformedEvent("no id, type or data.object") from None
    if not (isinstance(event_id, str) and isinstance(event_type, str) and isinstance(obj, dict)
            and isinstance(obj.get("id"), str) and event_id and obj["id"]):
        raise MalformedEvent("id, type and data.object.id are not strings")
    if connect and not (isinstance(account, str) and account.startswith("acct_")):
        raise MalformedEvent("a Connect event names its account")
    return event_id[:255], event_type[:255], obj, account and account[:255]


def process_event(event_id, event_type, obj, account=None):
    """Act on one verified event, once. Returns what happened, in a word, for Stripe's dashboard."""
    record = StripeEvent(id=event_id, type=event_type, object_id=str(obj.get("id", ""))[:255])
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return "duplicate"
    handler = HANDLERS.get(event_type)
    record.outcome = handler(obj, account) if handler else "ignored"
    db.session.flush()
    return record.outcome


@bp.route("/webhook", methods=["POST"])
@bp.doc(security=[], description="Signed with STRIPE_WEBHOOK_SECRET; an unverifiable payload is refused (400).")
def webhook():
    return receive(current_app.config["STRIPE_WEBHOOK_SECRET"], connect=False)


@bp.route("/connect-webhook", methods=["POST"])
@bp.doc(security=[], description="Events of the organizations' connected accounts, each naming its `account`; "
                                 "signed with STRIPE_CONNECT_WEBHOOK_SECRET; an unverifiable payload is refused (400).")
def connect_webhook():
    return receive(current_app.config["STRIPE_CONNECT_WEBHOOK_SECRET"], connect=True)


def receive(secret, connect):
    """Verify, read and act on one event, once (event ids are Stripe-wide: one table for both endpoints)."""
    payload = request.get_data()
    try:
        # The signature only: the payload is read by read_event, which refuses what it cannot use.
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), request.headers.get("Stripe-Signature"),
                                              secret)
    except (ValueError, stripe.SignatureVerificationError):
        return problem_response(400, "Unverifiable event", "The Stripe-Signature header does not verify.",
                                type_slug="bad-signature")
    try:
        # The verified payload as plain data: handlers read ids from it, and Stripe for the rest.
        event_id, event_type, obj, account = read_event(payload, connect)
        outcome = process_event(event_id, event_type, obj, account)
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
