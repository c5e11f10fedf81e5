"""Signed links that let a donor (who has no account) see a gift, and stop a monthly gift."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.errors import NotFound
from donations.models import Donation
from donations.services.lookups import get_donation_by_public_id


def _serializer(purpose):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"donations.{purpose}")


def donor_token(donation, purpose="gift") -> str:
    return _serializer(purpose).dumps(donation.public_id)


def donation_for_token(token, purpose="gift") -> Donation:
    """The gift a signed token names; a forged or foreign token is a 404, never a hint."""
    try:
        public_id = _serializer(purpose).loads(token or "")
    except BadSignature:
        raise NotFound("no such gift") from None
    return get_donation_by_public_id(public_id)
