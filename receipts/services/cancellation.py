"""Cancelling a receipt: the only change a receipt ever undergoes, by its transition table."""
from app.errors import InvalidInput, InvalidTransition
from app.extensions import db
from app.types import utcnow
from receipts.models import RECEIPT_TRANSITIONS, ReceiptStatus


def cancel_receipt(receipt, reason, by):
    """Mark `receipt` cancelled with its reason; its number stays taken and its PDF unchanged."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput("say why the receipt is cancelled", "reason")
    if ReceiptStatus.cancelled not in RECEIPT_TRANSITIONS[receipt.status]:
        raise InvalidTransition(f"receipt {receipt.number} is already {receipt.status.value}", "status")
    receipt.status = ReceiptStatus.cancelled
    receipt.cancel_reason = reason[:2000]
    receipt.cancelled_at = utcnow()
    receipt.cancelled_by = (by or "")[:254]
    db.session.flush()
    return receipt
