"""Corrections after a refund: the receipt covering the gift is cancelled and, if money remains,
replaced by a new receipt (a new number) that refers to it. Single and annual receipts alike."""
from sqlalchemy import select

from app.extensions import db
from app.money import format_eur
from donations.models import Donation
from receipts.models import Receipt, ReceiptGift, ReceiptKind, ReceiptStatus
from receipts.services.annual import annual_replacement_draft
from receipts.services.cancellation import cancel_receipt, mark_cancelled
from receipts.services.eligibility import eligible_cents
from receipts.services.issuing import issue_receipts, single_draft


def receipt_covering(donation_id: int) -> Receipt | None:
    """The valid receipt (single or annual) that covers this gift today, if any."""
    return db.session.scalar(
        select(Receipt).join(ReceiptGift, ReceiptGift.receipt_id == Receipt.id)
        .where(ReceiptGift.donation_id == donation_id, Receipt.status == ReceiptStatus.issued))


def correct_after_refund(donation: Donation, renderer=None) -> tuple[str, list[Receipt]]:
    """Bring the gift's receipt to what the gift now is; returns the outcome and the receipts issued.

    Nothing changes when the receipt already states the eligible amount (a replayed refund).
    """
    receipt = receipt_covering(donation.id)
    if receipt is None:
        return "no receipt to correct", []
    now = eligible_cents(donation)
    covered = next(g.amount_cents for g in receipt.gifts if g.donation_id == donation.id)
    if now == covered:
        return f"{receipt.number} already matches the gift", []
    kept = donation.amount_cents - donation.refunded_cents
    reason = (f"don remboursé en partie ({format_eur(donation.refunded_cents)} rendus)" if kept
              else "don intégralement remboursé")
    # The cancelled copy names its replacement: it is rendered once the replacement has its number.
    cancel_receipt(receipt, reason, by="remboursement", mark=False)
    if receipt.kind is ReceiptKind.single:
        draft = single_draft(donation, replaces=receipt) if now > 0 else None
    else:
        draft = annual_replacement_draft(receipt)
    if draft is None:
        mark_cancelled(receipt)
        return f"cancelled {receipt.number}", []
    replacement = issue_receipts([draft], renderer=renderer)
    mark_cancelled(receipt, replacement[0].number)
    return f"cancelled {receipt.number}, replaced by {replacement[0].number}", replacement
