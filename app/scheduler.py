"""Scheduled jobs: packages register them here; `flask scheduler run` runs them in one process.

Only one scheduler may run jobs at a time, however many hosts start one: on PostgreSQL it holds a
session advisory lock for its whole life, on SQLite (a single host) an exclusive file lock.
"""
import fcntl
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import text

from app.extensions import db

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x50_4C_44_52  # arbitrary, constant: "SOLIDAIRE scheduler"


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


def run_job(app, job):
    with app.app_context():
        started = time.monotonic()
        try:
            job.func()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job.id)
        else:
            log.info("job %s done in %.2fs", job.id, time.monotonic() - started)
        finally:
            db.session.remove()


class SingleInstanceLock:
    """Held while this process is the one scheduler; `acquire` returns False if another holds it."""

    def __init__(self, app):
        self.app = app
        self.connection = None
        self.file = None

    def acquire(self):
        engine = db.engine
        if engine.dialect.name == "postgresql":
            self.connection = engine.connect()
            got = self.connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            self.connection.commit()
            return bool(got)
        path = Path(self.app.instance_path) / "scheduler.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(path, "w")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self):
        if self.connection is not None:
            self.connection.close()
        if self.file is not None:
            self.file.close()


def build_scheduler(app, blocking=True):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=app.config["TIMEZONE"], job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs(app).values():
        scheduler.add_job(run_job, job.trigger, args=(app, job), id=job.id, name=job.description or job.id,
                          misfire_grace_time=3600, **job.trigger_args)
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
    """Run the scheduler in this process (only one may run at a time)."""
    app = current_app._get_current_object()
    lock = SingleInstanceLock(app)
    if not lock.acquire():
        raise click.ClickException("another scheduler is running; this one stops")
    click.echo(f"Scheduler running {len(jobs(app))} jobs ({app.config['TIMEZONE']}).")
    try:
        build_scheduler(app).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


@scheduler_cli.command("run-job")
@click.argument("job_id")
def run_job_command(job_id):
    """Run one job now, once."""
    job = jobs(current_app).get(job_id)
    if job is None:
        raise click.ClickException(f"no job {job_id!r}; see `flask scheduler list`")
    job.func()


def init_app(app):
    app.cli.add_command(scheduler_cli)
