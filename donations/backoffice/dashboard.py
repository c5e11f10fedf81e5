"""The administrators' home (/gestion): round-ups this month and the statements merchants still owe.

The checkout's hot path keeps no running total (one more row to update per basket would serialise
every till of the territory), so this month's round-ups are read from the round-ups themselves,
merchant by merchant along their (merchant, day) index: this month's rows only, never the history.
Statements carry their own totals."""
from sqlalchemy import BigInteger, cast, func, select

from app.auth.models import Role
from app.backoffice import add_home_panel
from app.extensions import db
from app.formatting import local_today
from donations.roundup.models import Merchant, Roundup, Settlement, SettlementStatus


def _sum(column):
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def roundups_this_month(today):
    """(count, cents, merchants with at least one) of the round-ups recorded since the 1st, voids excluded."""
    count, cents, merchants = db.session.execute(
        select(func.count(Roundup.id), _sum(Roundup.roundup_cents), func.count(func.distinct(Roundup.merchant_id)))
        .where(Roundup.merchant_id.in_(select(Merchant.id)), Roundup.occurred_on >= today.replace(day=1),
               Roundup.occurred_on <= today, Roundup.voided_at.is_(None))).one()
    return count, cents, merchants


def statements_unpaid():
    return db.session.execute(select(func.count(Settlement.id), _sum(Settlement.total_cents))
                              .where(Settlement.status == SettlementStatus.issued)).one()


def _context(user):
    today = local_today()
    count, cents, merchants = roundups_this_month(today)
    unpaid_count, unpaid_cents = statements_unpaid()
    return {"count": count, "cents": cents, "merchants": merchants, "unpaid_count": unpaid_count,
            "unpaid_cents": unpaid_cents}


def register(app):
    add_home_panel(app, "donations/backoffice/dashboard_panel.html", [Role.admin], context=_context, order=20)
