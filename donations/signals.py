"""Signals by which donations tell the receipts package what happened to a gift.

Receivers run inside the sender's database transaction: they may add rows to the same session
(for example a row in the receipts' issuing queue) but must not commit.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Donation, which has just become `succeeded` (Stripe's word, or an offline gift recorded).
gift_succeeded = _signals.signal("gift-succeeded")

# sender: the Donation after a refund; kwargs: refunded_cents (this refund), remaining_cents (what is
# left of the gift after it). A receipt for it is cancelled, and reissued for the remainder if any.
gift_refunded = _signals.signal("gift-refunded")

# A question, not news: sender the Organization; kwargs: donation_ids. The receipts package answers
# {donation id: ["YYYY-NNNNNN", ...]}, the numbers of the receipts (not cancelled) covering those gifts,
# so that a payout's lines name the receipts of their gifts (donations.services.payouts).
receipts_of_gifts = _signals.signal("receipts-of-gifts")

# sender: the round-up Settlement (a merchant's monthly statement), just marked paid: the money of all
# its lines has arrived (each line also sent `settlement_line_paid` when it was paid). The merchant's
# own top-up (`match_cents`, split on the statement's lines) is a company gift
# to each beneficiary organization, which the receipts package receipts (Cerfa 16216).
settlement_paid = _signals.signal("settlement-paid")

# sender: a SettlementLine of a round-up statement, just marked paid (`paid_on`): the merchant's transfer
# to that line's organization arrived. The merchant's top-up on the line (`match_cents`) is receipted,
# dated that day; the line's round-ups count for donors' annual receipts from then on.
settlement_line_paid = _signals.signal("settlement-line-paid")
