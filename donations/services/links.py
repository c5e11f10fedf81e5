"""Signed links that let a donor (who has no account) see a gift, and stop a monthly gift."""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.errors import NotFound


def _serializer(purpose):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"donations.{purpose}")


def donor_token(donation, purpose="gift"):
    return _serializer(purpose).dumps(donation.public_id)


def donation_for_token(token, purpose="gift"):
    """The gift a signed token names; a forged or foreign token is a 404, never a hint."""
    from donations.services.gifts import get_donation_by_public_id

    try:
        public_id = _serializer(purpose).loads(token or "")
    except BadSignature:
        raise NotFound("no such gift") from None
    return get_donation_by_public_id(public_id)
