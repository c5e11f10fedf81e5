"""Failed and skipped job runs are visible and alert: every run is a `job_runs` row; a failure is
logged at ERROR and emailed to ALERT_EMAIL at most once an hour per job, and the next job still runs;
a run skipped (not the scheduler holding the lock, a previous run still going) is recorded; the
command line and the administrators' finance page list them."""
import email
import email.policy
import logging
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs_log import JobRun, RunOutcome
from app.scheduler import STANDBY, STILL_RUNNING, Job, SingleInstanceLock, build_scheduler, register_job, run_job
from tests.support import sign_in_as_latest


@pytest.fixture
def alert_email(app):
    address = f"ops-{uuid.uuid4().hex[:8]}@solidaire.example"
    app.config["ALERT_EMAIL"] = address
    return address


def _alerts(app, address):
    """The alert emails sent to `address`, as (subject, body)."""
    found = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append((message["Subject"], message.get_body().get_content()))
    return found


def _runs(app, job_id=None):
    with app.app_context():
        statement = select(JobRun).order_by(JobRun.id)
        if job_id:
            statement = statement.where(JobRun.job_id == job_id)
        return [(r.job_id, r.outcome, r.error, r.finished_at is not None, r.host, r.pid)
                for r in db.session.scalars(statement)]


def _broken():
    raise RuntimeError("le disque est plein")


def test_a_failed_job_is_recorded_logged_and_emailed_once_an_hour_and_the_next_job_runs(app, runner, actors,
                                                                                          client, alert_email,
                                                                                          caplog):
    done = []
    broken = Job("test.broken", _broken, "interval", {"minutes": 1})
    fine = Job("test.fine", lambda: done.append(1), "interval", {"minutes": 1})
    # (alembic's fileConfig, run by the migration tests, disables the loggers that exist then)
    logging.getLogger("app.scheduler").disabled = False
    with caplog.at_level(logging.ERROR, logger="app.scheduler"):
        assert run_job(app, broken) is RunOutcome.failed
    assert any(r.levelno == logging.ERROR and "test.broken" in r.getMessage() for r in caplog.records)
    assert run_job(app, fine) is RunOutcome.done and done == [1]

    (failed_job, outcome, error, finished, host, pid), (fine_job, fine_outcome, *_) = _runs(app)
    assert (failed_job, outcome, finished) == ("test.broken", RunOutcome.failed, True)
    assert error == "RuntimeError: le disque est plein" and host and pid > 0
    assert (fine_job, fine_outcome) == ("test.fine", RunOutcome.done)
    [(subject, body)] = _alerts(app, alert_email)
    assert "test.broken" in subject and "RuntimeError: le disque est plein" in body

    # Failing again within the hour: recorded, logged, but no second email (no flood).
    assert run_job(app, broken) is RunOutcome.failed
    assert [o for _, o, *_ in _runs(app, "test.broken")] == [RunOutcome.failed, RunOutcome.failed]
    assert len(_alerts(app, alert_email)) == 1

    # The command line lists the latest runs, newest first, with why they failed.
    listed = runner.invoke(args=["scheduler", "runs", "--limit", "5"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 3 and "test.broken" in lines[0] and "failed" in lines[0]
    assert "RuntimeError: le disque est plein" in lines[0] and "test.fine" in lines[1] and "done" in lines[1]
    only_failed = runner.invoke(args=["scheduler", "runs", "--outcome", "failed"]).output.splitlines()
    assert len(only_failed) == 2

    # Administrators see the failures on the finance page; finance officers do not.
    actors.organization("asso-test")
    actors.admin()
    actors.user("finance", organization="asso-test")
    sign_in_as_latest(client, app, "admin")
    page = client.get("/finance").get_data(as_text=True)
    assert "Travaux planifiés" in page and "test.broken" in page and "le disque est plein" in page
    assert "pas de réussite depuis" in page
    sign_in_as_latest(client, app, "finance")
    assert "test.broken" not in client.get("/finance").get_data(as_text=True)


def test_without_an_alert_address_a_failure_is_only_recorded(app, tmp_path):
    app.config["ALERT_EMAIL"] = ""
    app.config["OUTBOX_DIR"] = str(tmp_path)
    assert run_job(app, Job("test.broken", _broken, "interval", {"minutes": 1})) is RunOutcome.failed
    assert [o for _, o, *_ in _runs(app)] == [RunOutcome.failed]
    assert list(tmp_path.iterdir()) == []


def test_run_job_on_the_command_line_records_the_run_and_fails_with_the_job(app, runner):
    register_job(app, "test.broken", _broken, "interval", minutes=1)
    result = runner.invoke(args=["scheduler", "run-job", "test.broken"])
    assert result.exit_code != 0 and "test.broken failed" in result.output
    assert [(j, o) for j, o, *_ in _runs(app)] == [("test.broken", RunOutcome.failed)]


def test_a_scheduler_that_does_not_hold_the_lock_skips_and_records_it_once(app, base_config):
    from app import create_app

    ran = []
    job = Job("test.tick", lambda: ran.append(1), "interval", {"minutes": 1})
    holder = SingleInstanceLock(app, key=_key())
    other = SingleInstanceLock(create_app(base_config), key=holder.key)
    try:
        assert holder.acquire()
        assert not other.acquire()
        assert run_job(app, job, other) is RunOutcome.skipped
        assert run_job(app, job, other) is RunOutcome.skipped  # one row per change of state, not per minute
        assert ran == []
        assert [(o, e) for _, o, e, *_ in _runs(app)] == [(RunOutcome.skipped, STANDBY)]
        assert run_job(app, job, holder) is RunOutcome.done and ran == [1]
        # The holder goes away: the standby takes over at its next run.
        holder.release()
        assert run_job(app, job, other) is RunOutcome.done and ran == [1, 1]
    finally:
        holder.release()
        other.release()


def test_a_run_skipped_because_the_previous_one_is_still_going_is_recorded_and_alerted(app, alert_email):
    release = threading.Event()
    started = threading.Event()

    def slow():
        started.set()
        release.wait(10)

    register_job(app, "test.slow", slow, "interval", seconds=0.2)
    lock = SingleInstanceLock(app, key=_key())
    assert lock.acquire()
    scheduler = build_scheduler(app, blocking=False, lock=lock)
    scheduler.start()
    try:
        assert started.wait(5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(o is RunOutcome.skipped for _, o, *_ in _runs(app)):
            time.sleep(0.1)
    finally:
        release.set()
        scheduler.shutdown(wait=True)
        lock.release()
    skipped = [e for _, o, e, *_ in _runs(app, "test.slow") if o is RunOutcome.skipped]
    assert skipped and skipped[0] == STILL_RUNNING
    assert [s for s, _ in _alerts(app, alert_email)] == ["[Solidaire] Travail planifié en échec : test.slow"]


def _key():
    """A lock key of this test's own (PostgreSQL advisory locks are per database, shared by the run)."""
    return 0x50_4C_00_00_00 + uuid.uuid4().int % 0xFFFFFF
