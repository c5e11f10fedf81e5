"""Signed links that let a donor (who has no account) reach their receipts, and the emails carrying them."""
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.errors import NotFound
from app.mail import deliver, make_message
from app.money import format_eur

DONOR_SALT = "receipts.donor-link"
ROUNDUP_SALT = "receipts.roundup-donor"


def _serializer(salt):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def donor_token(organization_id: int, email: str) -> str:
    """Gives access to every receipt of this email at this organization (the same person's gifts)."""
    return _serializer(DONOR_SALT).dumps({"o": organization_id, "e": email.strip().lower()})


def read_donor_token(token: str) -> tuple[int, str]:
    """(organization id, email) of a donor link; NotFound (404) for a forged or damaged one."""
    try:
        data = _serializer(DONOR_SALT).loads(token)
    except BadSignature:
        raise NotFound("this link is not valid") from None
    return data["o"], data["e"]


def roundup_token(email: str) -> str:
    return _serializer(ROUNDUP_SALT).dumps(email.strip().lower())


def read_roundup_token(token: str) -> str:
    try:
        return _serializer(ROUNDUP_SALT).loads(token)
    except BadSignature:
        raise NotFound("this link is not valid") from None


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send_email(to, subject, body, attachments=()) -> Path | None:
    """Send now (app.mail: SMTP, or a .eml file in OUTBOX_DIR, whose path is returned); `attachments` are
    PDFs (name, bytes)."""
    message = make_message(to, subject, body,
                           attachments=[(name, data, "application/pdf") for name, data in attachments])
    return deliver(current_app._get_current_object(), message)


def _render(name, **context):
    # Not flask.render_template: jobs send mail outside any request, where context processors fail.
    return current_app.jinja_env.get_template(name).render(**context)


def email_receipt(receipt) -> Path | None:
    """Tell the donor their receipt is ready, with the PDF and the link to all their receipts (nothing
    without an email: a partner's grant receipt is handed over by the finance officer)."""
    if not receipt.donor_email:
        return None
    link = public_url(f"/recus/{donor_token(receipt.organization_id, receipt.donor_email)}")
    body = _render("receipts/email_receipt.txt", receipt=receipt, link=link, amount=format_eur(receipt.amount_cents),
                   space=public_url("/espace-donateur"))
    return send_email(receipt.donor_email, f"Votre reçu fiscal n° {receipt.number} — {receipt.organization.name}",
                      body, [(f"recu-{receipt.number}.pdf", receipt.pdf)])


def email_roundup_invitation(email, organization, year, cents) -> Path | None:
    link = public_url(f"/recus/arrondi/{roundup_token(email)}")
    body = _render("receipts/email_roundup.txt", organization=organization, year=year, amount=format_eur(cents),
                   link=link)
    return send_email(email, f"Vos arrondis {year} : recevez votre reçu fiscal", body)
