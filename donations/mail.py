"""Donor emails: queued inside the transaction, sent only once it commits (app.mail).

The `DonorEmail` row (unique per gift and kind) keeps a replayed event from mailing the donor twice.
"""
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.mail import make_message, send_after_commit
from donations.models import DonorEmail


def queue_donor_email(donation, kind, subject, template, **context) -> bool:
    """Queue `template` (text) for the donor of `donation`, once per gift and `kind`."""
    if not donation.email:
        return False
    already = db.session.scalar(select(DonorEmail.id).where(DonorEmail.donation_id == donation.id,
                                                            DonorEmail.kind == kind))
    if already:
        return False
    db.session.add(DonorEmail(donation_id=donation.id, kind=kind))
    # Rendered without the page context processors: jobs and webhooks have no request.
    body = current_app.jinja_env.get_template(template).render(donation=donation, **context)
    send_after_commit(db.session, make_message(donation.email, subject, body))
    return True
