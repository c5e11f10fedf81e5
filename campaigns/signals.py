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

# sender: the grant's Contribution (source `grant`, with its partner), just recorded. The receipts
# package issues a company receipt (Cerfa 16216) when the partner is a company.
partner_grant_recorded = _signals.signal("partner-grant-recorded")
