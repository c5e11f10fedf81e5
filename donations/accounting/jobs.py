"""Scheduled work of the accounting: partners' monthly calls for funds."""
import logging

from app.extensions import db
from app.formatting import local_today
from campaigns.services import issue_calls

log = logging.getLogger(__name__)


def issue_previous_month_calls():
    """On the first of the month, issue the calls for funds of the month that just ended (a re-run
    finds them and changes nothing)."""
    first = local_today().replace(day=1)
    month = first.replace(year=first.year - (first.month == 1), month=(first.month - 2) % 12 + 1)
    calls = issue_calls(month)
    db.session.commit()
    log.info("calls for funds %s: %s", month, len(calls))


def init_app(app):
    from app.scheduler import (
        register_job,  # a registration on this app: only when the factory asks
    )

    register_job(app, "accounting.calls_for_funds", issue_previous_month_calls, "cron",
                 description="Issue the partners' calls for funds of the month just ended", day=1, hour=3, minute=0)
