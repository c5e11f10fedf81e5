"""Cancelling a receipt: the only change a receipt ever undergoes, by its transition table."""
from app.errors import InvalidInput
from app.extensions import db
from app.states import Repeat, move_to
from app.types import utcnow
from receipts.models import RECEIPT_TRANSITIONS, Receipt, ReceiptStatus


def cancel_receipt(receipt: Receipt, reason: str, by: str) -> Receipt:
    """Mark `receipt` cancelled with its reason; its number stays taken and its PDF unchanged."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput("say why the receipt is cancelled", "reason")
    move_to(receipt, ReceiptStatus.cancelled, RECEIPT_TRANSITIONS, what=f"receipt ({receipt.number})",
            repeat=Repeat.REFUSE)
    receipt.cancel_reason = reason[:2000]
    receipt.cancelled_at = utcnow()
    receipt.cancelled_by = (by or "")[:254]
    db.session.flush()
    return receipt
