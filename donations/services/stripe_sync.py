"""Stripe's word on a payment: what both the webhook and the reconciliation job call.

A webhook is only a hint: the PaymentIntent is re-read from Stripe and decides. One that belongs to
no gift of ours may be a month of a monthly gift, settled from its invoice.
"""
from sqlalchemy import select

from app.extensions import db
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.models import Donation
from donations.services.lookups import lock_donation_where
from donations.services.monthly import settle_invoice
from donations.services.settlement import apply_intent


def settle_payment_intent(intent_id, account=None) -> str:
    """Re-read the PaymentIntent from Stripe and bring its gift to what Stripe says. Returns a word
    for the log: succeeded, failed, unchanged, unknown. It is read on its gift's account, else on
    `account` (the connected account the event came from: a later month of a monthly gift)."""
    known = db.session.execute(select(Donation.id, Donation.stripe_account_id)
                               .where(Donation.stripe_payment_intent_id == intent_id)).first()
    if known is not None:
        account = known.stripe_account_id
    with call_stripe("reading the payment"):
        intent = stripe_client().v1.payment_intents.retrieve(intent_id, options=on_account(account)).to_dict()
    donation = lock_donation_where(Donation.stripe_payment_intent_id == intent["id"])
    if donation is None:
        invoice_id = object_id(intent.get("invoice"))
        if invoice_id:
            return settle_invoice(invoice_id, account)
        return "unknown"
    return apply_intent(donation, intent)
