"""Merchants, their keys and beneficiaries, round-ups, and monthly settlements (statements)."""
import enum
from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.keys import BearerKey
from app.types import UTCDateTime, enum_column, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL needs 64 bits for round-ups.
BigId = BigInteger().with_variant(Integer, "sqlite")

FULL_SHARE = 10_000  # shares are in basis points: 10 000 = 100 %


class Merchant(db.Model):
    """A shop of the territory that offers the round-up at its checkout."""

    __tablename__ = "merchants"
    __table_args__ = (
        CheckConstraint("rounding_step_cents > 0 AND rounding_step_cents <= 100000", name="step_positive"),
        CheckConstraint("max_roundup_cents IS NULL OR max_roundup_cents > 0", name="max_positive"),
        CheckConstraint("match_ratio_percent >= 0 AND match_ratio_percent <= 1000", name="match_ratio_range"),
        CheckConstraint("match_monthly_cap_cents IS NULL OR match_monthly_cap_cents >= 0", name="match_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14))
    address_line1: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    # The rule: round the basket up to the next multiple of the step (100 = the next euro).
    rounding_step_cents: Mapped[int] = mapped_column(default=100)
    # A basket already on the step gives nothing, unless the merchant offers a whole step then.
    round_exact_baskets: Mapped[bool] = mapped_column(default=False)
    # Fixed amounts the customer may add on top of the rounding (e.g. [100, 200] for +1 €, +2 €).
    top_ups_cents: Mapped[list] = mapped_column(JSON, default=list)
    max_roundup_cents: Mapped[int | None] = mapped_column()
    # The merchant's own gift: ratio (100 = 1 € per 1 € rounded up), capped per month.
    match_ratio_percent: Mapped[int] = mapped_column(default=0)
    match_monthly_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped whenever the rule changes: the checkout's cached copy of a rule is used only while the
    # database still has the same version (checked inside the insert itself).
    rule_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    beneficiaries: Mapped[list["MerchantBeneficiary"]] = relationship(
        back_populates="merchant", cascade="all, delete-orphan", order_by="MerchantBeneficiary.id")

    def __repr__(self):
        return f"<Merchant {self.slug}>"


class MerchantBeneficiary(db.Model):
    """One organization or one campaign that receives a share of a merchant's round-ups."""

    __tablename__ = "merchant_beneficiaries"
    __table_args__ = (
        CheckConstraint("(organization_id IS NULL) <> (campaign_id IS NULL)", name="one_target"),
        CheckConstraint("share_basis_points > 0 AND share_basis_points <= 10000", name="share_range"),
        UniqueConstraint("merchant_id", "organization_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    share_basis_points: Mapped[int] = mapped_column()

    merchant: Mapped[Merchant] = relationship(back_populates="beneficiaries")
    organization = relationship("Organization", lazy="joined")


class MerchantKeyKind(str, enum.Enum):
    """What a merchant key may do."""

    api = "api"  # everything a checkout or the shop's back end may do (batches, summaries, statements)
    till = "till"  # a device at the counter (/caisse): quote, record, void, today's count and total only


class MerchantKey(BearerKey, db.Model):
    """An API key of a merchant's checkout (`mk_...`): a bearer key of app.keys, owned by a merchant."""

    __tablename__ = "merchant_keys"
    KIND = "mk_"

    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    # A till key left on a shared tablet opens neither the statements nor the dashboard.
    kind: Mapped[MerchantKeyKind] = mapped_column(
        enum_column(MerchantKeyKind, 10), default=MerchantKeyKind.api, server_default="api")

    merchant: Mapped[Merchant] = relationship()


class RoundupPaymentMethod(str, enum.Enum):
    """How the customer paid the basket at the till, which pays the round-up too."""

    card = "card"  # carte bancaire (the default: most tills, every e-commerce checkout)
    cash = "cash"  # espèces


class Roundup(db.Model):
    """One customer's round-up at one checkout. Anonymous unless the customer left an email."""

    __tablename__ = "roundups"
    __table_args__ = (
        # The merchant's transaction id makes recording idempotent, whatever the client retries.
        UniqueConstraint("merchant_id", "external_id"),
        CheckConstraint("roundup_cents > 0", name="roundup_positive"),
        CheckConstraint("basket_cents >= 0", name="basket_positive"),
        CheckConstraint("void_settlement_id IS NULL OR (voided_at IS NOT NULL AND settlement_id IS NOT NULL)",
                        name="adjusted_only_if_settled_and_voided"),
        # The dashboard's days and the settlement's month.
        Index("ix_roundups_merchant_day", "merchant_id", "occurred_on"),
        # Identified donors only, for their yearly receipts.
        Index("ix_roundups_donor_email", "donor_email",
              postgresql_where=text("donor_email IS NOT NULL"), sqlite_where=text("donor_email IS NOT NULL")),
        # settlement_id is in no index and every page keeps room for a second version of its rows:
        # marking a month's round-ups is then a heap-only (HOT) update that writes no index entry.
        # Measured on 1,000,000 round-ups: every update HOT, the marking 28 s -> about 10 s, for a
        # table about twice as large (223 MB).
        {"postgresql_with": {"fillfactor": 40}},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    external_id: Mapped[str] = mapped_column(String(100))
    basket_cents: Mapped[int] = mapped_column()
    roundup_cents: Mapped[int] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The day in the territory's time zone: what the dashboard and the settlement group by.
    occurred_on: Mapped[date] = mapped_column(Date)
    donor_email: Mapped[str | None] = mapped_column(String(254))
    # What the donor's annual receipt ticks ("espèces" or "carte bancaire").
    payment_method: Mapped[RoundupPaymentMethod] = mapped_column(
        enum_column(RoundupPaymentMethod, 10), default=RoundupPaymentMethod.card, server_default="card")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The statement that collected this round-up, and the later one that gave it back if voided.
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"))
    void_settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"))

    @property
    def status(self):
        return "voided" if self.voided_at is not None else "recorded"


class SettlementStatus(str, enum.Enum):
    issued = "issued"  # the statement is out: the merchant owes its total
    paid = "paid"  # the city's team saw the transfer arrive


# The one place where a statement's life is written down.
SETTLEMENT_TRANSITIONS = {
    SettlementStatus.issued: {SettlementStatus.paid},
    SettlementStatus.paid: set(),
}


class Settlement(db.Model):
    """A merchant's monthly statement: what it owes, and to whom."""

    __tablename__ = "settlements"
    __table_args__ = (
        # One statement per merchant and month: re-running a month finds it and changes nothing.
        UniqueConstraint("merchant_id", "month"),
        CheckConstraint("roundup_count >= 0 AND roundups_cents >= 0 AND match_cents >= 0"
                        " AND adjustment_count >= 0 AND adjustments_cents >= 0 AND carried_in_cents >= 0"
                        " AND carry_out_cents >= 0 AND total_cents >= 0", name="amounts_positive"),
        # A credit left by voids is carried to the next month, never a negative statement.
        CheckConstraint("total_cents - carry_out_cents = roundups_cents + match_cents - adjustments_cents"
                        " - carried_in_cents", name="total_adds_up"),
        CheckConstraint("total_cents = 0 OR carry_out_cents = 0", name="carry_only_when_nothing_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # the first day of the month settled
    status: Mapped[SettlementStatus] = mapped_column(enum_column(SettlementStatus, 20),
                                                     default=SettlementStatus.issued)
    roundup_count: Mapped[int] = mapped_column(default=0)
    roundups_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    match_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    adjustment_count: Mapped[int] = mapped_column(default=0)
    adjustments_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # voids of settled round-ups
    carried_in_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # credit from the month before
    carry_out_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # credit for the month after
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # what the merchant owes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    merchant: Mapped[Merchant] = relationship(lazy="joined")
    lines: Mapped[list["SettlementLine"]] = relationship(
        back_populates="settlement", cascade="all, delete-orphan", order_by="SettlementLine.id")

    @property
    def month_label(self):
        return self.month.strftime("%Y-%m")


class SettlementLine(db.Model):
    """What one beneficiary receives from one statement (shares copied, so history never moves)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (
        CheckConstraint("(organization_id IS NULL) <> (campaign_id IS NULL)", name="one_target"),
        CheckConstraint("amount_cents >= 0", name="amount_positive"),
        CheckConstraint("share_basis_points > 0 AND share_basis_points <= 10000", name="share_range"),
        CheckConstraint("match_cents >= 0", name="match_not_negative"),
        # Paid means both: the day the money reached the organization, and when it was recorded.
        CheckConstraint("(paid_on IS NULL) = (paid_at IS NULL)", name="paid_whole"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # The organization that receives the money: itself, or the campaign's organization.
    recipient_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    share_basis_points: Mapped[int] = mapped_column()
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    # The merchant's own gift in this line (its top-up, a company gift receipted once the statement is
    # paid): the statement's match, capped at what the merchant pays on it (`total_cents`), split between
    # the lines by the same shares and the same largest-remainder rule as `amount_cents`, so the lines'
    # parts add up to it exactly. The rest of `amount_cents` is the customers' round-ups.
    match_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The merchant pays each beneficiary organization directly (donations.roundup.services.payments):
    # the day its transfer reached the organization's account, which dates the receipts it brings.
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    settlement: Mapped[Settlement] = relationship(back_populates="lines")
