"""What a holder follows of their campaign: money by source, gifts per day, rewards left.

The totals come from the campaign row (kept by the ledger); the days from the ledger's lines of
citizens' and companies' gifts over a bounded window, counted in the territory's calendar."""
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.formatting import to_local
from app.types import utcnow
from campaigns.models import Contribution, ContributionSource

GIFT_SOURCES = (ContributionSource.online, ContributionSource.offline, ContributionSource.company)
SOURCE_LABELS = {
    "online": "Dons en ligne", "offline": "Chèques, espèces, virements", "company": "Mécénat d'entreprises",
    "roundup": "Arrondi en caisse", "match": "Abondement des partenaires", "grant": "Subventions et dotations",
}


@dataclass
class Day:
    day: object  # a date
    gifts: int
    cents: int


def totals_by_source(campaign) -> list[tuple[str, int]]:
    """(French label, cents) for each source, in a fixed order; they add up to `raised_cents`."""
    return [(label, getattr(campaign, f"{source}_cents")) for source, label in SOURCE_LABELS.items()]


def gifts_per_day(campaign, days=30, now=None) -> list[Day]:
    """Gifts (online, offline, company; net of refunds) for each of the last `days` local days,
    the latest first, the days without a gift included."""
    now = now or utcnow()
    today = to_local(now).date()
    first = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(Contribution.created_at, Contribution.amount_cents, Contribution.reversed_cents)
        .where(Contribution.campaign_id == campaign.id, Contribution.source.in_(GIFT_SOURCES),
               Contribution.created_at >= now - timedelta(days=days + 1))).all()
    table = OrderedDict((today - timedelta(days=n), Day(today - timedelta(days=n), 0, 0)) for n in range(days))
    for created_at, amount, reversed_cents in rows:
        day = to_local(created_at).date()
        if first <= day <= today:
            table[day].gifts += 1
            table[day].cents += amount - reversed_cents
    return list(table.values())
