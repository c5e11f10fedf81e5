"""Signals by which campaigns tell higher packages (donations, receipts) what happened.

Receivers run inside the sender's database transaction: they may add rows to the same session
(a queue row, a status change) but must not commit.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Campaign, which has just moved to `succeeded` (its goal reached at the end date, or a
# keep-it-all campaign ended). Receipts for all-or-nothing gifts are issued from here.
campaign_succeeded = _signals.signal("campaign-succeeded")

# sender: the Campaign, which has just moved to `failed`. All-or-nothing gifts are refunded.
campaign_failed = _signals.signal("campaign-failed")

# sender: the PartnerPayment just recorded (money a partner paid for its matches and grants on a
# campaign, received on `received_on`). The receipts package issues one company receipt (Cerfa 16216)
# for it when the partner is a company; a pledge or a grant agreement alone earns none.
partner_payment_recorded = _signals.signal("partner-payment-recorded")

# sender: the Partner whose SIREN has just been recorded. Receipts that waited for it may be issued.
partner_siren_recorded = _signals.signal("partner-siren-recorded")
