"""Scheduled work of the round-up: the monthly settlement, and the statements' SEPA debits."""
import logging

from app.extensions import db
from app.formatting import local_today
from donations.roundup.services import settle_all
from donations.roundup.services.debits import collect_statements, reconcile_debits
from donations.roundup.services.settlement import previous_month

log = logging.getLogger(__name__)


def settle_previous_month():
    """On the first of the month, settle the month that just ended (a re-run changes nothing)."""
    today = local_today()
    month = previous_month(today.replace(day=1))
    for slug, settlement, outcome in settle_all(month, commit=db.session.commit):
        if settlement is None:
            log.warning("round-up settlement %s %s refused: %s", slug, month, outcome)
        elif outcome:
            log.info("round-up settlement %s %s: %s cents", slug, month, settlement.total_cents)


def debit_statements():
    """Every morning, debit the statements issued STATEMENT_DEBIT_DAYS ago from the merchants' mandates."""
    settled = reconcile_debits()
    outcomes = collect_statements()
    if outcomes or settled:
        log.info("statements' SEPA debits: %s started, %s settled from Stripe", outcomes, settled)


def init_app(app):
    from app.scheduler import register_job  # a registration on this app: only when the factory asks

    register_job(app, "roundup.monthly_settlement", settle_previous_month, "cron",
                 description="Settle the merchants' round-ups of the month just ended",
                 day=1, hour=2, minute=30)
    register_job(app, "roundup.statement_debits", debit_statements, "cron",
                 description="Debit the merchants' statements by SEPA Direct Debit where they signed a mandate",
                 hour=6, minute=15)
