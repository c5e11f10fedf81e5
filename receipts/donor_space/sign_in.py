"""Signing a donor in by email: a link that works once and expires, sent whether or not we know the
address (what the page answers never tells whether someone gave), and the donor session it opens."""
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from app.errors import InvalidInput
from app.extensions import db
from app.keys import hash_key
from app.mail import make_message, send_after_commit
from app.types import utcnow
from donations.models import Donation
from receipts.donor_space.models import DonorSignInLink
from receipts.models import Receipt
from receipts.services.links import public_url

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
# At most this many links are sent to one address an hour, whoever asks (no mailbox flooding); the
# page's own rate limit (RATELIMIT_DONOR_LINK) counts requests per caller's address.
LINKS_PER_EMAIL_PER_HOUR = 5


class LinkRefused(Exception):
    """The link is unknown, expired or already used; `reason` is one of those words."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def normalized_email(value) -> str:
    email = (value or "").strip().lower()
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidInput("not a valid email address", "email")
    return email


def known_donor(email: str) -> bool:
    """Whether this email gave, or is named on a receipt (round-up donors get their receipts by email)."""
    gave = db.session.scalar(select(Donation.id).where(func.lower(Donation.email) == email).limit(1))
    return gave is not None or db.session.scalar(
        select(Receipt.id).where(Receipt.donor_email == email).limit(1)) is not None


def request_link(email: str, now=None) -> bool:
    """Email a sign-in link to `email` if it is a donor's (after the caller commits). Returns whether
    one was queued, which the page must not show. Raises InvalidInput for a malformed address."""
    email = normalized_email(email)
    now = now or utcnow()
    # Links that can no longer be used go: nothing accumulates.
    db.session.execute(delete(DonorSignInLink).where(DonorSignInLink.expires_at < now - timedelta(days=1)))
    if not known_donor(email):
        return False
    recent = db.session.scalar(select(func.count()).select_from(DonorSignInLink).where(
        DonorSignInLink.email == email, DonorSignInLink.created_at > now - timedelta(hours=1)))
    if recent >= LINKS_PER_EMAIL_PER_HOUR:
        return False
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["DONOR_LINK_MINUTES"]
    db.session.add(DonorSignInLink(token_hash=hash_key(token), email=email, created_at=now,
                                   expires_at=now + timedelta(minutes=minutes)))
    db.session.flush()
    link = public_url(f"/espace-donateur/connexion/{token}")
    body = current_app.jinja_env.get_template("donor_space/email_link.txt").render(link=link, minutes=minutes)
    send_after_commit(db.session, make_message(email, "Votre lien de connexion à l'espace donateur", body))
    return True


def redeem_link(token: str, now=None) -> str:
    """The email a link signs in, marking it used in the same statement (two clicks at once: one wins).
    Raises LinkRefused("unknown" | "expired" | "used")."""
    now = now or utcnow()
    token_hash = hash_key(token or "")
    used = db.session.execute(update(DonorSignInLink).where(
        DonorSignInLink.token_hash == token_hash, DonorSignInLink.used_at.is_(None),
        DonorSignInLink.expires_at > now).values(used_at=now).execution_options(synchronize_session=False))
    link = db.session.scalar(select(DonorSignInLink).where(DonorSignInLink.token_hash == token_hash))
    if link is None:
        raise LinkRefused("unknown")
    if used.rowcount != 1:
        raise LinkRefused("used" if link.used_at is not None else "expired")
    return link.email
