"""Refunds: asked by a finance officer, made in Stripe's dashboard, or owed because an all-or-nothing
campaign failed. Whatever the origin, `apply_refund` is the one place where money goes back.

Our own checks come first (localstripe, unlike Stripe, accepts refunding more than was paid); each
refund is recorded under a unique key before Stripe is called, and de-duplicated by Stripe's id.
The intentions owed to a failed campaign's donors are written by `failed_campaigns`; the refund job
carries them out here, one by one (`carry_out_intended`).
"""
import logging
import secrets

from sqlalchemy import func, select

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.sql import locked
from app.types import utcnow
from donations import ledger, signals
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.models import REFUNDABLE, Donation, DonationRefund, DonationStatus, RefundReason, RefundStatus
from donations.services.failed_campaigns import intend_refund_if_campaign_failed
from donations.services.lookups import donation_for_charge, lock_donation

log = logging.getLogger(__name__)


def _intended_cents(donation_id):
    # PostgreSQL sums a BIGINT as NUMERIC: back to a whole number of cents.
    return int(db.session.scalar(select(func.coalesce(func.sum(DonationRefund.amount_cents), 0))
                             .where(DonationRefund.donation_id == donation_id,
                                    DonationRefund.status == RefundStatus.intended)))


def refund_gift(donation_id, amount_cents=None, *, requested_by_id=None, idempotency_key=None) -> DonationRefund:
    """Refund `amount_cents` (all that remains when None) through Stripe, or record it for an offline
    gift. A retry with the same idempotency key returns the first refund."""
    donation = lock_donation(donation_id)
    key = f"solidaire-refund-{donation.public_id}-{idempotency_key or secrets.token_hex(8)}"
    first = db.session.scalar(select(DonationRefund).where(DonationRefund.idempotency_key == key))
    if first is not None:
        return first
    if donation.status not in REFUNDABLE:
        raise Conflict(f"a {donation.status.value} gift cannot be refunded", "status")
    refundable = donation.remaining_cents - _intended_cents(donation.id)
    amount_cents = refundable if amount_cents is None else amount_cents
    if amount_cents <= 0:
        raise InvalidInput("a refund is at least one cent", "amount_cents")
    if amount_cents > refundable:
        raise InvalidInput(f"at most {refundable} cents remain to refund", "amount_cents")
    refund = DonationRefund(donation=donation, amount_cents=amount_cents, reason=RefundReason.requested,
                            idempotency_key=key, requested_by_id=requested_by_id)
    db.session.add(refund)
    db.session.flush()
    if donation.is_offline:
        return apply_refund(refund, None)  # the officer gives the money back by hand
    return carry_out(refund)


def carry_out(refund) -> DonationRefund:
    """Make an intended refund happen in Stripe, once: a refund carrying our key found in Stripe (a
    previous run that crashed before recording it) is adopted instead of refunding again."""
    donation = refund.donation
    if refund.status is RefundStatus.done:
        return refund
    client = stripe_client()
    with call_stripe("refunding the gift"):
        made = None
        for existing in client.v1.refunds.list(params={"payment_intent": donation.stripe_payment_intent_id,
                                                       "limit": 100},
                                               options=on_account(donation.stripe_account_id)).data:
            if (existing.to_dict().get("metadata") or {}).get("solidaire_refund") == refund.idempotency_key:
                made = existing
                break
        if made is None:
            made = client.v1.refunds.create(
                params={"payment_intent": donation.stripe_payment_intent_id, "amount": refund.amount_cents,
                        "metadata": {"solidaire_refund": refund.idempotency_key, "donation": donation.public_id}},
                options=on_account(donation.stripe_account_id, idempotency_key=refund.idempotency_key))
    return apply_refund(refund, made.id)


def apply_refund(refund, stripe_refund_id) -> DonationRefund:
    """The money went back: totals and matches follow, the tier is freed on a full refund, and the
    receipts package hears of it, all in the caller's transaction."""
    donation = refund.donation
    refund.status = RefundStatus.done
    refund.stripe_refund_id = stripe_refund_id
    refund.done_at = utcnow()
    donation.refunded_cents += refund.amount_cents
    fully = donation.refunded_cents >= donation.amount_cents
    donation.move_to(DonationStatus.refunded if fully else DonationStatus.partially_refunded)
    db.session.flush()
    ledger.take_back(donation, refund.amount_cents)
    if fully:
        ledger.release_tier(donation)
    signals.gift_refunded.send(donation, refunded_cents=refund.amount_cents, remaining_cents=donation.remaining_cents)
    db.session.flush()
    return refund


def sync_charge_refunds(charge_id, account=None) -> int:
    """After `charge.refunded`: re-read the charge's refunds from Stripe and record those we did not
    make (the dashboard's) or did not finish recording. Returns how many were recorded. The charge is
    read on `account` (the event's), else on the account of the gift that recorded this charge."""
    account = account or db.session.scalar(select(Donation.stripe_account_id)
                                           .where(Donation.stripe_charge_id == charge_id))
    client = stripe_client()
    with call_stripe("reading the refunds"):
        charge = client.v1.charges.retrieve(charge_id, options=on_account(account)).to_dict()
        refunds = [r.to_dict() for r in client.v1.refunds.list(params={"charge": charge_id, "limit": 100},
                                                               options=on_account(account)).data]
    donation = donation_for_charge(charge["id"], object_id(charge.get("payment_intent")))
    if donation is None or donation.stripe_account_id != account:
        return 0
    recorded = 0
    for made in sorted(refunds, key=lambda r: r["created"]):
        if made.get("status") not in (None, "succeeded", "pending"):
            continue
        if db.session.scalar(select(DonationRefund.id).where(DonationRefund.stripe_refund_id == made["id"])):
            continue
        ours = (made.get("metadata") or {}).get("solidaire_refund")
        refund = ours and db.session.scalar(select(DonationRefund).where(DonationRefund.idempotency_key == ours))
        if refund and refund.status is RefundStatus.intended:
            apply_refund(refund, made["id"])
            recorded += 1
            continue
        if donation.status not in REFUNDABLE and donation.status is not DonationStatus.disputed:
            log.warning("refund %s on gift %s (%s) not recorded", made["id"], donation.id, donation.status.value)
            continue
        amount = min(made["amount"], donation.remaining_cents)
        if amount <= 0:
            continue
        refund = DonationRefund(donation=donation, amount_cents=amount, reason=RefundReason.dashboard,
                                idempotency_key=f"stripe-{made['id']}")
        db.session.add(refund)
        db.session.flush()
        apply_refund(refund, made["id"])
        recorded += 1
    return recorded


def intended_refunds() -> list[tuple[int, int]]:
    """(refund id, gift id) of every refund intended and not yet made, oldest first."""
    return db.session.execute(select(DonationRefund.id, DonationRefund.donation_id)
                              .where(DonationRefund.status == RefundStatus.intended)
                              .order_by(DonationRefund.id)).all()


def carry_out_intended(refund_id, donation_id) -> DonationRefund | None:
    """Make one intended refund, under its gift's lock (taken first, as every refund path does); None
    when it was made meanwhile (another run, or the dashboard's webhook adopting it)."""
    lock_donation(donation_id)
    refund = db.session.scalar(locked(select(DonationRefund).where(DonationRefund.id == refund_id)))
    if refund is None or refund.status is RefundStatus.done:
        return None
    return carry_out(refund)


def dispute_opened(charge_id) -> str:
    donation = donation_for_charge(charge_id)
    if donation is None or donation.status not in REFUNDABLE:
        return "unchanged"
    donation.move_to(DonationStatus.disputed)
    return "disputed"


def dispute_closed(charge_id, outcome, amount_cents=None) -> str:
    """Won: the gift is back as it was (and owed back if its all-or-nothing campaign failed meanwhile).
    Lost: the bank returned the money, as if refunded."""
    donation = donation_for_charge(charge_id)
    if donation is None or donation.status is not DonationStatus.disputed:
        return "unchanged"
    if outcome == "lost":
        amount = min(amount_cents or donation.remaining_cents, donation.remaining_cents)
        refund = DonationRefund(donation=donation, amount_cents=amount, reason=RefundReason.dispute_lost,
                                idempotency_key=f"dispute-lost-{charge_id}")
        db.session.add(refund)
        db.session.flush()
        apply_refund(refund, None)
        return "refunded"
    donation.move_to(DonationStatus.partially_refunded if donation.refunded_cents else DonationStatus.succeeded)
    intend_refund_if_campaign_failed(donation)
    return "restored"
