"""Signals by which the round-up tells higher packages (receipts) what happened.

Receivers run inside the sender's database transaction: they may add rows to the same session but
must not commit.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Roundup, voided after the statement that collected it (kwarg settlement_id). The money
# comes back as an adjustment on the merchant's next statement; a yearly receipt must leave it out.
roundup_voided_after_settlement = _signals.signal("roundup-voided-after-settlement")
