"""The single-scheduler lock survives a PostgreSQL restart correctly (PostgreSQL only).

Scheduler A holds the advisory lock and runs a short job; its lock's backend is terminated (what a
PostgreSQL restart does to it, without restarting the cluster the test run shares); scheduler B takes
the lock. At no time do both run jobs: A proves its lease before every run, finds it gone and runs
nothing more, recording (and alerting about) the skipped run; it stays as a standby and takes over
once B goes away. Bounded to a few seconds.
"""
import time
import uuid

import pytest
from sqlalchemy import create_engine, select, text

from app import create_app
from app.extensions import db
from app.jobs_log import JobRun, RunOutcome
from app.scheduler import LOST, UNREACHABLE, SingleInstanceLock, build_scheduler, jobs, register_job, run_job

TICK_SECONDS = 0.3


@pytest.fixture
def postgresql(base_config):
    if not base_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the advisory lock is PostgreSQL's; SQLite keeps a file lock (tests/test_job_runs.py)")
    return base_config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture
def ticks(postgresql):
    """A table of this test's own where each run of the job writes (instance, started, finished)."""
    table = f"lease_ticks_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgresql, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE TABLE {table} (instance TEXT, started DOUBLE PRECISION, "
                                "finished DOUBLE PRECISION)"))
    try:
        yield table, admin
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP TABLE {table}"))
        admin.dispose()


def _scheduler_app(app, name, table):
    """`app` with one job only: every TICK_SECONDS, write a row saying this instance ran."""
    def tick():
        started = time.time()
        db.session.execute(text(f"INSERT INTO {table} VALUES (:i, :s, :f)"),
                           {"i": name, "s": started, "f": None})
        time.sleep(0.02)
        db.session.execute(text(f"UPDATE {table} SET finished = :f WHERE instance = :i AND started = :s"),
                           {"i": name, "s": started, "f": time.time()})
        db.session.commit()

    app.extensions["solidaire.jobs"] = {}
    register_job(app, "test.tick", tick, "interval", seconds=TICK_SECONDS)
    return app


def _rows(admin, table, instance=None):
    with admin.connect() as connection:
        rows = connection.execute(text(f"SELECT instance, started, finished FROM {table} ORDER BY started")).all()
    return [r for r in rows if instance is None or r.instance == instance]


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_the_scheduler_that_lost_its_lock_runs_no_job_while_another_holds_it(app, base_config, ticks):
    table, admin = ticks
    key = 0x50_4C_00_00_00 + uuid.uuid4().int % 0xFFFFFF
    app.config["ALERT_EMAIL"] = f"ops-{uuid.uuid4().hex[:8]}@solidaire.example"
    app_a = _scheduler_app(app, "A", table)
    app_b = _scheduler_app(create_app(base_config), "B", table)
    lock_a, lock_b = SingleInstanceLock(app_a, key=key), SingleInstanceLock(app_b, key=key)
    scheduler_a = build_scheduler(app_a, blocking=False, lock=lock_a)
    scheduler_b = build_scheduler(app_b, blocking=False, lock=lock_b)
    try:
        assert lock_a.acquire()
        assert not lock_b.acquire()
        scheduler_a.start()
        assert _wait_for(lambda: len(_rows(admin, table, "A")) >= 3, 5)

        took_over = None
        for _ in range(5):
            # Right after one of A's runs has finished, its lock's backend dies (as in a restart).
            count = len(_rows(admin, table, "A"))
            assert _wait_for(lambda: len([r for r in _rows(admin, table, "A") if r.finished]) > count, 3)
            with admin.connect() as connection:
                assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": lock_a.backend_pid})
            if _wait_for(lock_b.acquire, 1):
                took_over = time.time()
                break
            # A proved first that nobody held it and took it again (allowed): try again.
        assert took_over is not None, "B never got the lock"
        scheduler_b.start()
        assert _wait_for(lambda: len(_rows(admin, table, "B")) >= 4, 5)
        assert _wait_for(lambda: lock_a.lost, 2)
        time.sleep(2 * TICK_SECONDS)

        a_runs, b_runs = _rows(admin, table, "A"), _rows(admin, table, "B")
        # A ran nothing once B held the lock, and their runs never overlapped.
        assert all(r.started < took_over for r in a_runs)
        assert max(r.finished for r in a_runs) < min(r.started for r in b_runs)
        assert not lock_a.held
        with app.app_context():
            skipped = db.session.execute(select(JobRun.outcome, JobRun.error)
                                         .where(JobRun.outcome == RunOutcome.skipped)).all()
        assert skipped == [(RunOutcome.skipped, LOST)]  # once, not at every tick

        # B goes away: A, still alive as a standby, takes over; still never both at once.
        scheduler_b.shutdown(wait=True)
        lock_b.release()
        b_stopped = time.time()
        assert _wait_for(lambda: any(r.started > b_stopped for r in _rows(admin, table, "A")), 3)
        assert lock_a.held and not lock_a.lost
    finally:
        for scheduler in (scheduler_a, scheduler_b):
            if scheduler.running:
                scheduler.shutdown(wait=True)
        lock_a.release()
        lock_b.release()
        with app_b.app_context():
            db.engine.dispose()

    runs = sorted(_rows(admin, table), key=lambda r: r.started)
    for before, after in zip(runs, runs[1:]):
        if before.instance != after.instance:
            assert before.finished <= after.started, (before, after)


def test_a_holder_whose_connection_died_takes_the_free_lock_again(app, base_config, ticks):
    """A restart with no other scheduler: the holder takes the lock again and goes on running jobs."""
    table, admin = ticks
    key = 0x50_4C_00_00_00 + uuid.uuid4().int % 0xFFFFFF
    lock = SingleInstanceLock(_scheduler_app(app, "A", table), key=key)
    try:
        assert lock.acquire()
        first_pid = lock.backend_pid
        with admin.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
        assert _wait_for(lambda: not _held_by(admin, key, first_pid), 3)
        assert lock.check() and lock.backend_pid != first_pid and _held_by(admin, key, lock.backend_pid)
        assert not lock.lost
    finally:
        lock.release()
    assert not _held_by(admin, key, None)  # released for real, not left on a pooled connection


def _held_by(admin, key, pid):
    with admin.connect() as connection:
        holders = connection.execute(text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = :low "
            "AND classid::bigint = :high"), {"low": key & 0xFFFFFFFF, "high": key >> 32}).scalars().all()
    return bool(holders) if pid is None else pid in holders



def test_with_the_database_unreachable_no_job_runs_and_the_operators_are_told(postgresql, base_config, tmp_path):
    """The lock cannot be proven: nothing runs; the skipped run cannot be written, so it is logged and
    emailed (without the database, the once-an-hour check cannot be read: one email is sent)."""
    from tests.test_job_runs import _alerts

    address = f"ops-{uuid.uuid4().hex[:8]}@solidaire.example"
    down = create_app({**base_config, "ALERT_EMAIL": address, "OUTBOX_DIR": str(tmp_path),
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/solidaire"})
    ran = []
    register_job(down, "test.tick", lambda: ran.append(1), "interval", minutes=1)
    lock = SingleInstanceLock(down)
    try:
        assert not lock.acquire() and lock.unreachable
        assert run_job(down, jobs(down)["test.tick"], lock) is RunOutcome.skipped
        assert ran == []
        [(subject, body)] = _alerts(down, address)
        assert "test.tick" in subject and UNREACHABLE in body
    finally:
        lock.release()
