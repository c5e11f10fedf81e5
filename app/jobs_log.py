"""What the scheduled jobs did: one `job_runs` row per run (done or failed) and per skipped run, and an
email to ALERT_EMAIL when one fails or is skipped for a reason an operator must know about.

Every write here is a short transaction of its own on its own connection, never the job's session:
a job that fails and rolls back still leaves its failed run, and a run's row commits at once
(on SQLite it takes the write lock only for that one statement). The database being unreachable
must not stop the scheduler either: a row that cannot be written is logged instead.
"""
import enum
import logging
import os
import socket
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Boolean, Index, Integer, String, exists, insert, select, update
from sqlalchemy.orm import Mapped, aliased, mapped_column

from app.extensions import db
from app.mail import deliver, make_message
from app.types import UTCDateTime, enum_column, utcnow

log = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
ALERT_EVERY = timedelta(hours=1)  # at most one alert email per job in this time


class RunOutcome(str, enum.Enum):
    running = "running"  # started, not finished (a run killed half-way stays so)
    done = "done"
    failed = "failed"
    skipped = "skipped"  # not run: this scheduler is not the holder, or a previous run is still going


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_id_started_at", "job_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[RunOutcome] = mapped_column(enum_column(RunOutcome, 10))
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX_LENGTH))
    host: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column(Integer)
    alerted: Mapped[bool] = mapped_column(Boolean, default=False)


def _where():
    return {"host": socket.gethostname()[:100], "pid": os.getpid()}


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]


def run_started(job_id: str) -> int | None:
    """Record a run that starts now; its id, or None when the database cannot be written."""
    try:
        with db.engine.begin() as connection:
            return connection.execute(insert(JobRun).values(
                job_id=job_id, started_at=utcnow(), outcome=RunOutcome.running, alerted=False, **_where())
                .returning(JobRun.id)).scalar_one()
    except Exception:
        log.exception("could not record the start of job %s", job_id)
        return None


def run_finished(run_id: int | None, job_id: str, outcome: RunOutcome, error: str | None = None) -> None:
    """Record how a run ended (a new row when its start could not be recorded)."""
    values = {"finished_at": utcnow(), "outcome": outcome, "error": error and error[:ERROR_MAX_LENGTH]}
    try:
        with db.engine.begin() as connection:
            if run_id is None:
                connection.execute(insert(JobRun).values(job_id=job_id, started_at=values["finished_at"],
                                                         alerted=False, **values, **_where()))
            else:
                connection.execute(update(JobRun).where(JobRun.id == run_id).values(**values))
    except Exception:
        log.exception("could not record that job %s %s", job_id, outcome.value)


def run_skipped(job_id: str, reason: str, alert: bool = False) -> None:
    """Record a run that did not happen, and why; `alert` also emails ALERT_EMAIL (once an hour per job)."""
    log.log(logging.ERROR if alert else logging.WARNING, "job %s skipped: %s", job_id, reason)
    now = utcnow()
    run_id = None
    try:
        with db.engine.begin() as connection:
            run_id = connection.execute(insert(JobRun).values(
                job_id=job_id, started_at=now, finished_at=now, outcome=RunOutcome.skipped, error=reason,
                alerted=False, **_where()).returning(JobRun.id)).scalar_one()
    except Exception:
        log.exception("could not record that job %s was skipped", job_id)
    if alert:
        send_alert(job_id, run_id, f"skipped: {reason}")


def send_alert(job_id: str, run_id: int | None, what: str) -> bool:
    """Email ALERT_EMAIL about a job's failed or skipped run, unless one went out for that job within
    the hour (read from `job_runs`, so that a restarted scheduler does not repeat it). True if sent."""
    app = current_app._get_current_object()
    to = app.config.get("ALERT_EMAIL")
    if not to:
        return False
    now = utcnow()
    try:
        with db.engine.begin() as connection:
            if connection.scalar(select(exists().where(JobRun.job_id == job_id, JobRun.alerted.is_(True),
                                                       JobRun.started_at > now - ALERT_EVERY))):
                log.info("job %s: alert already sent within the hour", job_id)
                return False
            if run_id is not None:
                connection.execute(update(JobRun).where(JobRun.id == run_id).values(alerted=True))
    except Exception:
        log.exception("could not check the alerts already sent for job %s; sending one", job_id)
    where = _where()
    body = (f"Le travail planifié {job_id} n'a pas abouti ({now:%d/%m/%Y %H:%M} UTC, "
            f"hôte {where['host']}, processus {where['pid']}).\n\n{what}\n\n"
            "Les dernières exécutions : flask --app wsgi scheduler runs\n"
            "Au plus un message par heure pour ce travail.\n")
    try:
        deliver(app, make_message(to, f"[Solidaire] Travail planifié en échec : {job_id}", body))
    except Exception:
        log.exception("could not email the alert about job %s to %s", job_id, to)
        return False
    return True


def latest_runs(limit: int = 20, job_id: str | None = None, outcome: RunOutcome | None = None) -> list[JobRun]:
    """The latest runs, newest first."""
    statement = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job_id:
        statement = statement.where(JobRun.job_id == job_id)
    if outcome is not None:
        statement = statement.where(JobRun.outcome == outcome)
    return list(db.session.scalars(statement))


def recent_problems(days: int = 7, limit: int = 10) -> list[tuple[JobRun, bool]]:
    """Failed and skipped runs of the last `days`, newest first, each with whether a later run
    of the same job has succeeded since (the problem is over)."""
    later = aliased(JobRun)
    recovered = exists().where(later.job_id == JobRun.job_id, later.outcome == RunOutcome.done,
                               later.started_at > JobRun.started_at).label("recovered")
    rows = db.session.execute(
        select(JobRun, recovered)
        .where(JobRun.started_at > utcnow() - timedelta(days=days),
               JobRun.outcome.in_([RunOutcome.failed, RunOutcome.skipped]))
        .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)).all()
    return [(run, bool(was_recovered)) for run, was_recovered in rows]
