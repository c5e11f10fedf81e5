"""Outgoing email: SMTP when SMTP_URL is set, else one .eml file per message in OUTBOX_DIR.

Messages about something a transaction did are queued with `send_after_commit`: they leave only
once that transaction has committed, and never for one that rolled back.
"""
import logging
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
QUEUE_KEY = "solidaire.mail.after_commit"


def make_message(to, subject, body, *, attachments=(), sender=None):
    """A plain-text message; `attachments` are (filename, bytes, mime type) tuples."""
    message = EmailMessage()
    message["From"] = sender or current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, data, mime_type in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def deliver(app, message):
    """Send now. Returns the outbox file written, or None when it went through SMTP.

    SMTP_URL: `smtp://host:25`, `smtp+starttls://user:password@host:587`.
    """
    smtp_url = app.config.get("SMTP_URL")
    if smtp_url:
        parts = urlsplit(smtp_url)
        with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=20) as smtp:
            if parts.scheme == "smtp+starttls":
                smtp.starttls()
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
        return None
    outbox = Path(app.config["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    recipient = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in str(message["To"]))[:80]
    path = outbox / f"{time.time_ns()}-{recipient}.eml"
    path.write_bytes(bytes(message))
    return path


def send_after_commit(session, message):
    """Queue `message` on `session`; it is delivered when the session's transaction commits."""
    session.connection()  # begin the transaction now, so that a rollback of it drops the message
    session.info.setdefault(QUEUE_KEY, []).append((current_app._get_current_object(), message))


@event.listens_for(Session, "after_commit")
def _deliver_queued(session):
    for app, message in session.info.pop(QUEUE_KEY, []):
        try:
            deliver(app, message)
        except Exception:  # a mail server down must not undo what was committed
            log.exception("could not send %r to %s", message["Subject"], message["To"])


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session, previous_transaction):
    # Any rollback of the whole transaction (even one that had not reached the database) drops the
    # queue; a savepoint rolled back inside it does not.
    if not previous_transaction.nested:
        session.info.pop(QUEUE_KEY, None)
