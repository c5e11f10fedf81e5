"""Donor emails: queued inside the transaction, sent only once it commits.

With SMTP_URL empty (development, tests) each message is a `.eml` file in OUTBOX_DIR. A message is
never sent for a transaction that rolled back, and the `DonorEmail` row (unique per gift and kind)
keeps a replayed event from mailing the donor twice.
"""
import logging
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
OUTBOX_KEY = "donations.outbox"
SENDER = "Solidaire Sceaux <dons@solidaire.example>"


def queue_donor_email(donation, kind, subject, template, **context):
    """Queue `template` (text) for the donor of `donation`, once per gift and `kind`."""
    from donations.models import DonorEmail

    if not donation.email:
        return False
    already = db.session.scalar(select(DonorEmail.id).where(DonorEmail.donation_id == donation.id,
                                                            DonorEmail.kind == kind))
    if already:
        return False
    db.session.add(DonorEmail(donation_id=donation.id, kind=kind))
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = donation.email
    message["Subject"] = subject
    # Rendered without the page context processors: jobs and webhooks have no request.
    message.set_content(current_app.jinja_env.get_template(template).render(donation=donation, **context))
    db.session.info.setdefault(OUTBOX_KEY, []).append((current_app._get_current_object(), kind, message))
    return True


def deliver(app, kind, message):
    smtp_url = app.config.get("SMTP_URL")
    if smtp_url:
        parts = urlsplit(smtp_url)
        with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=20) as smtp:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(parts.username, parts.password or "")
            smtp.send_message(message)
        return
    outbox = Path(app.config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{kind}.eml"
    (outbox / name).write_bytes(bytes(message))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session):
    for app, kind, message in session.info.pop(OUTBOX_KEY, []):
        try:
            deliver(app, kind, message)
        except Exception:  # a mail server down must not undo a committed gift
            log.exception("could not send the %s email to %s", kind, message["To"])


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop(OUTBOX_KEY, None)
