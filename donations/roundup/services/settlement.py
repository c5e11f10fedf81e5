"""Monthly settlement: each merchant's statement, split between its beneficiaries to the cent.

Set-based: one UPDATE marks the round-ups a statement collects, one more the voids it gives back,
and aggregates read the sums; Python only ever loops over beneficiaries. One statement per merchant
and month (a UNIQUE constraint), so a re-run or a second scheduler finds it and changes nothing.
"""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.formatting import local_today
from app.lookups import get_by_id
from app.money import split_largest_remainder
from app.types import utcnow
from campaigns.models import Campaign, CampaignStatus, Organization
from campaigns.services import add_contribution
from donations.roundup.models import Merchant, Roundup, Settlement, SettlementLine, SettlementStatus

# A campaign that no longer takes money (failed, closed, cancelled) still has its organization:
# the round-up money goes to the organization directly.
CAMPAIGN_TAKES_MONEY = {CampaignStatus.published, CampaignStatus.succeeded}


def parse_month(value) -> date:
    """`2026-11` -> date(2026, 11, 1), or InvalidInput."""
    try:
        parsed = datetime.strptime(value or "", "%Y-%m")
    except ValueError:
        raise InvalidInput("a month as YYYY-MM", "month")
    return parsed.date()


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_end_instant(month: date) -> datetime:
    """The first instant of the following month in the territory's time zone."""
    return datetime.combine(next_month(month), time(), ZoneInfo(current_app.config["TIMEZONE"]))


def settle_month(merchant, month: date) -> tuple[Settlement, bool]:
    """Settle `merchant` for `month` (a first of month); returns (Settlement, created).

    Collects every round-up of the month or before that no statement has collected yet (a till that
    uploads late is settled the month after), gives back the voids of settled round-ups, adds the
    merchant's match within its monthly cap, and splits the total between the beneficiaries.
    """
    _check_month_over(month)
    existing = _settlement(merchant.id, month)
    if existing is not None:
        return existing, False
    later = db.session.scalar(select(Settlement.month).where(Settlement.merchant_id == merchant.id,
                                                             Settlement.month > month).limit(1))
    if later is not None:
        raise Conflict(f"{merchant.slug} is settled for {later:%Y-%m} already; {month:%Y-%m} went into it",
                       "month")
    created = _settle(month, [merchant.id])
    if created:
        return created[0], True
    # Another process settled this month at the same moment: its statement stands.
    return _settlement(merchant.id, month), False


def _check_month_over(month):
    if next_month(month) > local_today():
        raise InvalidInput(f"{month:%Y-%m} is not over yet", "month")


def _settle(month: date, merchant_ids):
    """Make the statements of `month` for these merchants, set-based; returns the ones created here.

    One INSERT creates the statements (the UNIQUE (merchant, month) leaves out any made meanwhile),
    one UPDATE marks the round-ups they collect, one more the voids they give back; Python then
    only loops over statements and beneficiaries.
    """
    if not merchant_ids:
        return []
    dialect = db.session.get_bind().dialect.name
    # Not `app.sql.insert_ignoring`: one statement for all the merchants, and it must return the ids of
    # the statements it created (those another process made meanwhile are left out by the UNIQUE).
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [{"merchant_id": merchant_id, "month": month, "status": SettlementStatus.issued.value,
             "created_at": utcnow()} for merchant_id in merchant_ids]
    new_ids = list(db.session.scalars(
        insert(Settlement.__table__).on_conflict_do_nothing(index_elements=["merchant_id", "month"])
        .returning(Settlement.id), rows))
    if not new_ids:
        return []
    end = next_month(month)
    collect = (update(Roundup)
               .where(Roundup.merchant_id == Settlement.merchant_id, Settlement.id.in_(new_ids),
                      Roundup.settlement_id.is_(None), Roundup.voided_at.is_(None), Roundup.occurred_on < end)
               .values(settlement_id=Settlement.id))
    give_back = (update(Roundup)
                 .where(Roundup.merchant_id == Settlement.merchant_id, Settlement.id.in_(new_ids),
                        Roundup.settlement_id.is_not(None), Roundup.settlement_id != Settlement.id,
                        Roundup.voided_at.is_not(None), Roundup.voided_at < month_end_instant(month),
                        Roundup.void_settlement_id.is_(None))
                 .values(void_settlement_id=Settlement.id))
    collected = _marked(collect, Roundup.settlement_id, new_ids, dialect)
    given_back = _marked(give_back, Roundup.void_settlement_id, new_ids, dialect)

    latest = (select(Settlement.merchant_id, func.max(Settlement.month).label("month"))
              .where(Settlement.merchant_id.in_(merchant_ids), Settlement.month < month)
              .group_by(Settlement.merchant_id).subquery())
    carried = {merchant_id: cents for merchant_id, cents in db.session.execute(
        select(Settlement.merchant_id, Settlement.carry_out_cents)
        .join(latest, and_(Settlement.merchant_id == latest.c.merchant_id, Settlement.month == latest.c.month)))}
    settlements = db.session.scalars(select(Settlement).where(Settlement.id.in_(new_ids))
                                     .execution_options(populate_existing=True)).all()
    merchants = {m.id: m for m in db.session.scalars(
        select(Merchant).where(Merchant.id.in_([s.merchant_id for s in settlements]))
        .options(selectinload(Merchant.beneficiaries)))}
    targets = _targets(merchants.values())
    for settlement in settlements:
        merchant = merchants[settlement.merchant_id]
        settlement.roundup_count, settlement.roundups_cents = collected.get(settlement.id, (0, 0))
        settlement.adjustment_count, settlement.adjustments_cents = given_back.get(settlement.id, (0, 0))
        settlement.carried_in_cents = carried.get(merchant.id, 0)
        settlement.match_cents = match_for(merchant, settlement.roundups_cents)
        net = (settlement.roundups_cents + settlement.match_cents - settlement.adjustments_cents
               - settlement.carried_in_cents)
        settlement.total_cents, settlement.carry_out_cents = max(net, 0), max(-net, 0)
        settlement.lines = _lines(merchant, settlement, targets)
    db.session.flush()
    for settlement in settlements:
        _credit_campaigns(settlement)
    return settlements


def _marked(statement, column, settlement_ids, dialect):
    """Run a marking UPDATE; returns {settlement id: (count, cents)} of the rows it marked."""
    if dialect == "postgresql":
        # Aggregate the rows as they are marked: no second pass over them, no index needed for it.
        marked = statement.returning(column.label("settlement_id"), Roundup.roundup_cents).cte("marked")
        rows = db.session.execute(select(marked.c.settlement_id, func.count(),
                                         func.coalesce(func.sum(marked.c.roundup_cents), 0))
                                  .group_by(marked.c.settlement_id))
    else:
        db.session.execute(statement.execution_options(synchronize_session=False))
        rows = db.session.execute(select(column, func.count(), func.coalesce(func.sum(Roundup.roundup_cents), 0))
                                  .where(column.in_(settlement_ids)).group_by(column))
    return {settlement_id: (count, int(cents)) for settlement_id, count, cents in rows}


def match_for(merchant, roundups_cents) -> int:
    """The merchant's own gift on the month's round-ups: its ratio, floored to the cent, within its cap."""
    matched = roundups_cents * merchant.match_ratio_percent // 100
    if merchant.match_monthly_cap_cents is not None:
        matched = min(matched, merchant.match_monthly_cap_cents)
    return matched


def _targets(merchants):
    """Names and states of every organization and campaign these merchants give to, in two queries."""
    beneficiaries = [b for merchant in merchants for b in merchant.beneficiaries]
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(
        Campaign.id.in_({b.campaign_id for b in beneficiaries if b.campaign_id})))}
    organization_ids = {b.organization_id for b in beneficiaries if b.organization_id}
    organization_ids |= {c.organization_id for c in campaigns.values()}
    organizations = {o.id: o for o in db.session.scalars(select(Organization).where(
        Organization.id.in_(organization_ids)))}
    return organizations, campaigns


def _lines(merchant, settlement, targets):
    organizations, campaigns = targets
    beneficiaries = list(merchant.beneficiaries)
    if not beneficiaries:
        raise Conflict(f"{merchant.slug} has no beneficiary to settle to", "beneficiaries")
    shares = [b.share_basis_points for b in beneficiaries]
    amounts = split_largest_remainder(settlement.total_cents, shares)
    # A credit carried in or voids given back may leave the merchant paying less than its match: only
    # what it pays is its gift.
    matches = split_largest_remainder(min(settlement.match_cents, settlement.total_cents), shares)
    lines = []
    for beneficiary, amount, match in zip(beneficiaries, amounts, matches):
        if beneficiary.organization_id is not None:
            organization = organizations[beneficiary.organization_id]
            recipient, label = organization.id, organization.name
            organization_id, campaign_id = organization.id, None
        else:
            campaign = campaigns[beneficiary.campaign_id]
            recipient, label = campaign.organization_id, campaign.title
            organization_id, campaign_id = None, campaign.id
            if campaign.status not in CAMPAIGN_TAKES_MONEY:
                organization = organizations[campaign.organization_id]
                label = f"{organization.name} (campagne terminée : {campaign.title})"
                organization_id, campaign_id = organization.id, None
        lines.append(SettlementLine(organization_id=organization_id,
                                    campaign_id=campaign_id, recipient_organization_id=recipient,
                                    label=label[:300], share_basis_points=beneficiary.share_basis_points,
                                    amount_cents=amount, match_cents=match))
    return lines


def _credit_campaigns(settlement):
    """Settled money joins each beneficiary campaign's totals under the round-up source."""
    for line in settlement.lines:
        if line.campaign_id is not None and line.amount_cents > 0:
            add_contribution(line.campaign_id, "roundup", line.amount_cents,
                             reference=f"roundup-settlement:{settlement.id}:{line.id}")


def _settlement(merchant_id, month):
    return db.session.scalar(select(Settlement).where(Settlement.merchant_id == merchant_id,
                                                      Settlement.month == month))


def merchants_to_settle(month: date) -> list[Merchant]:
    """Merchants with something for `month`'s statement: round-ups not collected, voids not given back,
    or a credit carried from before. One aggregate query, whatever the number of round-ups."""
    end = next_month(month)
    pending = (select(Roundup.merchant_id)
               .where(Roundup.settlement_id.is_(None), Roundup.voided_at.is_(None), Roundup.occurred_on < end)
               .distinct())
    voids = (select(Roundup.merchant_id)
             .where(Roundup.settlement_id.is_not(None), Roundup.voided_at.is_not(None),
                    Roundup.void_settlement_id.is_(None), Roundup.voided_at < month_end_instant(month))
             .distinct())
    latest = (select(Settlement.merchant_id, func.max(Settlement.month).label("month"))
              .where(Settlement.month < month).group_by(Settlement.merchant_id).subquery())
    credits = (select(Settlement.merchant_id)
               .join(latest, and_(Settlement.merchant_id == latest.c.merchant_id, Settlement.month == latest.c.month))
               .where(Settlement.carry_out_cents > 0))
    ids = set(db.session.scalars(pending)) | set(db.session.scalars(voids)) | set(db.session.scalars(credits))
    already = set(db.session.scalars(select(Settlement.merchant_id).where(Settlement.month == month)))
    return db.session.scalars(select(Merchant).where(Merchant.id.in_(ids - already))
                              .options(selectinload(Merchant.beneficiaries)).order_by(Merchant.id)).all()


def settle_all(month: date, commit=None) -> list[tuple[str, Settlement | None, bool | str]]:
    """Settle every merchant for `month` in one transaction (`commit` is called after it).

    Returns [(merchant slug, Settlement or None, created or the reason it was not settled)].
    """
    _check_month_over(month)
    candidates = merchants_to_settle(month)
    later = set(db.session.scalars(select(Settlement.merchant_id).where(Settlement.month > month)))
    results = [(m.slug, None, f"settled for a later month already; {month:%Y-%m} went into it")
               for m in candidates if m.id in later]
    no_beneficiary = [m for m in candidates if m.id not in later and not m.beneficiaries]
    results += [(m.slug, None, "no beneficiary to settle to") for m in no_beneficiary]
    settle = [m for m in candidates if m.id not in later and m.beneficiaries]
    slugs = {m.id: m.slug for m in settle}
    created = _settle(month, list(slugs))
    if commit:
        commit()
    results += [(slugs[s.merchant_id], s, True) for s in created]
    return sorted(results, key=lambda item: item[0])


def get_settlement(settlement_id) -> Settlement:
    return get_by_id(Settlement, settlement_id, "statement")
