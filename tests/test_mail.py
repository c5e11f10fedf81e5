"""Emails leave only when the transaction that caused them commits."""
import email
from pathlib import Path

from app.extensions import db
from app.mail import make_message, send_after_commit


def outbox(app):
    return sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def test_a_message_queued_in_a_transaction_is_written_once_it_commits(app):
    before = outbox(app)
    with app.app_context():
        send_after_commit(db.session, make_message(
            "donatrice@example.org", "Merci pour votre don", "Merci !",
            attachments=[("recu-2026-000001.pdf", b"%PDF-1.7 test", "application/pdf")]))
        assert outbox(app) == before
        db.session.commit()
    [written] = [path for path in outbox(app) if path not in before]
    message = email.message_from_bytes(written.read_bytes())
    assert message["To"] == "donatrice@example.org"
    assert message["Subject"] == "Merci pour votre don"
    assert [part.get_filename() for part in message.walk() if part.get_filename()] == ["recu-2026-000001.pdf"]


def test_a_rolled_back_transaction_sends_nothing(app):
    before = outbox(app)
    with app.app_context():
        send_after_commit(db.session, make_message("x@example.org", "Jamais", "Jamais envoyé"))
        db.session.rollback()
        db.session.commit()
    assert outbox(app) == before
