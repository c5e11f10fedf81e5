"""Receivers of the lower packages' signals. Each runs in the sender's transaction and only writes a
row of the issuing queue; the job issues the receipt after that transaction has committed."""
from campaigns.signals import campaign_failed, campaign_succeeded, partner_payment_recorded, partner_siren_recorded
from sqlalchemy import select

from app.extensions import db
from donations.signals import gift_refunded, gift_succeeded, receipts_of_gifts, settlement_line_paid, settlement_paid
from receipts.models import Receipt, ReceiptGift, ReceiptStatus
from receipts.services import queue


def on_gift_succeeded(donation, **_):
    queue.queue_gift(donation)


def on_gift_refunded(donation, remaining_cents=0, **_):
    queue.queue_refund(donation, remaining_cents)


def on_partner_payment_recorded(payment, **_):
    queue.queue_partner_payment(payment)


def on_partner_siren_recorded(partner, **_):
    queue.release_partner(partner)


def on_settlement_line_paid(line, **_):
    queue.queue_settlement_line(line)


def on_settlement_paid(settlement, **_):
    # Each line was queued when it was paid; queuing them again is a no-op kept for statements
    # paid before lines were paid one by one.
    queue.queue_settlement_paid(settlement)


def on_campaign_succeeded(campaign, **_):
    queue.release_campaign(campaign)


def on_campaign_failed(campaign, **_):
    queue.drop_campaign(campaign)


def on_receipts_of_gifts(organization, donation_ids=(), **_):
    """The answer to donations' question (reads only): the issued receipts covering these gifts."""
    numbers = {}
    for donation_id, number in db.session.execute(
            select(ReceiptGift.donation_id, Receipt.number).join(Receipt, Receipt.id == ReceiptGift.receipt_id)
            .where(Receipt.organization_id == organization.id, Receipt.status == ReceiptStatus.issued,
                   ReceiptGift.donation_id.in_(list(donation_ids))).order_by(Receipt.number)):
        numbers.setdefault(donation_id, []).append(number)
    return numbers


def connect() -> None:
    """Connect every receiver. The signals are process-wide: connecting again (one app per test)
    changes nothing, and weak=False keeps the receivers whatever the caller holds."""
    gift_succeeded.connect(on_gift_succeeded, weak=False)
    gift_refunded.connect(on_gift_refunded, weak=False)
    partner_payment_recorded.connect(on_partner_payment_recorded, weak=False)
    partner_siren_recorded.connect(on_partner_siren_recorded, weak=False)
    settlement_line_paid.connect(on_settlement_line_paid, weak=False)
    settlement_paid.connect(on_settlement_paid, weak=False)
    campaign_succeeded.connect(on_campaign_succeeded, weak=False)
    campaign_failed.connect(on_campaign_failed, weak=False)
    receipts_of_gifts.connect(on_receipts_of_gifts, weak=False)
