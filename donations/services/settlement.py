"""Settling a gift: it succeeds once (the money arrived) or fails (the card was declined), and
`apply_intent` brings it to what a PaymentIntent re-read from Stripe says, never a payload.

Whatever order and however often Stripe's events arrive, a gift succeeds once and a late failure
never undoes a success. Reading the PaymentIntent is `stripe_sync.settle_payment_intent`.
"""
import logging

from flask import current_app

from app.errors import InvalidTransition
from app.extensions import db
from app.formatting import local_today
from donations import ledger, signals
from donations.gateway import object_id, stripe_date
from donations.mail import queue_donor_email
from donations.models import Donation, DonationStatus
from donations.services.failed_campaigns import intend_refund_if_campaign_failed
from donations.services.links import donor_token

log = logging.getLogger(__name__)

FAILED_INTENT_STATES = {"requires_payment_method", "canceled"}


def succeed_gift(donation, paid_on=None) -> bool:
    """The money arrived: in this one transaction the gift succeeds, the campaign counts it, partners
    match it and the receipts package hears of it. False when it had already succeeded."""
    was_failed = donation.status is DonationStatus.failed
    try:
        if not donation.move_to(DonationStatus.succeeded):
            return False
    except InvalidTransition:
        log.info("gift %s is %s: a late success changes nothing", donation.id, donation.status.value)
        return False
    if was_failed:
        ledger.claim_tier(donation)  # released when it failed; a retried card won it back
    donation.paid_on = paid_on or local_today()
    donation.failure_reason = ""
    db.session.flush()
    ledger.count_gift(donation)
    # A success that comes after its all-or-nothing campaign failed is owed back: the intention is
    # written here, the refund job carries it out (the campaign_failed receiver did not see this gift).
    intend_refund_if_campaign_failed(donation)
    signals.gift_succeeded.send(donation)
    monthly_url = None
    if donation.monthly and donation.recurring_of_id is None:
        monthly_url = f"{current_app.config['PUBLIC_URL']}/dons/{donor_token(donation, 'monthly')}/mensuel"
    queue_donor_email(donation, "thanks", "Merci pour votre don", "donations/email/thanks.txt",
                      monthly_url=monthly_url)
    return True


def fail_gift(donation, reason="") -> bool:
    """Stripe declined. Only a pending gift fails: a failure that arrives after a success is stale."""
    if donation.status is not DonationStatus.pending:
        return False
    donation.move_to(DonationStatus.failed)
    donation.failure_reason = (reason or "payment declined")[:300]
    ledger.release_tier(donation)
    db.session.flush()
    return True


def apply_intent(donation: Donation, intent) -> str:
    """Bring the gift to what the re-read PaymentIntent (a plain dict) says. Returns a word for the
    log: succeeded, failed, unchanged."""
    status = intent["status"]
    if status == "succeeded":
        charge = intent.get("latest_charge")
        if charge is not None:
            donation.stripe_charge_id = object_id(charge)
        created = charge["created"] if isinstance(charge, dict) else intent["created"]
        return "succeeded" if succeed_gift(donation, stripe_date(created)) else "unchanged"
    if status in FAILED_INTENT_STATES and (intent.get("last_payment_error") or status == "canceled"):
        reason = (intent.get("last_payment_error") or {}).get("message") or status
        return "failed" if fail_gift(donation, reason) else "unchanged"
    return "unchanged"
