"""Partners' monthly calls for funds: what a partner is asked to transfer to an organization.

A partner's matches and grants on a campaign are promises (`Contribution` rows of source match or
grant) until its payment is recorded (`PartnerPayment`). Once a month, each partner with something
owed on a campaign gets a call for funds: the amount owed at the end of the month (what was owed
before it, plus the month's new matches and grants), the organization's bank details and a
structured reference (ISO 11649) derived from the call's id. The amounts are frozen when the call is
issued: the document sent never changes. Marking it received records a `PartnerPayment` with the
call's reference, through the one partner-payment service, so that receipts follow as for any payment.
"""
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, utcnow
from campaigns.models.campaigns import Campaign
from campaigns.models.organizations import Partner
from campaigns.models.payments import PartnerPayment


class CallForFunds(db.Model):
    """One partner's call for funds on one campaign for one month."""

    __tablename__ = "calls_for_funds"
    __table_args__ = (
        # Issuing a month again finds the call and changes nothing.
        UniqueConstraint("partner_id", "campaign_id", "month", name="uq_calls_for_funds_month"),
        CheckConstraint("earlier_cents >= 0 AND month_cents >= 0", name="parts_not_negative"),
        CheckConstraint("amount_cents = earlier_cents + month_cents AND amount_cents > 0", name="amount_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month called
    earlier_cents: Mapped[int] = mapped_column(BigInteger)  # still owed from before the month
    month_cents: Mapped[int] = mapped_column(BigInteger)  # the month's matches and grants, net of reversals
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # what the partner is asked to transfer
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The payment recorded when the money arrived (its reference is the call's).
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("partner_payments.id"), unique=True)

    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)
    campaign: Mapped[Campaign] = relationship(lazy="joined", innerjoin=True)
    payment: Mapped[PartnerPayment | None] = relationship(lazy="joined")

    @property
    def month_label(self):
        return self.month.strftime("%Y-%m")
