"""Campaigns, their lifecycle table, reward tiers, stretch goals, news and cover image."""
import enum
from datetime import datetime

from sqlalchemy import (BigInteger, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.states import Repeat, move_to
from app.types import UTCDateTime, enum_column, utcnow
from campaigns.models.organizations import Organization


class CampaignStatus(str, enum.Enum):
    draft = "draft"  # being written by its holder; invisible to the public
    submitted = "submitted"  # sent to the town for review; still invisible, no longer edited by the holder
    published = "published"  # live: accepts gifts between its start and end dates
    succeeded = "succeeded"  # ended with its goal reached (or keep-it-all with money raised)
    failed = "failed"  # ended short of its goal: all-or-nothing gifts are refunded
    closed = "closed"  # ended and paid out: nothing changes any more
    cancelled = "cancelled"  # withdrawn before it raised any money


# The one statement of the campaign's lifecycle: every status change goes through
# `Campaign.move_to`, which refuses any move not listed here.
CAMPAIGN_TRANSITIONS = {
    # A holder submits; the town approves (published) or sends it back with a reason (draft).
    # An administrator may still publish a draft directly.
    CampaignStatus.draft: {CampaignStatus.submitted, CampaignStatus.published, CampaignStatus.cancelled},
    CampaignStatus.submitted: {CampaignStatus.published, CampaignStatus.draft, CampaignStatus.cancelled},
    CampaignStatus.published: {CampaignStatus.succeeded, CampaignStatus.failed, CampaignStatus.cancelled},
    CampaignStatus.succeeded: {CampaignStatus.closed},
    CampaignStatus.failed: {CampaignStatus.closed},
    CampaignStatus.closed: set(),
    CampaignStatus.cancelled: set(),
}

# After publication donors have relied on these: they no longer change (SPEC, campaigns).
FROZEN_AFTER_PUBLICATION = ("goal_cents", "ends_at", "funding_model", "starts_at", "min_gift_cents",
                            "slug", "organization_id")
EDITABLE_STATUSES = (CampaignStatus.draft, CampaignStatus.published)
# Not public yet: only the organization's users and the town's administrators see these.
UNPUBLISHED_STATUSES = (CampaignStatus.draft, CampaignStatus.submitted)


class FundingModel(str, enum.Enum):
    all_or_nothing = "all_or_nothing"  # the money is kept only if the goal is reached
    keep_it_all = "keep_it_all"  # the holder keeps whatever is raised


class CampaignCategory(str, enum.Enum):
    solidarity = "solidarity"
    environment = "environment"
    culture = "culture"
    sport = "sport"
    education = "education"
    heritage = "heritage"
    health = "health"
    other = "other"


CATEGORY_LABELS = {
    CampaignCategory.solidarity: "Solidarité", CampaignCategory.environment: "Environnement",
    CampaignCategory.culture: "Culture", CampaignCategory.sport: "Sport",
    CampaignCategory.education: "Éducation", CampaignCategory.heritage: "Patrimoine",
    CampaignCategory.health: "Santé", CampaignCategory.other: "Autre",
}

STATUS_LABELS = {
    CampaignStatus.draft: "Brouillon", CampaignStatus.submitted: "En examen par la Ville",
    CampaignStatus.published: "En cours",
    CampaignStatus.succeeded: "Réussie", CampaignStatus.failed: "Objectif non atteint",
    CampaignStatus.closed: "Clôturée", CampaignStatus.cancelled: "Annulée",
}


class Campaign(db.Model):
    """A territorial crowdfunding or patronage campaign, with its running totals.

    The totals are moved only by `campaigns.services.ledger`, in the same transaction as the
    contribution that causes them, with atomic `x = x + :delta` updates.
    """

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("goal_cents > 0", name="goal_positive"),
        CheckConstraint("min_gift_cents >= 1", name="min_gift_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("raised_cents >= 0 AND online_cents >= 0 AND offline_cents >= 0 AND company_cents >= 0"
                        " AND roundup_cents >= 0 AND match_cents >= 0 AND grant_cents >= 0 AND donor_count >= 0",
                        name="totals_not_negative"),
        CheckConstraint("raised_cents = online_cents + offline_cents + company_cents + roundup_cents"
                        " + match_cents + grant_cents", name="totals_add_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description_md: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once, when the description is saved, never on a page view.
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CampaignStatus] = mapped_column(enum_column(CampaignStatus, 20), default=CampaignStatus.draft,
                                                   index=True)
    funding_model: Mapped[FundingModel] = mapped_column(enum_column(FundingModel, 20))
    category: Mapped[CampaignCategory] = mapped_column(enum_column(CampaignCategory, 20), index=True)
    commune: Mapped[str] = mapped_column(String(120))
    insee_code: Mapped[str] = mapped_column(String(5), index=True)
    goal_cents: Mapped[int] = mapped_column(BigInteger)
    min_gift_cents: Mapped[int] = mapped_column(Integer, default=100)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    has_cover: Mapped[bool] = mapped_column(default=False)

    raised_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    online_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    offline_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    company_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    roundup_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    match_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    grant_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    donor_count: Mapped[int] = mapped_column(Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The town's reason when it last sent the campaign back to its holder (cleared when it is published).
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    tiers: Mapped[list["RewardTier"]] = relationship(back_populates="campaign", order_by="RewardTier.position",
                                                     cascade="all, delete-orphan")
    stretch_goals: Mapped[list["StretchGoal"]] = relationship(order_by="StretchGoal.amount_cents",
                                                              cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Campaign {self.slug} {self.status.value}>"

    def can_move_to(self, status):
        return CampaignStatus(status) in CAMPAIGN_TRANSITIONS[self.status]

    def move_to(self, status):
        """Change the status if the lifecycle table allows it, else raise InvalidTransition (a repeat
        too: publishing a published campaign is a mistake the holder should hear about)."""
        move_to(self, status, CAMPAIGN_TRANSITIONS, what="campaign", repeat=Repeat.REFUSE)

    @property
    def is_public(self):
        return self.status not in UNPUBLISHED_STATUSES

    @property
    def partners_cents(self):
        """Money from partners: their matches and grants."""
        return self.match_cents + self.grant_cents

    @property
    def percent(self):
        return self.raised_cents * 100 // self.goal_cents

    @property
    def category_label(self):
        return CATEGORY_LABELS[self.category]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


class RewardTier(db.Model):
    """A reward (contrepartie) offered from a minimum gift, possibly in limited quantity."""

    __tablename__ = "reward_tiers"
    __table_args__ = (
        CheckConstraint("min_amount_cents >= 1", name="min_amount_positive"),
        CheckConstraint("fair_value_cents >= 0 AND fair_value_cents <= min_amount_cents", name="fair_value_range"),
        CheckConstraint("quantity_limit IS NULL OR quantity_limit >= 1", name="quantity_limit_positive"),
        # The database itself refuses an oversold tier, whatever the code above it does.
        CheckConstraint("claimed_count >= 0 AND (quantity_limit IS NULL OR claimed_count <= quantity_limit)",
                        name="never_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    min_amount_cents: Mapped[int] = mapped_column(Integer)
    quantity_limit: Mapped[int | None] = mapped_column(Integer)
    claimed_count: Mapped[int] = mapped_column(Integer, default=0)
    fair_value_cents: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="tiers")

    @property
    def remaining(self):
        """Units left, or None when unlimited."""
        return None if self.quantity_limit is None else self.quantity_limit - self.claimed_count

    @property
    def sold_out(self):
        return self.quantity_limit is not None and self.claimed_count >= self.quantity_limit


class StretchGoal(db.Model):
    """A further target beyond the goal, with what the extra money will do."""

    __tablename__ = "stretch_goals"
    __table_args__ = (UniqueConstraint("campaign_id", "amount_cents"),
                      CheckConstraint("amount_cents > 0", name="amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")


class CampaignCover(db.Model):
    """The cover image's bytes, apart from the campaign row so that lists never load them."""

    __tablename__ = "campaign_covers"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CampaignNews(db.Model):
    """A news update written by the campaign's holder (Markdown, sanitised when saved)."""

    __tablename__ = "campaign_news"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
