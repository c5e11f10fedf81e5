"""Scheduled work: settle gifts whose webhook never came, and carry out the refunds owed to the donors
of failed all-or-nothing campaigns. Each job commits gift by gift, so that a crash loses at most one step."""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.types import utcnow
from donations import services
from donations.models import Donation, DonationStatus

log = logging.getLogger(__name__)


def reconcile_pending_gifts(older_than_minutes=None):
    """Gifts pending for more than N minutes are re-read from Stripe and settled; one Stripe
    confirmed while our webhook was lost is recovered. Returns {outcome: count}."""
    minutes = current_app.config["DONATIONS_RECONCILE_AFTER_MINUTES"] if older_than_minutes is None \
        else older_than_minutes
    abandon_after = timedelta(hours=current_app.config["DONATIONS_ABANDON_AFTER_HOURS"])
    now = utcnow()
    gifts = db.session.execute(select(Donation.id, Donation.stripe_payment_intent_id, Donation.stripe_invoice_id,
                                      Donation.created_at)
                               .where(Donation.status == DonationStatus.pending,
                                      Donation.created_at <= now - timedelta(minutes=minutes))
                               .order_by(Donation.id)).all()
    outcomes = {}
    for gift_id, intent_id, invoice_id, created_at in gifts:
        try:
            if intent_id:
                outcome = services.settle_payment_intent(intent_id)
            elif invoice_id:
                outcome = services.settle_invoice(invoice_id)
            elif created_at <= now - abandon_after:
                # The donor never gave a card: free the reward the gift was holding.
                outcome = "abandoned" if services.fail_gift(services.lock_donation(gift_id), "abandoned") \
                    else "unchanged"
            else:
                outcome = "waiting"
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            log.warning("gift %s not reconciled: %s", gift_id, error.detail)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def refund_failed_campaigns(limit=None):
    """Carry out the refunds intended and not yet made, each exactly once; returns how many were made.

    The job never looks for failed campaigns: the intentions are written in the transaction that fails
    the campaign (the `campaign_failed` receiver) or, for a gift that succeeds after the failure, in
    the one where it succeeds. Each refund is committed on its own; a run that stopped half-way
    (crash, `limit`) is simply run again, and a refund Stripe made before the crash is adopted.
    """
    done = 0
    for refund_id, donation_id in services.intended_refunds():
        if limit is not None and done >= limit:
            break
        try:
            refund = services.carry_out_intended(refund_id, donation_id)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            log.warning("refund of gift %s left for the next run: %s", donation_id, error.detail)
            continue
        if refund is not None:
            done += 1
    return done


def init_app(app):
    from app.scheduler import register_job  # a registration on this app: only when the factory asks

    register_job(app, "donations.reconcile", reconcile_pending_gifts, "interval", minutes=5,
                 description="Settle pending gifts from Stripe when their webhook is late or lost")
    register_job(app, "donations.refund_failed_campaigns", refund_failed_campaigns, "interval", minutes=10,
                 description="Carry out the refunds owed to the donors of failed all-or-nothing campaigns")
