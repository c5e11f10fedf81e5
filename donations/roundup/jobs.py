"""Scheduled work of the round-up: the monthly settlement."""
import logging

from app.extensions import db
from app.formatting import local_today
from donations.roundup.services import settle_all
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


def init_app(app):
    from app.scheduler import register_job  # a registration on this app: only when the factory asks

    register_job(app, "roundup.monthly_settlement", settle_previous_month, "cron",
                 description="Settle the merchants' round-ups of the month just ended",
                 day=1, hour=2, minute=30)
