"""Merchants' SEPA Direct Debit mandates, and the debits that collect their statements with them.

A merchant signs one mandate per beneficiary organization: the organization is the creditor and
collects, on its own Stripe account, what each statement owes it. The mandate lives at Stripe (a
Customer for the merchant and a `sepa_debit` PaymentMethod on the organization's account); the row
keeps its ids, the acceptance and the last four digits of the IBAN, never the IBAN.
"""
import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, enum_column, utcnow


class MerchantMandate(db.Model):
    """A merchant's SEPA Direct Debit mandate in favour of one organization (active until revoked)."""

    __tablename__ = "merchant_mandates"
    __table_args__ = (
        # One live mandate per merchant and organization; revoked ones stay as history.
        Index("uq_merchant_mandates_active", "merchant_id", "organization_id", unique=True,
              postgresql_where=text("revoked_at IS NULL"), sqlite_where=text("revoked_at IS NULL")),
        CheckConstraint("length(iban_last4) = 4", name="last4"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The organization's connected account at signing: the customer and payment method live there.
    stripe_account_id: Mapped[str] = mapped_column(String(255))
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    stripe_payment_method_id: Mapped[str] = mapped_column(String(255))
    stripe_setup_intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    # The mandate reference the merchant's bank shows with each debit (Stripe's), and Stripe's mandate id.
    mandate_reference: Mapped[str] = mapped_column(String(100))
    stripe_mandate_id: Mapped[str | None] = mapped_column(String(255))
    account_holder: Mapped[str] = mapped_column(String(70))
    email: Mapped[str] = mapped_column(String(254))
    iban_last4: Mapped[str] = mapped_column(String(4))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_ip: Mapped[str] = mapped_column(String(45), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    merchant = relationship("Merchant")
    organization = relationship("Organization", lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class DebitStatus(str, enum.Enum):
    processing = "processing"  # the PaymentIntent is created; the merchant's bank has not answered yet
    succeeded = "succeeded"  # the money reached the organization's account: its lines are paid
    failed = "failed"  # the bank refused (or Stripe did): the lines stay due


class StatementDebit(db.Model):
    """One SEPA debit collecting what one statement owes one organization (at most one per pair: a
    failed debit is not retried by itself, the treasurer marks a transfer by hand instead)."""

    __tablename__ = "statement_debits"
    __table_args__ = (
        UniqueConstraint("settlement_id", "organization_id"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("(status = 'failed') = (failure_reason IS NOT NULL)", name="failed_has_reason"),
        CheckConstraint("(status = 'processing') = (settled_at IS NULL)", name="settled_when_answered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("merchant_mandates.id"), index=True)
    amount_cents: Mapped[int] = mapped_column()
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[DebitStatus] = mapped_column(enum_column(DebitStatus, 20), default=DebitStatus.processing)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    settlement = relationship("Settlement")
    organization = relationship("Organization", lazy="joined")
    mandate = relationship(MerchantMandate)
