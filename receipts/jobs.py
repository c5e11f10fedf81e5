"""Scheduled work: issue queued receipts every minute, and last year's annual receipts every month.

The annual job runs on the 15th of every month for the previous calendar year (always ended): in
January it issues the year's annual receipts; later runs issue only what is new — a complementary
receipt for money of that year received since (a round-up statement paid in February, an offline
gift of December recorded in January), and the first receipt of a round-up donor who completed their
address late. Re-planning finds nothing to do for everyone else, so a run issues nothing twice.
The per-gift queue does not issue complementary receipts: an annual donor's money is receipted in
bulk, and a month's delay keeps it well before the donors' declaration in May.
"""
import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.extensions import db
from app.formatting import local_today
from app.scheduler import register_job
from campaigns.models import Organization, ReceiptRegime
from receipts.models import Receipt
from receipts.services import links
from receipts.services.annual import AnnualPlan, run_annual
from receipts.services.pdf import RenderPool
from receipts.services.queue import next_request, process_request, set_aside

log = logging.getLogger(__name__)


def issue_queued_receipts(limit=500) -> int:
    """Work through the queue, one committed transaction per request; returns how many were done.

    A row whose processing raises is set aside with its error (logged at ERROR, shown to
    administrators on the finance page) and the queue goes on with the next rows. A passing database
    error (a lock or statement timeout, a lost connection) sets nothing aside: the run stops and the
    next one takes the row again.
    """
    # The dated table, not one day's figures: each check takes the figures of its gift's date.
    rules = current_app.config["TAX_RULES"]
    done = 0
    conflicted = set()
    for _ in range(limit):
        request = next_request()
        if request is None:
            break
        request_id = request.id
        try:
            issued = process_request(request, rules)
            db.session.commit()
        except IntegrityError as error:
            # Another issuer got there first (a unique key refused the duplicate): nothing was
            # written by this attempt; the row is taken again as it now stands. Refused twice, it is
            # no race but a fault of this row.
            db.session.rollback()
            if request_id not in conflicted:
                conflicted.add(request_id)
                log.warning("receipt request %s will be retried", request_id)
                continue
            if not _set_aside(request_id, error):
                break
            continue
        except Exception as error:
            db.session.rollback()
            if _transient(error):
                log.warning("receipt request %s will be retried at the next run: %s", request_id, error)
                break
            if not _set_aside(request_id, error):
                break
            continue
        done += 1
        for receipt in issued:
            _notify(receipt)
    return done


def _transient(error: Exception) -> bool:
    """A database in trouble rather than a fault of the row: the same row may succeed at the next run."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def _set_aside(request_id: int, error: Exception) -> bool:
    """Set the row aside in a transaction of its own; False when even that fails (stop the run)."""
    reason = f"{type(error).__name__}: {error}"
    log.error("receipt request %s set aside: %s", request_id, reason, exc_info=error)
    try:
        set_aside(request_id, reason)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not set receipt request %s aside; the next run takes it again", request_id)
        return False
    return True


def _notify(receipt: Receipt) -> None:
    try:
        links.email_receipt(receipt)
    except Exception:  # the receipt is committed; a mail failure must not stop the queue
        log.exception("could not email receipt %s", receipt.number)


def issue_annual(organization, year, renderer=None, progress=None, notify=True,
                 today=None) -> tuple[AnnualPlan, int]:
    """Issue the organization's annual receipts of `year` (see `run_annual`; an ended year only, else
    InvalidInput naming `year`), email each donor once their chunk is committed, and invite the
    round-up donors whose address is still missing."""
    def after_commit(receipts):
        if notify:
            for receipt in receipts:
                _notify(receipt)

    plan, issued = run_annual(organization, year, renderer=renderer, progress=progress, on_chunk=after_commit,
                              today=today)
    if notify:
        for email, cents in plan.waiting_for_address:
            links.email_roundup_invitation(email, organization, year, cents)
    return plan, issued


def annual_receipts_job() -> None:
    """Last year's annual receipts, first and complementary, for every organization that issues them."""
    year = local_today().year - 1
    organizations = db.session.scalars(select(Organization).where(
        Organization.receipt_regime != ReceiptRegime.not_eligible).order_by(Organization.id)).all()
    with RenderPool() as pool:
        for organization in organizations:
            plan, issued = issue_annual(organization, year, renderer=pool)
            log.info("annual receipts %s %s: %s issued (%s complementary), %s already, %s waiting for an address",
                     organization.slug, year, issued, plan.complementary, plan.already_issued,
                     len(plan.waiting_for_address))


def register(app):
    register_job(app, "receipts.issue_queued", issue_queued_receipts, "interval", minutes=1,
                 description="Issue the receipts of succeeded gifts and partners' grants; correct refunded gifts")
    register_job(app, "receipts.annual", annual_receipts_job, "cron", day=15, hour=6,
                 description="Issue last year's annual receipts (January), then its complementary receipts")
