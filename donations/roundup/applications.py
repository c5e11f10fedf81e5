"""Shops' applications to join the round-up (/devenir-commercant), waiting for the town's decision."""
import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, enum_column, utcnow


class ApplicationStatus(str, enum.Enum):
    pending = "pending"  # waiting for the town
    approved = "approved"  # the merchant exists, its contact is invited
    refused = "refused"  # with a reason, emailed to the contact


# The one place where an application's life is written down: a decision is final.
APPLICATION_TRANSITIONS = {
    ApplicationStatus.pending: {ApplicationStatus.approved, ApplicationStatus.refused},
    ApplicationStatus.approved: set(),
    ApplicationStatus.refused: set(),
}


class MerchantApplication(db.Model):
    """What a shop asked for: who it is, whom it gives to, its rule, and the charter it accepted."""

    __tablename__ = "merchant_applications"
    __table_args__ = (
        CheckConstraint("rounding_step_cents > 0 AND rounding_step_cents <= 100000", name="step_positive"),
        CheckConstraint("max_roundup_cents IS NULL OR max_roundup_cents > 0", name="max_positive"),
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_when_not_pending"),
        CheckConstraint("status <> 'approved' OR merchant_id IS NOT NULL", name="approved_has_merchant"),
        CheckConstraint("status <> 'refused' OR refusal_reason <> ''", name="refused_has_reason"),
        # One application waiting per shop: sending the form twice does not queue it twice.
        Index("uq_merchant_applications_pending_siret", "siret", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus, 20),
                                                      default=ApplicationStatus.pending)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14))
    address_line1: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(20))
    # The rule, as the API takes it (donations.roundup.schemas.MerchantIn).
    rounding_step_cents: Mapped[int] = mapped_column(default=100)
    round_exact_baskets: Mapped[bool] = mapped_column(default=False)
    top_ups_cents: Mapped[list] = mapped_column(JSON, default=list)
    max_roundup_cents: Mapped[int | None] = mapped_column()
    # The charter as it read when the shop accepted it (MERCHANT_CHARTER may change later).
    charter_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))

    beneficiaries: Mapped[list["ApplicationBeneficiary"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationBeneficiary.id")
    merchant = relationship("Merchant")
    decided_by = relationship("User")


class ApplicationBeneficiary(db.Model):
    """One organization or campaign the shop wants to give to, with its share (basis points)."""

    __tablename__ = "merchant_application_beneficiaries"
    __table_args__ = (
        CheckConstraint("(organization_id IS NULL) <> (campaign_id IS NULL)", name="one_target"),
        CheckConstraint("share_basis_points > 0 AND share_basis_points <= 10000", name="share_range"),
        UniqueConstraint("application_id", "organization_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("merchant_applications.id", ondelete="CASCADE"),
                                                index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    share_basis_points: Mapped[int] = mapped_column()

    application: Mapped[MerchantApplication] = relationship(back_populates="beneficiaries")
    organization = relationship("Organization", lazy="joined")
    campaign = relationship("Campaign", lazy="joined")

    @property
    def label(self):
        return self.organization.name if self.organization_id else self.campaign.title
