"""Monthly settlement: each merchant's statement, split between its beneficiaries to the cent.

Set-based: one UPDATE marks the round-ups a statement collects, one more the voids it gives back,
and aggregates read the sums; Python only ever loops over beneficiaries. One statement per merchant
and month (a UNIQUE constraint), so a re-run or a second scheduler finds it and changes nothing.
"""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from app.extensions import db
from app.formatting import local_today
from app.money import split_largest_remainder
from app.types import utcnow
from campaigns.models import Campaign, CampaignStatus, Organization
from donations.roundup.models import (SETTLEMENT_TRANSITIONS, Merchant, Roundup, Settlement, SettlementLine,
                                      SettlementStatus)

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


def settle_month(merchant, month: date):
    """Settle `merchant` for `month` (a first of month); returns (Settlement, created).

    Collects every round-up of the month or before that no statement has collected yet (a till that
    uploads late is settled the month after), gives back the voids of settled round-ups, adds the
    merchant's match within its monthly cap, and splits the total between the beneficiaries.
    """
    if next_month(month) > local_today():
        raise InvalidInput(f"{month:%Y-%m} is not over yet", "month")
    existing = _settlement(merchant.id, month)
    if existing is not None:
        return existing, False
    later = db.session.scalar(select(Settlement.month).where(Settlement.merchant_id == merchant.id,
                                                             Settlement.month > month).limit(1))
    if later is not None:
        raise Conflict(f"{merchant.slug} is settled for {later:%Y-%m} already; {month:%Y-%m} went into it",
                       "month")
    settlement = Settlement(merchant_id=merchant.id, month=month, status=SettlementStatus.issued)
    try:
        with db.session.begin_nested():
            db.session.add(settlement)
    except IntegrityError:
        # Another process settled this month at the same moment: its statement stands.
        return _settlement(merchant.id, month), False

    db.session.execute(
        update(Roundup)
        .where(Roundup.merchant_id == merchant.id, Roundup.settlement_id.is_(None), Roundup.voided_at.is_(None),
               Roundup.occurred_on < next_month(month))
        .values(settlement_id=settlement.id)
        .execution_options(synchronize_session=False))
    db.session.execute(
        update(Roundup)
        .where(Roundup.merchant_id == merchant.id, Roundup.settlement_id.is_not(None),
               Roundup.settlement_id != settlement.id, Roundup.voided_at.is_not(None),
               Roundup.voided_at < month_end_instant(month), Roundup.void_settlement_id.is_(None))
        .values(void_settlement_id=settlement.id)
        .execution_options(synchronize_session=False))
    collected = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Roundup.roundup_cents), 0))
        .where(Roundup.settlement_id == settlement.id)).one()
    given_back = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Roundup.roundup_cents), 0))
        .where(Roundup.void_settlement_id == settlement.id)).one()
    previous = db.session.scalar(select(Settlement).where(Settlement.merchant_id == merchant.id,
                                                          Settlement.month < month)
                                 .order_by(Settlement.month.desc()).limit(1))

    settlement.roundup_count, settlement.roundups_cents = collected[0], int(collected[1])
    settlement.adjustment_count, settlement.adjustments_cents = given_back[0], int(given_back[1])
    settlement.carried_in_cents = previous.carry_out_cents if previous is not None else 0
    settlement.match_cents = match_for(merchant, settlement.roundups_cents)
    net = (settlement.roundups_cents + settlement.match_cents - settlement.adjustments_cents
           - settlement.carried_in_cents)
    settlement.total_cents, settlement.carry_out_cents = max(net, 0), max(-net, 0)
    settlement.lines = _lines(merchant, settlement)
    db.session.flush()
    _credit_campaigns(settlement)
    return settlement, True


def match_for(merchant, roundups_cents):
    """The merchant's own gift on the month's round-ups: its ratio, floored to the cent, within its cap."""
    matched = roundups_cents * merchant.match_ratio_percent // 100
    if merchant.match_monthly_cap_cents is not None:
        matched = min(matched, merchant.match_monthly_cap_cents)
    return matched


def _lines(merchant, settlement):
    beneficiaries = list(merchant.beneficiaries)
    if not beneficiaries:
        raise Conflict(f"{merchant.slug} has no beneficiary to settle to", "beneficiaries")
    amounts = split_largest_remainder(settlement.total_cents, [b.share_basis_points for b in beneficiaries])
    lines = []
    for beneficiary, amount in zip(beneficiaries, amounts):
        if beneficiary.organization_id is not None:
            organization = db.session.get(Organization, beneficiary.organization_id)
            recipient, label = organization.id, organization.name
            organization_id, campaign_id = organization.id, None
        else:
            campaign = db.session.get(Campaign, beneficiary.campaign_id)
            recipient, label = campaign.organization_id, campaign.title
            organization_id, campaign_id = None, campaign.id
            if campaign.status not in CAMPAIGN_TAKES_MONEY:
                organization = db.session.get(Organization, campaign.organization_id)
                label = f"{organization.name} (campagne terminée : {campaign.title})"
                organization_id, campaign_id = organization.id, None
        lines.append(SettlementLine(organization_id=organization_id,
                                    campaign_id=campaign_id, recipient_organization_id=recipient,
                                    label=label[:300], share_basis_points=beneficiary.share_basis_points,
                                    amount_cents=amount))
    return lines


def _credit_campaigns(settlement):
    """Settled money joins each beneficiary campaign's totals under the round-up source."""
    from campaigns.services import add_contribution

    for line in settlement.lines:
        if line.campaign_id is not None and line.amount_cents > 0:
            add_contribution(line.campaign_id, "roundup", line.amount_cents,
                             reference=f"roundup-settlement:{settlement.id}:{line.id}")


def _settlement(merchant_id, month):
    return db.session.scalar(select(Settlement).where(Settlement.merchant_id == merchant_id,
                                                      Settlement.month == month))


def merchants_to_settle(month: date):
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
                              .order_by(Merchant.id)).all()


def settle_all(month: date, commit=None):
    """Settle every merchant for `month`, one transaction per merchant (`commit` is called after each).

    Returns [(merchant slug, Settlement or None, created or error text)].
    """
    results = []
    for merchant in merchants_to_settle(month):
        try:
            settlement, created = settle_month(merchant, month)
        except Conflict as error:  # refused before writing anything: nothing to roll back
            results.append((merchant.slug, None, error.detail))
            continue
        if commit:
            commit()
        results.append((merchant.slug, settlement, created))
    return results


def get_settlement(settlement_id) -> Settlement:
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None:
        raise NotFound(f"no statement {settlement_id}")
    return settlement


def mark_paid(settlement):
    if SettlementStatus.paid not in SETTLEMENT_TRANSITIONS[settlement.status]:
        raise InvalidTransition(f"a {settlement.status.value} statement cannot be marked paid", "status")
    settlement.status = SettlementStatus.paid
    settlement.paid_at = utcnow()
    db.session.flush()
    return settlement
