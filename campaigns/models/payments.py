"""Partners' payments: the day a partner's match or grant money actually arrived.

A partner pledges (a match pledge, a grant agreement) long before it pays; a receipt attests money
received, so it is issued for a payment, not for a pledge. The design, kept exact to the cent:

- one `PartnerPayment` row per transfer, cheque or direct debit received, idempotent on
  `(partner, reference)`;
- one `PartnerPaymentContribution` row per ledger line (a match or a grant of that partner on that
  campaign) the payment covers, with the cents it covers: a payment may cover many lines, and a line
  may be paid by several partial payments; a payment's lines add up to its amount;
- `Contribution.paid_cents`, the running sum of a line's allocations, which a CHECK keeps within the
  line's amount: no line is paid twice over, whatever the code above does.

What is owed on a line is `amount - reversed - paid`. A match reversed by a refund after it was paid
is not handled (the partner overpaid; that is settled between the partner and the organization).
"""
import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, enum_column, utcnow
from campaigns.models.campaigns import Campaign
from campaigns.models.organizations import Partner


class PartnerPaymentMethod(str, enum.Enum):
    transfer = "transfer"  # virement
    cheque = "cheque"  # chèque
    direct_debit = "direct_debit"  # prélèvement


class PartnerPayment(db.Model):
    """Money a partner paid for its matches and grants on one campaign, on the day it was received."""

    __tablename__ = "partner_payments"
    __table_args__ = (
        # A retried request (same reference) records the payment once.
        UniqueConstraint("partner_id", "reference", name="uq_partner_payments_reference"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)  # the day the money reached the organization
    method: Mapped[PartnerPaymentMethod] = mapped_column(enum_column(PartnerPaymentMethod, 20))
    reference: Mapped[str] = mapped_column(String(200))  # the bank's or the cheque's reference
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)
    campaign: Mapped[Campaign] = relationship(lazy="joined", innerjoin=True)
    contributions: Mapped[list["PartnerPaymentContribution"]] = relationship(
        lazy="selectin", order_by="PartnerPaymentContribution.contribution_id")


class PartnerPaymentContribution(db.Model):
    """The cents of one match or grant that one payment covers."""

    __tablename__ = "partner_payment_contributions"
    __table_args__ = (CheckConstraint("amount_cents > 0", name="amount_positive"),)

    payment_id: Mapped[int] = mapped_column(ForeignKey("partner_payments.id"), primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id"), primary_key=True, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
