"""Stripe's word on a payment: what both the webhook and the reconciliation job call.

A webhook is only a hint: the PaymentIntent is re-read from Stripe and decides. One that belongs to
no gift of ours may be a month of a monthly gift, settled from its invoice.
"""
from donations.gateway import call_stripe, object_id, stripe_client
from donations.models import Donation
from donations.services.lookups import lock_donation_where
from donations.services.monthly import settle_invoice
from donations.services.settlement import apply_intent


def settle_payment_intent(intent_id) -> str:
    """Re-read the PaymentIntent from Stripe and bring its gift to what Stripe says. Returns a word
    for the log: succeeded, failed, unchanged, unknown."""
    with call_stripe("reading the payment"):
        intent = stripe_client().v1.payment_intents.retrieve(intent_id).to_dict()
    donation = lock_donation_where(Donation.stripe_payment_intent_id == intent["id"])
    if donation is None:
        invoice_id = object_id(intent.get("invoice"))
        if invoice_id:
            return settle_invoice(invoice_id)
        return "unknown"
    return apply_intent(donation, intent)
