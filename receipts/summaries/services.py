"""What a partner's money did, and where a campaign's money came from.

Figures come from the campaigns' ledger (`Contribution`) with a few set-based aggregates per
summary, whatever the number of gifts: contributions made in the period, each counted net of what
was later reversed (refunds, matches of a failed all-or-nothing campaign). A campaign's funding
plan reads the running totals the ledger keeps (`Campaign.*_cents`, `CampaignPartnerTotal`).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from sqlalchemy import BigInteger, and_, case, cast, distinct, func, select

from app.errors import InvalidInput
from app.extensions import db
from app.formatting import local_zone
from campaigns.models import (Campaign, CampaignPartnerTotal, Contribution, ContributionSource, MatchPledge,
                              Organization, Partner)
from campaigns.services import get_partner

S = ContributionSource
CITIZEN_SOURCES = (S.online, S.offline, S.roundup)
PARTNER_SOURCES = (S.match, S.grant, S.company)
# Citizens who can be counted one by one (round-ups are anonymous).
COUNTED_DONOR_SOURCES = (S.online, S.offline)


@dataclass(frozen=True)
class Period:
    """Inclusive local dates (Europe/Paris); None leaves that side open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self):
        for value, name in ((self.start, "from"), (self.end, "to")):
            # Year 1 or 9999 would overflow when moved to UTC: no ledger line is that old or that late.
            if value is not None and not 1900 <= value.year <= 2999:
                raise InvalidInput("give a date between 1900 and 2999", name)
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidInput("the period ends before it starts", "to")

    def bounds(self):
        """[start, end) as aware datetimes: midnight in the territory, the day after `end`."""
        zone = local_zone()
        low = datetime.combine(self.start, time(), zone) if self.start else None
        high = datetime.combine(self.end + timedelta(days=1), time(), zone) if self.end else None
        return low, high


@dataclass(frozen=True)
class Leverage:
    """Citizens' money per euro of partner money, kept as an exact fraction."""

    citizens_cents: int
    partner_cents: int

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.citizens_cents, self.partner_cents) if self.partner_cents else None

    @property
    def hundredths(self) -> int | None:
        """The ratio in hundredths, rounded half up (3.245 -> 325)."""
        if not self.partner_cents:
            return None
        return (self.citizens_cents * 200 + self.partner_cents) // (2 * self.partner_cents)

    @property
    def plain(self) -> str | None:
        """`3.25`, for JSON and CSV."""
        value = self.hundredths
        return None if value is None else f"{value // 100}.{value % 100:02d}"

    @property
    def french(self) -> str | None:
        """`3,25`."""
        value = self.plain
        return None if value is None else value.replace(".", ",")


@dataclass
class SupportedCampaign:
    """One campaign a partner put money into during the period, with what came beside it."""

    campaign: Campaign
    matched_cents: int = 0
    granted_cents: int = 0
    company_cents: int = 0
    matched_gifts: int = 0
    online_cents: int = 0
    offline_cents: int = 0
    roundup_cents: int = 0
    # Other partners' matches and grants, and other companies' patronage, on the same campaign.
    others_cents: int = 0
    donors: int = 0
    # The partner's match pledges on the campaign made before the period's end: their caps, and what
    # they have matched and may still match as of now (stored on each pledge).
    pledged_cents: int = 0
    pledge_used_cents: int = 0

    @property
    def pledge_left_cents(self):
        return max(0, self.pledged_cents - self.pledge_used_cents)

    @property
    def partner_cents(self):
        return self.matched_cents + self.granted_cents + self.company_cents

    @property
    def citizens_cents(self):
        return self.online_cents + self.offline_cents + self.roundup_cents

    @property
    def period_total_cents(self):
        return self.citizens_cents + self.partner_cents + self.others_cents

    @property
    def leverage(self):
        return Leverage(self.citizens_cents, self.partner_cents)


@dataclass
class PartnerSummary:
    partner: Partner
    period: Period
    campaigns: list[SupportedCampaign] = field(default_factory=list)
    donors: int = 0  # distinct citizens over every supported campaign

    def _sum(self, name):
        return sum(getattr(row, name) for row in self.campaigns)

    @property
    def matched_cents(self):
        return self._sum("matched_cents")

    @property
    def granted_cents(self):
        return self._sum("granted_cents")

    @property
    def company_cents(self):
        return self._sum("company_cents")

    @property
    def matched_gifts(self):
        return self._sum("matched_gifts")

    @property
    def pledged_cents(self):
        return self._sum("pledged_cents")

    @property
    def pledge_used_cents(self):
        return self._sum("pledge_used_cents")

    @property
    def pledge_left_cents(self):
        return self._sum("pledge_left_cents")

    @property
    def partner_cents(self):
        return self._sum("partner_cents")

    @property
    def online_cents(self):
        return self._sum("online_cents")

    @property
    def offline_cents(self):
        return self._sum("offline_cents")

    @property
    def roundup_cents(self):
        return self._sum("roundup_cents")

    @property
    def others_cents(self):
        return self._sum("others_cents")

    @property
    def citizens_cents(self):
        return self._sum("citizens_cents")

    @property
    def leverage(self):
        return Leverage(self.citizens_cents, self.partner_cents)


def _net():
    return Contribution.amount_cents - Contribution.reversed_cents


def _net_of(*sources, extra=None):
    condition = Contribution.source.in_(sources)
    if extra is not None:
        condition = and_(condition, extra)
    # PostgreSQL sums BIGINT as NUMERIC: cast back so that cents stay Python ints.
    return cast(func.coalesce(func.sum(case((condition, _net()), else_=0)), 0), BigInteger)


def _in_period(statement, period):
    low, high = period.bounds()
    if low is not None:
        statement = statement.where(Contribution.created_at >= low)
    if high is not None:
        statement = statement.where(Contribution.created_at < high)
    return statement


def _pledges_in_period(partner_id, period):
    """{campaign id: (pledged, used)} of the partner's pledges made before the period's end, on
    campaigns that had not ended before its start."""
    low, high = period.bounds()
    statement = (select(MatchPledge.campaign_id, cast(func.sum(MatchPledge.total_cap_cents), BigInteger),
                        cast(func.sum(MatchPledge.matched_cents), BigInteger))
                 .join(Campaign, Campaign.id == MatchPledge.campaign_id)
                 .where(MatchPledge.partner_id == partner_id).group_by(MatchPledge.campaign_id))
    if high is not None:
        statement = statement.where(MatchPledge.created_at < high)
    if low is not None:
        statement = statement.where(Campaign.ends_at >= low)
    return {campaign_id: (pledged, used) for campaign_id, pledged, used in db.session.execute(statement)}


def partner_summary(partner_slug, period: Period) -> PartnerSummary:
    """The campaigns a partner funded in the period (matches, grants, patronage, even if later
    reversed: a failed campaign stays in the report with its outcome) or pledged to (even with nothing
    matched yet), the citizens' money given to those campaigns in the same period, and the distinct
    donors reached."""
    partner = get_partner(partner_slug)
    own = _in_period(
        select(Contribution.campaign_id,
               _net_of(S.match).label("matched"), _net_of(S.grant).label("granted"),
               _net_of(S.company).label("company"),
               func.count(case((and_(Contribution.source == S.match, _net() > 0), Contribution.id))).label("gifts"))
        .where(Contribution.partner_id == partner.id, Contribution.source.in_(PARTNER_SOURCES))
        .group_by(Contribution.campaign_id), period)
    rows = {row.campaign_id: row for row in db.session.execute(own)}
    pledges = _pledges_in_period(partner.id, period)
    summary = PartnerSummary(partner=partner, period=period)
    if not rows and not pledges:
        return summary

    supported = list(set(rows) | set(pledges))
    around = _in_period(
        select(Contribution.campaign_id,
               _net_of(S.online).label("online"), _net_of(S.offline).label("offline"),
               _net_of(S.roundup).label("roundup"), _net_of(*PARTNER_SOURCES).label("partners"),
               func.count(distinct(case((and_(Contribution.source.in_(COUNTED_DONOR_SOURCES), _net() > 0),
                                             Contribution.donor_key)))).label("donors"))
        .where(Contribution.campaign_id.in_(supported)).group_by(Contribution.campaign_id), period)
    around_rows = {row.campaign_id: row for row in db.session.execute(around)}
    campaigns = db.session.scalars(select(Campaign).where(Campaign.id.in_(supported))).all()

    for campaign in campaigns:
        line = SupportedCampaign(campaign=campaign)
        mine, beside = rows.get(campaign.id), around_rows.get(campaign.id)
        if mine is not None:
            line.matched_cents, line.granted_cents, line.company_cents = mine.matched, mine.granted, mine.company
            line.matched_gifts = mine.gifts
        if beside is not None:
            line.online_cents, line.offline_cents, line.roundup_cents = beside.online, beside.offline, beside.roundup
            line.donors = beside.donors
            line.others_cents = beside.partners - line.partner_cents
        line.pledged_cents, line.pledge_used_cents = pledges.get(campaign.id, (0, 0))
        summary.campaigns.append(line)
    summary.campaigns.sort(key=lambda line: (-line.partner_cents, line.campaign.title, line.campaign.id))

    summary.donors = db.session.scalar(_in_period(
        select(func.count(distinct(Contribution.donor_key)))
        .where(Contribution.campaign_id.in_(supported), Contribution.source.in_(COUNTED_DONOR_SOURCES),
               _net() > 0, Contribution.donor_key.is_not(None)), period))
    return summary


# --- One campaign's funding plan --------------------------------------------------------------------

@dataclass(frozen=True)
class FundingLine:
    """One source of a campaign's money. `partner` is set on a partner's own line."""

    source: str  # online, offline, roundup, partner, company
    label: str
    amount_cents: int
    partner: Partner | None = None
    matched_cents: int = 0
    granted_cents: int = 0
    patronage_cents: int = 0
    pledged_cents: int = 0


@dataclass
class CampaignFunding:
    campaign: Campaign
    organization: Organization
    lines: list[FundingLine]

    @property
    def total_cents(self):
        return sum(line.amount_cents for line in self.lines)

    @property
    def citizens_cents(self):
        return sum(line.amount_cents for line in self.lines if line.source in ("online", "offline", "roundup"))

    @property
    def partners_cents(self):
        return sum(line.amount_cents for line in self.lines if line.source == "partner")

    @property
    def leverage(self):
        return Leverage(self.citizens_cents, self.partners_cents)


def campaign_funding(campaign) -> CampaignFunding:
    """The campaign's money by source, from the totals its ledger keeps: citizens online, offline
    gifts, round-up, each partner (matched, granted, patronage, and what its pledges promise), and
    the patronage of companies that are not partners. The lines add up to `raised_cents`."""
    partners = {}
    totals = db.session.execute(
        select(CampaignPartnerTotal.partner_id, CampaignPartnerTotal.source, CampaignPartnerTotal.amount_cents)
        .where(CampaignPartnerTotal.campaign_id == campaign.id))
    for partner_id, source, amount in totals:
        partners.setdefault(partner_id, {S.match: 0, S.grant: 0, S.company: 0})[source] += amount
    pledged = dict(db.session.execute(
        select(MatchPledge.partner_id, func.sum(MatchPledge.total_cap_cents))
        .where(MatchPledge.campaign_id == campaign.id).group_by(MatchPledge.partner_id)).all())
    known = {p.id: p for p in db.session.scalars(select(Partner).where(Partner.id.in_(set(partners) | set(pledged))))}

    lines = [FundingLine("online", "Citoyens en ligne", campaign.online_cents),
             FundingLine("offline", "Dons hors ligne (chèque, espèces, virement)", campaign.offline_cents),
             FundingLine("roundup", "Arrondi chez les commerçants", campaign.roundup_cents)]
    partner_lines = []
    for partner_id, partner in known.items():
        money = partners.get(partner_id, {S.match: 0, S.grant: 0, S.company: 0})
        partner_lines.append(FundingLine(
            "partner", partner.name, money[S.match] + money[S.grant] + money[S.company], partner=partner,
            matched_cents=money[S.match], granted_cents=money[S.grant], patronage_cents=money[S.company],
            pledged_cents=int(pledged.get(partner_id) or 0)))
    partner_lines.sort(key=lambda line: (-line.amount_cents, line.label))
    lines.extend(partner_lines)
    partner_patronage = sum(line.patronage_cents for line in partner_lines)
    lines.append(FundingLine("company", "Mécénat d'entreprises", campaign.company_cents - partner_patronage))
    return CampaignFunding(campaign=campaign, organization=campaign.organization, lines=lines)
