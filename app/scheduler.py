"""Scheduled jobs: packages register them here; `flask scheduler run` runs them in one process.

Only one scheduler runs jobs at a time, however many hosts start one. The lock is a lease proven
before every run (`SingleInstanceLock.check`): on PostgreSQL a session advisory lock held by a
dedicated connection, on SQLite (a single host) an exclusive file lock. When the lock's connection
dies (PostgreSQL restarted, the backend terminated) the lock is gone with it: at its next run the
scheduler takes it again on a fresh connection if no one else has, and otherwise runs no job from
that moment, records the skipped run and alerts. A scheduler that does not hold the lock (started
second, or one that lost it) stays alive as a standby: it tries to take the lock at every due run
and takes over when the holder goes away, so a supervisor need not restart it.

Every run, failed run and skipped run is a `job_runs` row (app/jobs_log.py, `flask scheduler runs`);
a failure is logged at ERROR and emailed to ALERT_EMAIL (at most once an hour per job).
"""
import fcntl
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import jobs_log
from app.extensions import db
from app.jobs_log import RunOutcome

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x50_4C_44_52  # arbitrary, constant: "SOLIDAIRE scheduler"

STANDBY = "another scheduler holds the lock: this one waits as a standby and runs no job"
LOST = ("this scheduler lost its lock (its database connection died) and another scheduler holds it "
        "now: this one runs no job")
STILL_RUNNING = "its previous run is still going"
UNREACHABLE = "the database does not answer: no job runs until it does"
MISSED = "missed its time (the scheduler was busy or stopped)"

@dataclass
class Job:
    id: str
    func: object
    trigger: str  # "cron" or "interval", as APScheduler names them
    trigger_args: dict = field(default_factory=dict)
    description: str = ""


def register_job(app, job_id, func, trigger, description="", **trigger_args):
    """Declare a job; `func` is called with no argument inside an application context."""
    app.extensions.setdefault("solidaire.jobs", {})[job_id] = Job(job_id, func, trigger, trigger_args, description)


def jobs(app):
    return app.extensions.get("solidaire.jobs", {})


def run_job(app, job, lock=None) -> RunOutcome:
    """Run `job` once and record the run. With `lock`, only if this scheduler proves it holds it now."""
    with app.app_context():
        if lock is not None and not lock.check():
            if lock.first_skip(job.id):  # one row per job and change of state, not one a minute
                reason = LOST if lock.lost else UNREACHABLE if lock.unreachable else STANDBY
                jobs_log.run_skipped(job.id, reason, alert=lock.lost or lock.unreachable)
            else:
                log.debug("job %s skipped: not the scheduler holding the lock", job.id)
            return RunOutcome.skipped
        run_id = jobs_log.run_started(job.id)
        started = time.monotonic()
        error = None
        try:
            job.func()
        except Exception as exc:
            error = exc
            db.session.rollback()
            log.exception("job %s failed", job.id)
        finally:
            db.session.remove()
        if error is None:
            log.info("job %s done in %.2fs", job.id, time.monotonic() - started)
            jobs_log.run_finished(run_id, job.id, RunOutcome.done)
            return RunOutcome.done
        jobs_log.run_finished(run_id, job.id, RunOutcome.failed, jobs_log.describe(error))
        jobs_log.send_alert(job.id, run_id, jobs_log.describe(error))
        return RunOutcome.failed


class SingleInstanceLock:
    """The lease that makes this process the one scheduler.

    `acquire` tries to take it (False if another holds it); `check`, before each run, proves it is
    still held, or takes it if it is free (a standby taking over), and says whether to run.
    """

    def __init__(self, app, key=ADVISORY_LOCK_KEY):
        self.app = app
        self.key = key
        with app.app_context():
            self.engine = db.engine
        self.connection = None  # PostgreSQL: the connection whose session holds the advisory lock
        self.backend_pid = None
        self.file = None  # SQLite: the locked file
        self.held = False
        self.lost = False  # held once, then lost to another scheduler
        self.unreachable = False  # the last attempt to take it could not reach the database
        self._mutex = threading.Lock()  # jobs run in a thread pool: one check at a time
        self._skipped = set()  # jobs whose skip is recorded since the last change of state

    @property
    def _postgresql(self):
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        with self._mutex:
            return self._take()

    def check(self) -> bool:
        with self._mutex:
            if self.held:
                if self._still_held():
                    return True
                self.held = False
                self._drop_connection()
                log.error("scheduler lock lost (its database connection died): taking it again if it is free")
                if self._take():
                    log.warning("scheduler lock taken again: no other scheduler had taken it")
                    return True
                if self.unreachable:
                    log.error("scheduler lock: the database does not answer; no job runs until it does")
                    self._skipped.clear()
                    return False
                # Another scheduler holds it now: stop running jobs at once (a skipped run, alerted,
                # once per job), and stay as its standby.
                log.error("another scheduler holds the lock now: this one runs no job")
                self.lost = True
                self._skipped.clear()
                return False
            if self._take():
                log.warning("scheduler lock taken: this scheduler runs the jobs from now on")
                return True
            return False

    def first_skip(self, job_id) -> bool:
        """True the first time `job_id` is skipped since the lock was last taken or lost."""
        with self._mutex:
            if job_id in self._skipped:
                return False
            self._skipped.add(job_id)
            return True

    def _take(self) -> bool:
        if self._postgresql:
            if not self._take_advisory_lock():
                return False
        else:
            if self.file is None:
                path = self._lock_file()
                path.parent.mkdir(parents=True, exist_ok=True)
                self.file = open(path, "w")
            try:
                fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
        self.held = True
        self.lost = False
        self._skipped.clear()
        return True

    def _lock_file(self) -> Path:
        """SQLite: a file beside the database (one scheduler per database), else in the instance folder."""
        database = self.engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            database = Path(database)
            return database.parent / f"{database.name}.scheduler.lock"
        return Path(self.app.instance_path) / "scheduler.lock"

    def _take_advisory_lock(self) -> bool:
        self.unreachable = False
        try:
            # Autocommit: the lock's session is never left idle in a transaction (which
            # idle_in_transaction_session_timeout would end, and the lock with it).
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError as error:
            log.warning("scheduler lock: database unreachable (%s)", error.orig)
            self.unreachable = True
            return False
        try:
            got = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
            pid = connection.scalar(text("SELECT pg_backend_pid()")) if got else None
        except DBAPIError as error:
            log.warning("scheduler lock: could not ask for it (%s)", error.orig)
            self.unreachable = True
            connection.invalidate()
            connection.close()
            return False
        if not got:
            connection.close()
            return False
        self.connection, self.backend_pid = connection, pid
        return True

    def _still_held(self) -> bool:
        if not self._postgresql:
            return True  # a file lock lasts as long as this process keeps the file open
        try:
            # The lock belongs to this connection's session: the connection answers, and says it holds it.
            return bool(self.connection.scalar(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND classid::bigint = :high AND objid::bigint = :low"
                " AND objsubid = 1"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"),
                {"high": (self.key >> 32) & 0xFFFFFFFF, "low": self.key & 0xFFFFFFFF}))
        except DBAPIError as error:
            log.warning("scheduler lock's connection failed: %s", error.orig)
            return False

    def _drop_connection(self):
        if self.connection is not None:
            # Invalidate rather than return to the pool: a pooled connection would keep the lock.
            try:
                self.connection.invalidate()
                self.connection.close()
            except Exception:
                log.debug("closing the scheduler lock's connection", exc_info=True)
            self.connection = None

    def release(self):
        with self._mutex:
            if self.held and self.connection is not None:
                try:  # at once, rather than when the server notices the closed connection
                    self.connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                except DBAPIError:
                    log.debug("unlocking the scheduler lock", exc_info=True)
            self.held = False
            self._drop_connection()
            if self.file is not None:
                self.file.close()
                self.file = None


def build_scheduler(app, blocking=True, lock=None):
    """An APScheduler scheduler running every registered job through `run_job` (under `lock` when given)."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=app.config["TIMEZONE"], job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs(app).values():
        scheduler.add_job(run_job, job.trigger, args=(app, job, lock), id=job.id,
                          name=job.description or job.id, misfire_grace_time=3600, **job.trigger_args)

    def not_run(event):
        # APScheduler did not start a due run: the previous one still going (a job that hangs), or
        # the time missed. Only the scheduler holding the lock says so (a standby's runs are not due).
        if lock is not None and not lock.held:
            return
        with app.app_context():
            if event.code == EVENT_JOB_MAX_INSTANCES:
                jobs_log.run_skipped(event.job_id, STILL_RUNNING, alert=True)
            else:
                jobs_log.run_skipped(event.job_id, MISSED)

    scheduler.add_listener(not_run, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    return scheduler


scheduler_cli = AppGroup("scheduler", help="Run the scheduled jobs.")


@scheduler_cli.command("list")
def list_command():
    """List the registered jobs and when they run."""
    for job in jobs(current_app).values():
        args = ", ".join(f"{k}={v}" for k, v in job.trigger_args.items())
        click.echo(f"{job.id:32} {job.trigger}({args})  {job.description}")


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler in this process: the one holding the lock runs the jobs, another waits as its
    standby and takes over when it goes away."""
    app = current_app._get_current_object()
    lock = SingleInstanceLock(app)
    if lock.acquire():
        click.echo(f"Scheduler running {len(jobs(app))} jobs ({app.config['TIMEZONE']}).")
    else:
        click.echo("Another scheduler holds the lock: this one waits as a standby and takes over when it "
                   "goes away.")
    try:
        build_scheduler(app, lock=lock).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


@scheduler_cli.command("run-job")
@click.argument("job_id")
def run_job_command(job_id):
    """Run one job now, once (recorded in the job runs; fails if the job fails)."""
    app = current_app._get_current_object()
    job = jobs(app).get(job_id)
    if job is None:
        raise click.ClickException(f"no job {job_id!r}; see `flask scheduler list`")
    if run_job(app, job) is RunOutcome.failed:
        raise click.ClickException(f"job {job_id} failed; see the log")


@scheduler_cli.command("runs")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--job", "job_id", help="Only this job's runs.")
@click.option("--outcome", type=click.Choice([o.value for o in RunOutcome]), help="Only runs that ended so.")
def runs_command(limit, job_id, outcome):
    """List the latest job runs, newest first: when, how long, outcome, where, and why it failed or was skipped."""
    runs = jobs_log.latest_runs(limit, job_id, RunOutcome(outcome) if outcome else None)
    if not runs:
        click.echo("No job run recorded.")
    for run in runs:
        took = f"{(run.finished_at - run.started_at).total_seconds():7.1f}s" if run.finished_at else "       -"
        click.echo(f"{run.started_at:%Y-%m-%d %H:%M:%S}Z {took} {run.outcome.value:8} {run.job_id:32} "
                   f"{run.host}:{run.pid}" + (f"  {run.error}" if run.error else ""))


def init_app(app):
    app.cli.add_command(scheduler_cli)
