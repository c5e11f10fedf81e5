"""The town's own money to associations in the national SCDL "subventions" format (version 2.1.1).

A public body publishes the essential data of the subsidies it grants (article 10 of loi n° 2000-321
du 12 avril 2000, as amended by article 18 of loi n° 2016-1321 du 7 octobre 2016; décret n° 2017-779
du 5 mai 2017; arrêté du 17 novembre 2017 for the format). The obligation covers agreements above
23 000 € a year (décret n° 2001-495 du 6 juin 2001, article 1er); this file lists every one, as many
towns do.

The town is the partner of kind `public_body` whose SIREN is the first nine digits of
`OPEN_DATA_TOWN_SIRET` (the SIRET the file gives as `idAttribuant`); its name is `OPEN_DATA_TOWN_NAME`.
One row per agreement, each with a single beneficiary (pourcentageSubvention 1.00):

- each grant of the town to a campaign (a ledger line of source `grant`): dated when recorded, its
  amount net of anything taken back, paid once ("unique");
- each match pledge of the town on a campaign that has matched something: the agreement is the
  pledge (dated when made), the amount what it has matched and still counts, paid in instalments
  ("échelonné") as the town's payments are recorded.

datesPeriodeVersement is the payment's day when a grant was paid in one payment, else the period from
the agreement to the later of the campaign's end and the last payment. The beneficiary's SIRET
(idBeneficiaire) is not known to Solidaire (organizations carry a SIREN and an RNA number): rows give
rnaBeneficiaire, which the schema accepts instead (its check "one-of-required").
"""
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.formatting import to_local
from app.money import format_cents_plain
from campaigns.models import (
    Campaign,
    Contribution,
    ContributionSource,
    MatchPledge,
    Partner,
    PartnerKind,
    PartnerPayment,
    PartnerPaymentContribution,
)

OBJECT_MAX = 255  # "moins de 256 caractères"


@dataclass(frozen=True)
class Town:
    name: str
    siret: str


def configured_town() -> Town | None:
    """The town as configured, or None when its SIRET is missing or not 14 digits."""
    siret = (current_app.config.get("OPEN_DATA_TOWN_SIRET") or "").replace(" ", "")
    if len(siret) != 14 or not siret.isdigit():
        return None
    name = current_app.config.get("OPEN_DATA_TOWN_NAME") or current_app.config.get("LEGAL_PUBLISHER") or ""
    return Town(name=name, siret=siret)


def _town_partner_ids(town):
    return list(db.session.scalars(select(Partner.id).where(Partner.kind == PartnerKind.public_body,
                                                            Partner.siren == town.siret[:9])))


def _payment_days(contribution_ids):
    """{contribution id: [days its payments were received]}."""
    days = defaultdict(list)
    if not contribution_ids:
        return days
    statement = (select(PartnerPaymentContribution.contribution_id, PartnerPayment.received_on)
                 .join(PartnerPayment, PartnerPayment.id == PartnerPaymentContribution.payment_id)
                 .where(PartnerPaymentContribution.contribution_id.in_(contribution_ids)))
    for contribution_id, received_on in db.session.execute(statement):
        days[contribution_id].append(received_on)
    return days


def _period(agreed_on, campaign, paid_days, *, single_payment):
    if single_payment and len(paid_days) == 1:
        return paid_days[0].isoformat()
    end = max([to_local(campaign.ends_at).date(), agreed_on, *paid_days])
    return f"{agreed_on.isoformat()}/{end.isoformat()}"


def _row(town, campaign, *, agreed_on, reference, subject, cents, conditions, period):
    organization = campaign.organization
    return {
        "nomAttribuant": town.name,
        "idAttribuant": town.siret,
        "dateConvention": agreed_on.isoformat(),
        "referenceDecision": reference or "",
        "nomBeneficiaire": organization.name,
        "idBeneficiaire": "",
        "rnaBeneficiaire": organization.rna or "",
        "objet": subject[:OBJECT_MAX],
        "montant": format_cents_plain(cents),
        "nature": "aide en numéraire",
        "conditionsVersement": conditions,
        "datesPeriodeVersement": period,
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


def subsidy_rows() -> list[dict]:
    """The rows of subventions.csv, under the SCDL field names, oldest agreement first."""
    town = configured_town()
    if town is None:
        return []
    partner_ids = _town_partner_ids(town)
    if not partner_ids:
        return []
    lines = db.session.scalars(
        select(Contribution).where(Contribution.partner_id.in_(partner_ids),
                                   Contribution.source.in_((ContributionSource.grant, ContributionSource.match)))
        .order_by(Contribution.id)).all()
    days = _payment_days([line.id for line in lines])
    campaigns = {c.id: c for c in db.session.scalars(
        select(Campaign).where(Campaign.id.in_({line.campaign_id for line in lines})))}
    rows = []
    pledges = defaultdict(lambda: [0, []])
    for line in lines:
        if line.source is ContributionSource.match:
            pledges[line.pledge_id][0] += line.net_cents
            pledges[line.pledge_id][1].extend(days[line.id])
            continue
        if line.net_cents <= 0:
            continue
        campaign = campaigns[line.campaign_id]
        agreed_on = to_local(line.created_at).date()
        rows.append(_row(town, campaign, agreed_on=agreed_on, reference=line.reference,
                         subject=f"Subvention à la campagne « {campaign.title} »", cents=line.net_cents,
                         conditions="unique",
                         period=_period(agreed_on, campaign, sorted(days[line.id]), single_payment=True)))
    for pledge in db.session.scalars(select(MatchPledge).where(MatchPledge.id.in_(list(pledges)))):
        cents, paid_days = pledges[pledge.id]
        if cents <= 0:
            continue
        campaign = campaigns[pledge.campaign_id]
        agreed_on = to_local(pledge.created_at).date()
        ratio = f"{pledge.ratio_numerator} € pour {pledge.ratio_denominator} €"
        rows.append(_row(town, campaign, agreed_on=agreed_on, reference=None,
                         subject=f"Abondement des dons des habitants à la campagne « {campaign.title} » ({ratio} "
                                 f"donné, dans la limite de {format_cents_plain(pledge.total_cap_cents)} €)",
                         cents=cents, conditions="échelonné",
                         period=_period(agreed_on, campaign, sorted(paid_days), single_payment=False)))
    rows.sort(key=lambda row: (row["dateConvention"], row["nomBeneficiaire"], row["objet"]))
    return rows
