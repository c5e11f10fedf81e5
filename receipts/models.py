"""Tax receipts, their per-year counters and the issuing queue.

A receipt is a frozen legal document: once issued, only its cancellation may change it (status,
reason, date, who, and the replacement it points to). Its number is never reused.
"""
import enum
from datetime import date, datetime

from sqlalchemy import (BigInteger, CheckConstraint, Date, ForeignKey, Integer, JSON, LargeBinary, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, enum_column, utcnow


class ReceiptKind(str, enum.Enum):
    single = "single"  # one gift, dated
    annual = "annual"  # every gift of a donor to an organization over a calendar year ("cumul 2026")


class ReceiptStatus(str, enum.Enum):
    issued = "issued"  # valid, handed to the donor
    cancelled = "cancelled"  # kept with its number and reason; a correction is a new receipt


# The receipt's whole state machine: a cancelled receipt stays cancelled.
RECEIPT_TRANSITIONS = {
    ReceiptStatus.issued: {ReceiptStatus.cancelled},
    ReceiptStatus.cancelled: set(),
}

ARTICLES = ("200", "238 bis", "978")


class ReceiptCounter(db.Model):
    """The last sequence given per organization and calendar year; locked by every issuing transaction."""

    __tablename__ = "receipt_counters"
    __table_args__ = (CheckConstraint("last_sequence >= 0", name="non_negative"),)

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(db.Model):
    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("organization_id", "year", "sequence", name="uq_receipts_sequence"),
        UniqueConstraint("organization_id", "number", name="uq_receipts_number"),
        # What the receipt was issued for (a gift, a donor's year, the receipt it replaces): the
        # database refuses a second receipt for the same thing, whoever retries.
        UniqueConstraint("organization_id", "source_key", name="uq_receipts_source_key"),
        CheckConstraint("sequence > 0", name="positive_sequence"),
        CheckConstraint("amount_cents > 0", name="positive_amount"),
        CheckConstraint("counterpart_cents >= 0 AND gift_cents = amount_cents + counterpart_cents",
                        name="amount_is_gift_minus_counterpart"),
        CheckConstraint("article IN ('200', '238 bis', '978')", name="known_article"),
        CheckConstraint("donor_type IN ('individual', 'company')", name="known_donor_type"),
        CheckConstraint("(kind = 'single' AND paid_on IS NOT NULL) OR (kind = 'annual' AND gift_year IS NOT NULL)",
                        name="dated"),
        CheckConstraint("status = 'issued' OR (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL)",
                        name="cancellation_explained"),
        CheckConstraint("length(pdf_sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(11))  # YYYY-NNNNNN
    kind: Mapped[ReceiptKind] = mapped_column(enum_column(ReceiptKind, 10))
    donor_type: Mapped[str] = mapped_column(String(10))
    form_number: Mapped[str] = mapped_column(String(10))  # Cerfa 11580 or 16216
    form_version: Mapped[str] = mapped_column(String(4))
    article: Mapped[str] = mapped_column(String(10))
    source_key: Mapped[str] = mapped_column(String(120))
    # Gross gifts, the fair value of rewards received in return, and what earns the reduction.
    gift_cents: Mapped[int] = mapped_column(BigInteger)
    counterpart_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    roundup_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # part of gift_cents given at checkout
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)  # single receipts: when the money arrived
    gift_year: Mapped[int | None] = mapped_column(Integer)  # annual receipts: "cumul <year>"
    # A merchant's monthly top-up: the period of the gifts it attests (the statement's month).
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    payment_method: Mapped[str] = mapped_column(String(120))  # French words as printed
    donor_name: Mapped[str] = mapped_column(String(300))
    donor_email: Mapped[str] = mapped_column(String(254), default="", index=True)
    donor: Mapped[dict] = mapped_column(JSON)  # frozen copy of the donor block as printed
    beneficiary: Mapped[dict] = mapped_column(JSON)  # frozen copy of the beneficiary block
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ReceiptStatus] = mapped_column(enum_column(ReceiptStatus, 10), default=ReceiptStatus.issued)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[str | None] = mapped_column(String(254))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), unique=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), unique=True)
    # A complementary annual receipt (money of the year received after the year's receipt was issued)
    # refers to the donor's first annual receipt of that year.
    complements_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    # Set when the retention period ended (LPF art. L102 B) and the donor block and PDF were erased.
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_token: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # Once cancelled: the same receipt rendered again with its "ANNULÉ" mark (date, reason, replacement),
    # once, in the cancelling transaction; what every download returns afterwards. `pdf` stays as issued.
    cancelled_pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    cancelled_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    organization = relationship("Organization", lazy="joined")
    gifts = relationship("ReceiptGift", lazy="selectin", order_by="ReceiptGift.donation_id")
    replaces = relationship("Receipt", foreign_keys=[replaces_id], remote_side=[id], lazy="select")
    replaced_by = relationship("Receipt", foreign_keys=[replaced_by_id], remote_side=[id], lazy="select")
    complements = relationship("Receipt", foreign_keys=[complements_id], remote_side=[id], lazy="select")

    def __repr__(self):
        return f"<Receipt {self.number} {self.status.value}>"

    @property
    def download(self) -> tuple[bytes, str]:
        """(PDF, SHA-256) a download returns: the marked copy once cancelled, else the receipt as issued."""
        if self.cancelled_pdf_sha256:
            return self.cancelled_pdf, self.cancelled_pdf_sha256
        return self.pdf, self.pdf_sha256

    @property
    def period_label(self) -> str | None:
        return f"cumul {self.gift_year}" if self.kind is ReceiptKind.annual else None


class ReceiptGift(db.Model):
    """A gift covered by a receipt, with the part of it that earns the reduction."""

    __tablename__ = "receipt_gifts"
    __table_args__ = (CheckConstraint("amount_cents >= 0", name="non_negative_amount"),)

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id"), primary_key=True, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class RequestAction(str, enum.Enum):
    issue = "issue"  # a gift succeeded, a partner's payment or a merchant's top-up arrived: its single receipt
    refund = "refund"  # a gift was refunded: cancel its receipt, reissue for what remains


class ReceiptRequest(db.Model):
    """The issuing queue, written in the gift's (or the grant's) own transaction and consumed by a job.

    A row is marked processed in the same transaction as the receipt it produced, so a job killed
    half-way leaves the row pending and the next run does the work once.
    """

    __tablename__ = "receipt_requests"
    __table_args__ = (
        UniqueConstraint("key", name="uq_receipt_requests_key"),
        # A row is about exactly one thing: a gift, a partner's grant (rows queued before partners'
        # payments were recorded), a partner's payment, or a merchant's top-up on a statement line.
        CheckConstraint("(CASE WHEN donation_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN contribution_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN partner_payment_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN settlement_line_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    action: Mapped[RequestAction] = mapped_column(enum_column(RequestAction, 10))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("donations.id"), index=True)
    contribution_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id"), index=True)
    partner_payment_id: Mapped[int | None] = mapped_column(ForeignKey("partner_payments.id"), index=True)
    settlement_line_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_lines.id"), index=True)
    # A company partner's receipt waits for the partner's SIREN (released when it is recorded).
    waiting_for_partner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # All-or-nothing gifts and grants wait for their campaign to succeed before their receipt is issued.
    waiting_for_campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(200))
    # A row whose processing raised (not a passing database error) is set aside with the error, so
    # that the queue goes on; an administrator retries it once the cause is fixed.
    set_aside_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(1000))


class RoundupDonor(db.Model):
    """The name and address a round-up donor (who gave only an email at checkout) completed through
    the signed link we sent; their annual receipt is issued only once this exists."""

    __tablename__ = "roundup_donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(120))
    last_name: Mapped[str] = mapped_column(String(120))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(80), default="France")
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
