"""Customers' claims of round-ups by QR code: the till shows a code, the customer gives an email.

A claim link is signed and dated (itsdangerous, under SECRET_KEY): it names one round-up and expires
after `ROUNDUP_CLAIM_HOURS` (72 by default). It works once: claiming fills the round-up's
`donor_email` in one UPDATE that requires it empty (and the round-up not voided), so two claims of
the same link, even at the same instant, give the round-up to one email only. No table is needed.
The cashier types nothing personal: the customer types their email on their own phone.
"""
import io
from datetime import date, timedelta

import segno
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.types import utcnow
from donations.roundup.models import Roundup
from donations.roundup.services.ingest import EMAIL_RE, get_roundup

CLAIM_SALT = "roundup.claim"


class ClaimExpired(Conflict):
    status = 410
    type_slug = "claim-expired"
    title = "Claim link expired"


def claim_hours() -> int:
    return current_app.config["ROUNDUP_CLAIM_HOURS"]


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CLAIM_SALT)


def claim_path(token) -> str:
    return f"/arrondi/recu/{token}"


def claim_for(merchant, external_id) -> dict:
    """{claim_url, qr_svg, expires_at} for the merchant's round-up `external_id`, for its till to show.

    Refused (409) when the round-up is voided or already carries an email."""
    roundup = get_roundup(merchant, external_id)
    if roundup.voided_at is not None:
        raise Conflict("this round-up was voided", "external_id")
    if roundup.donor_email is not None:
        raise Conflict("this round-up has been claimed already", "external_id")
    url = current_app.config["PUBLIC_URL"].rstrip("/") + claim_path(_serializer().dumps(roundup.id))
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=5, border=2, xmldecl=False, title="QR code")
    return {"claim_url": url, "qr_svg": svg.getvalue().decode(),
            "expires_at": utcnow() + timedelta(hours=claim_hours())}


def claimable(token) -> Roundup:
    """The round-up a claim link names, while it may still be claimed.

    NotFound for a forged link, ClaimExpired (410) for an old one, Conflict (409) once claimed or voided."""
    try:
        roundup_id = _serializer().loads(token, max_age=claim_hours() * 3600)
    except SignatureExpired:
        raise ClaimExpired("this claim link has expired") from None
    except BadSignature:
        raise NotFound("this link is not valid") from None
    roundup = db.session.get(Roundup, roundup_id) if isinstance(roundup_id, int) else None
    if roundup is None:
        raise NotFound("this link is not valid")
    if roundup.voided_at is not None:
        raise Conflict("this round-up was voided")
    if roundup.donor_email is not None:
        raise Conflict("this round-up has been claimed already")
    return roundup


def clean_email(email) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidInput("Indiquez une adresse électronique valide, par exemple nom@exemple.fr.", "email")
    return email


def claim(token, email) -> Roundup:
    """Give the round-up of a claim link to `email` (once); the caller commits."""
    roundup = claimable(token)
    email = clean_email(email)
    claimed = db.session.execute(
        update(Roundup).where(Roundup.id == roundup.id, Roundup.donor_email.is_(None), Roundup.voided_at.is_(None))
        .values(donor_email=email).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Conflict("this round-up has been claimed already")
    db.session.refresh(roundup)
    return roundup


def donor_year_roundups(email, year) -> tuple[int, int]:
    """(count, cents) of the live round-ups given with `email` in `year` (by their local day), at every
    merchant: what the customer has rounded up so far, settled or not."""
    count, cents = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Roundup.roundup_cents), 0))
        .where(Roundup.donor_email == email.strip().lower(), Roundup.voided_at.is_(None),
               Roundup.occurred_on >= date(year, 1, 1), Roundup.occurred_on < date(year + 1, 1, 1))).one()
    return count, int(cents)
