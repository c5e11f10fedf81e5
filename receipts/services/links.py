"""Signed links that let a donor (who has no account) reach their receipts, and the emails carrying them."""
import smtplib
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.errors import NotFound
from app.money import format_eur

DONOR_SALT = "receipts.donor-link"
ROUNDUP_SALT = "receipts.roundup-donor"


def _serializer(salt):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def donor_token(organization_id, email):
    """Gives access to every receipt of this email at this organization (the same person's gifts)."""
    return _serializer(DONOR_SALT).dumps({"o": organization_id, "e": email.strip().lower()})


def read_donor_token(token):
    try:
        data = _serializer(DONOR_SALT).loads(token)
    except BadSignature:
        raise NotFound("this link is not valid") from None
    return data["o"], data["e"]


def roundup_token(email):
    return _serializer(ROUNDUP_SALT).dumps(email.strip().lower())


def read_roundup_token(token):
    try:
        return _serializer(ROUNDUP_SALT).loads(token)
    except BadSignature:
        raise NotFound("this link is not valid") from None


def public_url(path):
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send_email(to, subject, body, attachments=()):
    """SMTP when SMTP_URL is set (smtp://host:port), else a .eml file in OUTBOX_DIR."""
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_FROM", "recus@solidaire.example")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:
        parts = urlsplit(smtp_url)
        with smtplib.SMTP(parts.hostname, parts.port or 25) as smtp:
            smtp.send_message(message)
        return None
    outbox = Path(current_app.config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{to}-{subject}")[:150]
    path = outbox / f"{safe}.eml"
    path.write_bytes(bytes(message))
    return path


def _render(name, **context):
    # Not flask.render_template: jobs send mail outside any request, where context processors fail.
    return current_app.jinja_env.get_template(name).render(**context)


def email_receipt(receipt):
    """Tell the donor their receipt is ready, with the PDF and the link to all their receipts."""
    if not receipt.donor_email:
        return None
    link = public_url(f"/recus/{donor_token(receipt.organization_id, receipt.donor_email)}")
    body = _render("receipts/email_receipt.txt", receipt=receipt, link=link,
                           amount=format_eur(receipt.amount_cents))
    return send_email(receipt.donor_email, f"Votre reçu fiscal n° {receipt.number} — {receipt.organization.name}",
                      body, [(f"recu-{receipt.number}.pdf", receipt.pdf)])


def email_roundup_invitation(email, organization, year, cents):
    link = public_url(f"/recus/arrondi/{roundup_token(email)}")
    body = _render("receipts/email_roundup.txt", organization=organization, year=year,
                           amount=format_eur(cents), link=link)
    return send_email(email, f"Vos arrondis {year} : recevez votre reçu fiscal", body)
