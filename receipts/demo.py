"""Demo data: the receipts of the demo gifts, so that /finance has something to show."""
from sqlalchemy import select

from app.extensions import db
from donations.models import Donation, DonationStatus
from receipts.jobs import issue_queued_receipts
from receipts.models import ReceiptRequest
from receipts.services.queue import queue_gift


def load_receipts() -> list[str]:
    # The demo gifts are made through the donations services, whose signal queues them; queueing
    # again catches up gifts of a database loaded before the receipts were wired (the queue's unique
    # key makes it harmless), then the queue is worked through.
    gifts = db.session.scalars(select(Donation).where(Donation.status == DonationStatus.succeeded)).all()
    queued = set(db.session.scalars(select(ReceiptRequest.donation_id).where(ReceiptRequest.donation_id.isnot(None))))
    for gift in gifts:
        if gift.id not in queued:
            queue_gift(gift)
    db.session.commit()
    done = issue_queued_receipts(limit=10_000)
    return [f"receipts: {done} queued requests processed"] if done else []
