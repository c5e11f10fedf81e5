"""Cancelling a receipt: the only change a receipt ever undergoes, by its transition table.

A cancelled receipt keeps its number and its PDF as issued; a second PDF, the same receipt with an
"ANNULÉ" mark (date, reason, the replacing number), is rendered once and is what downloads return
from then on. The donor is told by email once the cancelling transaction commits.
"""
import hashlib
from dataclasses import fields

from flask import current_app

from app.errors import InvalidInput
from app.extensions import db
from app.formatting import format_day
from app.mail import make_message, send_after_commit
from app.states import Repeat, move_to
from app.types import utcnow
from receipts.models import RECEIPT_TRANSITIONS, Receipt, ReceiptStatus
from receipts.services import documents, links
from receipts.services.issuing import ReceiptDraft
from receipts.services.pdf import render_pdf

METHOD_OF_WORDS = {words: method for method, words in documents.PAYMENT_WORDS.items()}


def cancel_receipt(receipt: Receipt, reason: str, by: str, *, mark: bool = True) -> Receipt:
    """Mark `receipt` cancelled with its reason; its number stays taken and its PDF unchanged.

    With `mark` (the default) the cancelled copy is rendered now; a correction that issues a
    replacement passes False and calls `mark_cancelled` once the replacement has its number.
    """
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput("say why the receipt is cancelled", "reason")
    move_to(receipt, ReceiptStatus.cancelled, RECEIPT_TRANSITIONS, what=f"receipt ({receipt.number})",
            repeat=Repeat.REFUSE)
    receipt.cancel_reason = reason[:2000]
    receipt.cancelled_at = utcnow()
    receipt.cancelled_by = (by or "")[:254]
    db.session.flush()
    if mark:
        mark_cancelled(receipt)
    return receipt


def issued_draft(receipt: Receipt) -> ReceiptDraft:
    """The draft a stored receipt was issued from, as far as its PDF shows it: to render it again."""
    draft = ReceiptDraft(
        organization=receipt.organization, source_key=receipt.source_key, kind=receipt.kind,
        donor_type=receipt.donor_type, donor=dict(receipt.donor), gift_cents=receipt.gift_cents,
        counterpart_cents=receipt.counterpart_cents, roundup_cents=receipt.roundup_cents, paid_on=receipt.paid_on,
        gift_year=receipt.gift_year,
        payment_methods=[METHOD_OF_WORDS[w] for w in receipt.payment_method.split(", ") if w in METHOD_OF_WORDS],
        gifts=[(gift.donation_id, gift.amount_cents) for gift in receipt.gifts], replaces=receipt.replaces)
    # Any other receipt the draft refers to (a complementary receipt's first one...) is the row's own link.
    for name in (f.name for f in fields(ReceiptDraft)):
        linked = getattr(receipt, name, None)
        if name != "replaces" and isinstance(linked, Receipt):
            setattr(draft, name, linked)
    return draft


def mark_cancelled(receipt: Receipt, replacement_number: str | None = None) -> Receipt:
    """Render and store, once, the cancelled copy of `receipt`, and tell the donor after the commit."""
    if receipt.status is not ReceiptStatus.cancelled or receipt.cancelled_pdf_sha256:
        return receipt
    if replacement_number is None and receipt.replaced_by_id is not None:
        replacement_number = db.session.get(Receipt, receipt.replaced_by_id).number
    document = documents.build_document(receipt, issued_draft(receipt))
    document["cancelled"] = {"on": format_day(receipt.cancelled_at), "reason": receipt.cancel_reason,
                             "replacement": replacement_number}
    pdf = render_pdf(document)
    receipt.cancelled_pdf = pdf
    receipt.cancelled_pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    db.session.flush()
    _tell_donor(receipt, replacement_number)
    return receipt


def _tell_donor(receipt: Receipt, replacement_number: str | None) -> None:
    if not receipt.donor_email:
        return  # a partner's receipt is handed over by the finance officer
    link = links.public_url(f"/recus/{links.donor_token(receipt.organization_id, receipt.donor_email)}")
    body = current_app.jinja_env.get_template("receipts/email_cancelled.txt").render(
        receipt=receipt, cancelled_on=format_day(receipt.cancelled_at), replacement=replacement_number, link=link)
    subject = f"Votre reçu fiscal n° {receipt.number} est annulé — {receipt.organization.name}"
    send_after_commit(db.session, make_message(
        receipt.donor_email, subject, body,
        attachments=[(f"recu-{receipt.number}-annule.pdf", receipt.cancelled_pdf, "application/pdf")]))
