"""The administrators' home (/gestion): money raised this month and this year by source, and the
campaigns by status. From stored totals (`MonthlySourceTotal`, kept by the ledger), never the gifts."""
from sqlalchemy import func, select

from app.auth.models import Role
from app.backoffice import add_home_panel
from app.extensions import db
from app.formatting import local_today
from campaigns.models import (
    Campaign,
    CampaignStatus,
    ContributionSource,
    MonthlySourceTotal,
)
from campaigns.models.campaigns import STATUS_LABELS

SOURCE_LABELS = {
    ContributionSource.online: "Dons en ligne",
    ContributionSource.offline: "Dons hors ligne (chèque, espèces, virement)",
    ContributionSource.company: "Mécénat d'entreprises",
    ContributionSource.roundup: "Arrondi chez les commerçants",
    ContributionSource.match: "Abondements des partenaires",
    ContributionSource.grant: "Subventions des partenaires",
}


def raised_by_source(today):
    """[(label, this month, this year)] per source, and the two totals, net of reversals."""
    month, year = today.replace(day=1), today.replace(month=1, day=1)
    rows = db.session.execute(select(MonthlySourceTotal.month, MonthlySourceTotal.source, MonthlySourceTotal.amount_cents)
                              .where(MonthlySourceTotal.month >= year, MonthlySourceTotal.month <= month)).all()
    this_month = {source: 0 for source in SOURCE_LABELS}
    this_year = dict(this_month)
    for row_month, source, cents in rows:
        this_year[source] += cents
        if row_month == month:
            this_month[source] += cents
    lines = [(label, this_month[source], this_year[source]) for source, label in SOURCE_LABELS.items()]
    return lines, sum(this_month.values()), sum(this_year.values())


def campaigns_by_status():
    counts = dict(db.session.execute(select(Campaign.status, func.count(Campaign.id)).group_by(Campaign.status)).all())
    return [(STATUS_LABELS[status], counts.get(status, 0)) for status in CampaignStatus]


def _context(user):
    today = local_today()
    lines, month_total, year_total = raised_by_source(today)
    return {"today": today, "lines": lines, "month_total": month_total, "year_total": year_total,
            "statuses": campaigns_by_status()}


def register(app):
    add_home_panel(app, "campaigns/backoffice/dashboard_panel.html", [Role.admin], context=_context, order=10)
