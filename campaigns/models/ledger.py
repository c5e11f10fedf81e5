"""The money counted in a campaign: contributions, match pledges, per-partner totals, donor wall."""
import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, enum_column, utcnow
from campaigns.models.organizations import Partner


class ContributionSource(str, enum.Enum):
    online = "online"  # a citizen's card gift
    offline = "offline"  # cheque, cash or bank transfer recorded by a finance officer
    company = "company"  # a company's patronage gift (mécénat)
    roundup = "roundup"  # round-up money from local merchants
    match = "match"  # a partner matching one gift under a match pledge
    grant = "grant"  # a partner's fixed grant (the city's subsidy, a company's patronage)


# Which Campaign column each source moves.
SOURCE_COLUMNS = {source: f"{source.value}_cents" for source in ContributionSource}


class Contribution(db.Model):
    """One line of the ledger behind a campaign's totals. Never deleted: a refund reverses it."""

    __tablename__ = "contributions"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("reversed_cents >= 0 AND reversed_cents <= amount_cents", name="reversed_range"),
        # A partner's match or grant is paid at most once over (campaigns.models.payments).
        CheckConstraint("paid_cents >= 0 AND paid_cents <= amount_cents", name="paid_range"),
        CheckConstraint("source <> 'match' OR (pledge_id IS NOT NULL AND partner_id IS NOT NULL"
                        " AND donation_id IS NOT NULL)", name="match_has_pledge"),
        CheckConstraint("source <> 'grant' OR partner_id IS NOT NULL", name="grant_has_partner"),
        # A gift is counted once however often the payment provider or a client retries...
        Index("uq_contributions_donation_own", "donation_id", unique=True,
              sqlite_where=text("donation_id IS NOT NULL AND pledge_id IS NULL"),
              postgresql_where=text("donation_id IS NOT NULL AND pledge_id IS NULL")),
        # ... and matched once per pledge.
        Index("uq_contributions_pledge_donation", "pledge_id", "donation_id", unique=True,
              sqlite_where=text("pledge_id IS NOT NULL"), postgresql_where=text("pledge_id IS NOT NULL")),
        # A caller without a gift (round-up settlement, grant) names its line with a reference.
        Index("uq_contributions_reference", "campaign_id", "source", "reference", unique=True,
              sqlite_where=text("reference IS NOT NULL AND donation_id IS NULL"),
              postgresql_where=text("reference IS NOT NULL AND donation_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    source: Mapped[ContributionSource] = mapped_column(enum_column(ContributionSource, 20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reversed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Matches and grants only: how much of it the partner's payments have covered (the sum of its
    # PartnerPaymentContribution rows, kept here so that the database refuses an over-payment).
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("match_pledges.id"), index=True)
    # The gift in donations (a higher package): a plain integer, no foreign key.
    donation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    donor_key: Mapped[str | None] = mapped_column(String(128))
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner | None] = relationship(lazy="joined")

    @property
    def net_cents(self):
        return self.amount_cents - self.reversed_cents

    def __repr__(self):
        return f"<Contribution {self.source.value} {self.amount_cents}-{self.reversed_cents}>"


class MatchPledge(db.Model):
    """A partner's promise to match citizens' gifts to one campaign (abondement).

    Each gift earns `gift * ratio_numerator // ratio_denominator`, at most `per_gift_cap_cents`, and
    never beyond what is left of `total_cap_cents`; with `max_gifts_per_donor`, a donor's gifts are
    matched that many times at most.
    """

    __tablename__ = "match_pledges"
    __table_args__ = (
        CheckConstraint("ratio_numerator >= 1 AND ratio_denominator >= 1", name="ratio_positive"),
        CheckConstraint("total_cap_cents >= 1", name="total_cap_positive"),
        CheckConstraint("per_gift_cap_cents IS NULL OR per_gift_cap_cents >= 1", name="per_gift_cap_positive"),
        CheckConstraint("max_gifts_per_donor IS NULL OR max_gifts_per_donor >= 1", name="per_donor_positive"),
        # The database refuses to match beyond the cap, whatever the code above it does.
        CheckConstraint("matched_cents >= 0 AND matched_cents <= total_cap_cents", name="within_cap"),
        CheckConstraint("matched_gift_count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    ratio_numerator: Mapped[int] = mapped_column(Integer, default=1)
    ratio_denominator: Mapped[int] = mapped_column(Integer, default=1)
    per_gift_cap_cents: Mapped[int | None] = mapped_column(BigInteger)
    total_cap_cents: Mapped[int] = mapped_column(BigInteger)
    max_gifts_per_donor: Mapped[int | None] = mapped_column(Integer)
    matched_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    matched_gift_count: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)

    @property
    def remaining_cents(self):
        return self.total_cap_cents - self.matched_cents

    def match_for(self, gift_cents):
        """What this pledge would add to a gift of `gift_cents`, caps included."""
        match = gift_cents * self.ratio_numerator // self.ratio_denominator
        if self.per_gift_cap_cents is not None:
            match = min(match, self.per_gift_cap_cents)
        return max(0, min(match, self.remaining_cents))


class MatchPledgeDonor(db.Model):
    """How many of one donor's gifts a pledge has matched (for `max_gifts_per_donor`)."""

    __tablename__ = "match_pledge_donors"

    pledge_id: Mapped[int] = mapped_column(ForeignKey("match_pledges.id"), primary_key=True)
    donor_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    matched_count: Mapped[int] = mapped_column(Integer, default=0)


class CampaignDonor(db.Model):
    """A distinct donor of a campaign and how many of their contributions still count."""

    __tablename__ = "campaign_donors"
    __table_args__ = (CheckConstraint("active_count >= 0", name="active_not_negative"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    donor_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    active_count: Mapped[int] = mapped_column(Integer, default=0)


class CampaignPartnerTotal(db.Model):
    """What one partner has put into one campaign, per source (match, grant, company)."""

    __tablename__ = "campaign_partner_totals"
    __table_args__ = (CheckConstraint("amount_cents >= 0", name="amount_not_negative"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    source: Mapped[ContributionSource] = mapped_column(enum_column(ContributionSource, 20), primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)

    partner: Mapped[Partner] = relationship(lazy="joined", innerjoin=True)


class MonthlySourceTotal(db.Model):
    """The money counted in all campaigns per month (the territory's calendar) and source, net of what
    was reversed since: a reversal comes off the month of the line it reverses. Moved with the
    campaigns' totals (campaigns.services.ledger), read by the administrators' dashboard, which thus
    never adds up the gifts. No CHECK >= 0: a refund must never fail on a figure of the dashboard."""

    __tablename__ = "monthly_source_totals"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    source: Mapped[ContributionSource] = mapped_column(enum_column(ContributionSource, 20), primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class WallEntry(db.Model):
    """A line of the donor wall: a first name or "Anonyme", and the donor's message (plain text)."""

    __tablename__ = "wall_entries"
    # The page shows a campaign's latest entries: read from this index, never sorted from all of them.
    __table_args__ = (Index("ix_wall_entries_campaign_recent", "campaign_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    donation_id: Mapped[int] = mapped_column(Integer, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
