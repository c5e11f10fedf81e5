"""What merchants, beneficiaries and the receipts package read: aggregates computed by SQL."""
from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, func, select

from app.extensions import db
from app.money import split_largest_remainder
from campaigns.models import Campaign
from donations.roundup.models import RoundupPaymentMethod, Roundup, Settlement, SettlementLine


def daily_totals(merchant_id, date_from: date, date_to: date) -> list[tuple[date, int, int]]:
    """[(day, count, cents)] of live round-ups per local day, from `date_from` to `date_to` included."""
    rows = db.session.execute(
        select(Roundup.occurred_on, func.count(), func.sum(Roundup.roundup_cents))
        .where(Roundup.merchant_id == merchant_id, Roundup.voided_at.is_(None),
               Roundup.occurred_on >= date_from, Roundup.occurred_on <= date_to)
        .group_by(Roundup.occurred_on).order_by(Roundup.occurred_on))
    return [(day, count, int(cents)) for day, count, cents in rows]


def today_totals(merchant_id, today: date) -> dict:
    """{day, roundup_count, roundups_cents} of the live round-ups of `today` (a local day)."""
    days = daily_totals(merchant_id, today, today)
    count, cents = (days[0][1], days[0][2]) if days else (0, 0)
    return {"day": today, "roundup_count": count, "roundups_cents": cents}


def till_setup(merchant, key_kind, today: date) -> dict:
    """What a till at the counter is given once: the merchant, its rule and beneficiaries, today's figures."""
    return {
        "merchant": {"slug": merchant.slug, "name": merchant.name},
        "rule": {"rounding_step_cents": merchant.rounding_step_cents,
                 "round_exact_baskets": merchant.round_exact_baskets,
                 "top_ups_cents": sorted(merchant.top_ups_cents or []),
                 "max_roundup_cents": merchant.max_roundup_cents, "rule_version": merchant.rule_version},
        "beneficiaries": [beneficiary_name(b) for b in merchant.beneficiaries],
        "key_kind": getattr(key_kind, "value", key_kind),
        "today": today_totals(merchant.id, today),
    }


def merchant_summary(merchant, date_from: date, date_to: date) -> dict:
    """Totals per day and per beneficiary (the current shares) over a period."""
    days = daily_totals(merchant.id, date_from, date_to)
    count = sum(day[1] for day in days)
    total = sum(day[2] for day in days)
    beneficiaries = list(merchant.beneficiaries)
    amounts = split_largest_remainder(total, [b.share_basis_points for b in beneficiaries]) if beneficiaries else []
    return {
        "from": date_from, "to": date_to, "roundup_count": count, "roundups_cents": total,
        "days": [{"day": day, "roundup_count": n, "roundups_cents": cents} for day, n, cents in days],
        "beneficiaries": [
            {"name": beneficiary_name(b), "kind": "organization" if b.organization_id else "campaign",
             "share_basis_points": b.share_basis_points, "roundups_cents": amount}
            for b, amount in zip(beneficiaries, amounts)
        ],
    }


def beneficiary_name(beneficiary) -> str:
    if beneficiary.organization_id is not None:
        return beneficiary.organization.name
    return db.session.get(Campaign, beneficiary.campaign_id).title


def settlements_for(*, merchant_id=None, organization_id=None, month: date | None = None) -> Select:
    """The statements a merchant (its own) or an organization (those it has a line in) may read."""
    query = select(Settlement).order_by(Settlement.month.desc(), Settlement.id)
    if merchant_id is not None:
        query = query.where(Settlement.merchant_id == merchant_id)
    if organization_id is not None:
        query = query.where(Settlement.id.in_(
            select(SettlementLine.settlement_id).where(SettlementLine.recipient_organization_id == organization_id)))
    if month is not None:
        query = query.where(Settlement.month == month)
    return query


class DonorRoundups(NamedTuple):
    """What one identified donor gave an organization in a year through paid statements."""

    email: str
    cents: int
    payment_methods: tuple[str, ...]  # the tills' modes, e.g. ("card",) or ("card", "cash")


def donor_year_totals(organization_id, year) -> list[DonorRoundups]:
    """[(donor email, cents, payment methods)] given to `organization_id` in `year` through round-ups
    whose statement line the merchant has paid to it.

    Only money received counts: a statement line not yet paid to the organization is left out (its
    round-ups join a complementary annual receipt once it is paid). A donor's round-ups of the year
    (by the day they were given, in the territory's time zone), not voided, are taken per statement that collected
    them, and split between that statement's lines by their shares with the same largest-remainder
    rule as the statement itself; the donor's part of every line whose money reaches the organization
    (its own line, or a line of one of its campaigns) is summed. The payment methods are those the
    tills recorded for the round-ups counted. The merchant's match is the merchant's gift, never the
    customer's.
    """
    lines_by_settlement = defaultdict(list)
    # Every line of the statements that paid the organization a line (the split needs all the shares);
    # only the organization's own lines that were paid count as its money.
    lines = db.session.execute(
        select(SettlementLine.settlement_id, SettlementLine.id, SettlementLine.share_basis_points,
               SettlementLine.recipient_organization_id, SettlementLine.paid_on)
        .where(SettlementLine.settlement_id.in_(
            select(SettlementLine.settlement_id).where(SettlementLine.recipient_organization_id == organization_id,
                                                       SettlementLine.paid_on.is_not(None))))
        .order_by(SettlementLine.settlement_id, SettlementLine.id))
    for settlement_id, _, share, recipient, paid_on in lines:
        lines_by_settlement[settlement_id].append((share, recipient == organization_id and paid_on is not None))
    if not lines_by_settlement:
        return []
    gifts = db.session.execute(
        select(Roundup.settlement_id, Roundup.donor_email, Roundup.payment_method, func.sum(Roundup.roundup_cents))
        .where(Roundup.donor_email.is_not(None), Roundup.voided_at.is_(None),
               Roundup.settlement_id.in_(list(lines_by_settlement)),
               Roundup.occurred_on >= date(year, 1, 1), Roundup.occurred_on < date(year + 1, 1, 1))
        .group_by(Roundup.settlement_id, Roundup.donor_email, Roundup.payment_method))
    totals, methods = defaultdict(int), defaultdict(set)
    for settlement_id, email, method, cents in gifts:
        shares = lines_by_settlement[settlement_id]
        parts = split_largest_remainder(int(cents), [share for share, _ in shares])
        ours = sum(part for part, (_, mine) in zip(parts, shares) if mine)
        totals[email] += ours
        if ours > 0:
            methods[email].add(RoundupPaymentMethod(method).value)
    return sorted(DonorRoundups(email, cents, tuple(sorted(methods[email])))
                  for email, cents in totals.items() if cents > 0)
