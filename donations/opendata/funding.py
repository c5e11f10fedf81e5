"""Every campaign's funding by source and month, read from the campaigns' ledger and the round-up
statements: one row per (month, campaign or organization, source, partner), in integer cents.

A row counts the ledger lines recorded in that month (Europe/Paris), each net of what was later taken
back (a refund, the matches of a failed all-or-nothing campaign): summed over the months, a campaign's
rows give exactly its totals by source (`Campaign.*_cents`). Round-up money given straight to an
organization (no campaign) comes from the statements' lines, in the month the statement was issued.

The months are cut in the territory's time zone: the database groups by UTC hour (every offset of
Europe/Paris is a whole number of hours), and each hour goes to its local month here.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, cast, func, select

from app.extensions import db
from app.formatting import to_local
from app.money import format_cents_plain
from campaigns.models import (
    Campaign,
    Contribution,
    ContributionSource,
    Organization,
    Partner,
)
from campaigns.models.campaigns import UNPUBLISHED_STATUSES
from donations.roundup.models import Settlement, SettlementLine

S = ContributionSource
SOURCE_LABELS = {
    S.online: "Dons en ligne des habitants",
    S.offline: "Dons hors ligne (chèque, espèces, virement)",
    S.company: "Mécénat d'entreprise",
    S.roundup: "Arrondi en caisse chez les commerçants",
    S.match: "Abondement d'un partenaire",
    S.grant: "Subvention ou don fixe d'un partenaire",
}
SOURCE_ORDER = {source: index for index, source in enumerate(SOURCE_LABELS)}


@dataclass(frozen=True)
class FundingRow:
    month: str  # "2026-11"
    campaign: Campaign | None
    organization: Organization
    source: ContributionSource
    partner: Partner | None
    amount_cents: int
    count: int

    def as_record(self):
        """The row under the published schema's field names (financements.schema.json)."""
        campaign, organization, partner = self.campaign, self.organization, self.partner
        return {
            "mois": self.month,
            "campagne": campaign.slug if campaign else "",
            "campagne_titre": campaign.title if campaign else "",
            "commune": campaign.commune if campaign else "",
            "code_insee": campaign.insee_code if campaign else "",
            "organisation": organization.name,
            "organisation_siren": organization.siren or "",
            "organisation_rna": organization.rna or "",
            "source": self.source.value,
            "source_libelle": SOURCE_LABELS[self.source],
            "partenaire": partner.name if partner else "",
            "partenaire_siren": (partner.siren or "") if partner else "",
            "montant_centimes": self.amount_cents,
            "montant_euros": format_cents_plain(self.amount_cents),
            "nombre_contributions": self.count,
        }


def _utc_hour(column):
    """The UTC hour of an instant as text ("2026-11-27 13"), in the session's dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)  # SQLite keeps naive UTC


def _local_month(utc_hour: str) -> str:
    moment = datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return to_local(moment).strftime("%Y-%m")


def _campaign_lines():
    net = Contribution.amount_cents - Contribution.reversed_cents
    hour = _utc_hour(Contribution.created_at)
    statement = (
        select(Contribution.campaign_id, Contribution.source, Contribution.partner_id, hour.label("hour"),
               cast(func.sum(net), BigInteger).label("cents"),
               func.count(Contribution.id).filter(net > 0).label("count"))
        .join(Campaign, Campaign.id == Contribution.campaign_id)
        .where(Campaign.status.not_in(UNPUBLISHED_STATUSES))  # a draft or a campaign under review is not public
        .group_by(Contribution.campaign_id, Contribution.source, Contribution.partner_id, hour))
    totals = defaultdict(lambda: [0, 0])
    for row in db.session.execute(statement):
        key = (_local_month(row.hour), row.campaign_id, None, row.source, row.partner_id)
        totals[key][0] += int(row.cents)
        totals[key][1] += row.count
    return totals


def _organization_roundups(totals):
    """Round-up lines of the statements that go to an organization rather than one of its campaigns."""
    statement = (select(SettlementLine.organization_id, SettlementLine.amount_cents, Settlement.created_at)
                 .join(Settlement, Settlement.id == SettlementLine.settlement_id)
                 .where(SettlementLine.organization_id.is_not(None), SettlementLine.amount_cents > 0))
    for organization_id, cents, created_at in db.session.execute(statement):
        key = (to_local(created_at).strftime("%Y-%m"), None, organization_id, S.roundup, None)
        totals[key][0] += int(cents)
        totals[key][1] += 1


def funding_rows() -> list[FundingRow]:
    """Every month's money per campaign (or organization, for round-ups given to it) and source, rows
    of zero left out; sorted by month, campaign, source and partner."""
    totals = _campaign_lines()
    _organization_roundups(totals)
    totals = {key: value for key, value in totals.items() if value[0] > 0}
    campaign_ids = {key[1] for key in totals if key[1] is not None}
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))}
    organization_ids = {key[2] for key in totals if key[2] is not None}
    organizations = {o.id: o for o in db.session.scalars(
        select(Organization).where(Organization.id.in_(organization_ids)))}
    partner_ids = {key[4] for key in totals if key[4] is not None}
    partners = {p.id: p for p in db.session.scalars(select(Partner).where(Partner.id.in_(partner_ids)))}
    rows = []
    for (month, campaign_id, organization_id, source, partner_id), (cents, count) in totals.items():
        campaign = campaigns.get(campaign_id)
        organization = campaign.organization if campaign else organizations[organization_id]
        rows.append(FundingRow(month, campaign, organization, ContributionSource(source),
                               partners.get(partner_id), cents, count))
    rows.sort(key=lambda r: (r.month, r.campaign.slug if r.campaign else "", r.organization.name,
                             SOURCE_ORDER[r.source], r.partner.name if r.partner else ""))
    return rows
