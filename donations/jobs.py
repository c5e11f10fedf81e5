"""Scheduled work: settle gifts whose webhook never came, and give back the money of failed
all-or-nothing campaigns. Each job commits gift by gift, so that a crash loses at most one step."""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.types import utcnow
from campaigns.models import Campaign, CampaignStatus, FundingModel
from donations import services
from donations.models import Donation, DonationStatus, RefundStatus

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
    """Every gift of a failed all-or-nothing campaign is given back, exactly once.

    The intention is committed before Stripe is called, with a key that is the same on every run;
    a run that stopped half-way (crash, `limit`) is simply run again. Returns the gifts refunded.
    """
    campaign_ids = db.session.scalars(select(Campaign.id).where(
        Campaign.status == CampaignStatus.failed, Campaign.funding_model == FundingModel.all_or_nothing)).all()
    done = 0
    for campaign_id in campaign_ids:
        for donation in services.failed_campaign_gifts(campaign_id):
            if limit is not None and done >= limit:
                return done
            refund = services.intend_campaign_failed_refund(donation)
            db.session.commit()
            if refund.status is RefundStatus.done:
                continue
            try:
                services.carry_out(refund)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                log.warning("refund of gift %s left for the next run: %s", donation.id, error.detail)
                continue
            done += 1
    return done


def init_app(app):
    from app.scheduler import register_job

    register_job(app, "donations.reconcile", reconcile_pending_gifts, "interval", minutes=5,
                 description="Settle pending gifts from Stripe when their webhook is late or lost")
    register_job(app, "donations.refund_failed_campaigns", refund_failed_campaigns, "interval", minutes=10,
                 description="Refund the gifts of failed all-or-nothing campaigns")
