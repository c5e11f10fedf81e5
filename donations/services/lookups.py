"""Finding a gift, and locking its row: the bottom of the gift services, which every other one uses."""
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.lookups import get_by_id
from app.sql import locked
from donations.models import Donation


def get_donation(donation_id) -> Donation:
    return get_by_id(Donation, donation_id, "gift")


def get_donation_by_public_id(public_id) -> Donation:
    donation = db.session.scalar(select(Donation).where(Donation.public_id == public_id))
    if donation is None:
        raise NotFound("no such gift")
    return donation


def lock_donation_where(*conditions) -> Donation | None:
    """The gift matching `conditions`, its row locked until the transaction ends (PostgreSQL; SQLite
    has one writer) and re-read, so that no value loaded before the lock is trusted; or None."""
    return db.session.scalar(locked(select(Donation).where(*conditions)))


def lock_donation(donation_id) -> Donation:
    """`lock_donation_where` by id; NotFound when there is no such gift."""
    donation = lock_donation_where(Donation.id == donation_id)
    if donation is None:
        raise NotFound(f"no gift {donation_id}")
    return donation


def donation_for_charge(charge_id, intent_id=None) -> Donation | None:
    """The gift of a Stripe charge (or of its PaymentIntent, when the charge id was not recorded yet),
    locked."""
    if intent_id is None:
        return lock_donation_where(Donation.stripe_charge_id == charge_id)
    return lock_donation_where((Donation.stripe_charge_id == charge_id)
                               | (Donation.stripe_payment_intent_id == intent_id))
