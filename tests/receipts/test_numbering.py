"""Numbers per organization and year: strictly sequential, no gap, no duplicate, even when several
processes issue at once or a batch is killed half-way."""
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app.engine import read_only
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def _issue_many(config, organization_slug, donation_ids, results):
    """In a child process with its own app and engine: one receipt per gift, one transaction each."""
    from app import create_app
    from campaigns import services
    from donations.models import Donation
    from receipts.services.issuing import issue_receipts, single_draft

    app = create_app(config)
    numbers = []
    with app.app_context():
        services.get_organization(organization_slug)
        for donation_id in donation_ids:
            [receipt] = issue_receipts([single_draft(db.session.get(Donation, donation_id))])
            numbers.append(receipt.number)
            db.session.commit()
        db.engine.dispose()
    results.put(numbers)


@pytest.mark.postgres
def test_processes_issuing_at_once_never_skip_or_repeat_a_number(app, base_config, finance, gifts):
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    campaign = gifts.campaign()
    gift_ids = [gifts.gift(campaign, 1_000 + i, receipt_choice="none", payment_method="transfer",
                           email=f"p{i}@example.org") for i in range(48)]
    with app.app_context():
        db.engine.dispose()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_issue_many, args=(base_config, "asso-test", gift_ids[i::6], results))
               for i in range(6)]
    for worker in workers:
        worker.start()
    numbers = [n for _ in workers for n in results.get(timeout=240)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    year = date.today().year
    assert sorted(numbers) == [f"{year}-{n:06d}" for n in range(1, 49)]
    assert [r[0] for r in gifts.receipts()] == [f"{year}-{n:06d}" for n in range(1, 49)]


def test_a_rolled_back_issue_gives_its_number_back(app, finance, gifts):
    from donations.models import Donation
    from receipts.services.issuing import issue_receipts, single_draft

    campaign = gifts.campaign()
    first, second = gifts.gift(campaign, 1_000, receipt_choice="none"), gifts.gift(campaign, 2_000, receipt_choice="none")
    with app.app_context():
        issue_receipts([single_draft(db.session.get(Donation, first))])
        db.session.rollback()  # e.g. the process died before committing
        [receipt] = issue_receipts([single_draft(db.session.get(Donation, second))])
        db.session.commit()
        assert receipt.number.endswith("-000001")


DONORS = 100


def _annual_batch_of(app, base_config, gifts, campaign, donors):
    """`donors` annual-receipt donors of 2025 on `campaign`, then `receipts annual` started in a process
    group of its own. Returns (the batch process, a function that runs the command again to its end,
    a function that counts the receipts issued so far)."""
    from receipts.models import Receipt

    for index in range(donors):
        gifts.gift(campaign, 1_000 + index, receipt_choice="annual", paid_on=date(2025, 6, 1),
                   payment_method="transfer", email=f"donor{index}@example.org")
    with app.app_context():
        db.engine.dispose()
    env = {**os.environ, "DATABASE_URL": base_config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "OUTBOX_DIR": base_config["OUTBOX_DIR"]}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "receipts", "annual", "--year", "2025",
               "--organization", "asso-test", "--workers", "2"]
    batch = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)

    def rerun(timeout):
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)

    def count():
        with app.app_context(), read_only():
            try:
                return db.session.scalar(select(func.count()).select_from(Receipt))
            finally:
                db.session.remove()

    return batch, rerun, count


def test_a_batch_killed_half_way_then_re_run_issues_each_receipt_once_without_gap(app, base_config, finance, gifts):
    campaign = gifts.campaign()
    batch, rerun_batch, count = _annual_batch_of(app, base_config, gifts, campaign, DONORS)
    donors = DONORS

    deadline = time.monotonic() + 180
    while count() == 0 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and its rendering workers, mid-run
    batch.wait(timeout=30)
    killed_at = count()
    assert 0 < killed_at < donors
    rerun = rerun_batch(timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"{donors - killed_at} issued, {killed_at} already issued" in rerun.stdout
    receipts = gifts.receipts()
    year = date.today().year
    assert [r[0] for r in receipts] == [f"{year}-{n:06d}" for n in range(1, donors + 1)]
    assert sorted(r[2] for r in receipts) == [1_000 + i for i in range(donors)]  # each donor exactly once


def _descendants(pid):
    """The processes below `pid` (its children, theirs...), from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        found += children
        todo += children
    return found


def _links(pid):
    """What the process's open file descriptors point to ("socket:[...]", "pipe:[...]", paths)."""
    links = []
    for fd in (Path("/proc") / str(pid) / "fd").iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return links


def _running(pid):
    """True while `pid` exists and is not a zombie (a dead process nobody has reaped yet)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.postgres
def test_killing_only_the_batch_process_frees_the_numbering_at_once(app, base_config, finance, gifts):
    """`kill -9` of the batch alone (its rendering workers are not signalled): the workers die with it and
    hold no database connection, so its transaction ends, and the next issuing gets the counter at once."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("the orphaned transaction's row lock is PostgreSQL's")
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the process tree from /proc")
    from donations.models import Donation
    from receipts.services.issuing import issue_receipts, single_draft

    campaign = gifts.campaign()
    single = gifts.gift(campaign, 5_000, receipt_choice="none")
    batch, rerun_batch, count = _annual_batch_of(app, base_config, gifts, campaign, DONORS)
    donors = DONORS

    def counter_locked():
        # The batch's transaction has updated the counter row (held until it ends).
        with app.app_context(), read_only():
            try:
                return db.session.scalar(text(
                    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = pg_locks.relation "
                    "WHERE pg_class.relname = 'receipt_counters' AND pg_locks.mode = 'RowExclusiveLock' "
                    "AND pg_locks.pid <> pg_backend_pid()")) > 0
            finally:
                db.session.remove()

    workers = []
    try:
        deadline = time.monotonic() + 180
        while not (count() > 0 and counter_locked()) and time.monotonic() < deadline and batch.poll() is None:
            time.sleep(0.05)
        workers = _descendants(batch.pid)
        assert len(workers) >= 2, "the batch renders in worker processes"
        for pid in workers:  # none holds a socket: no database connection inherited from the batch
            assert not [fd for fd in _links(pid) if fd.startswith("socket:")], pid
        os.kill(batch.pid, signal.SIGKILL)  # the batch alone, mid-chunk: its workers get no signal
        batch.wait(timeout=30)
        killed_at = count()
        assert 0 < killed_at < donors

        deadline = time.monotonic() + 5
        while any(map(_running, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_running, workers)), "the rendering workers outlived their batch"

        # The issuing of a single receipt (what the per-minute job does) takes the counter at once;
        # a lock still held would make it wait for lock_timeout and fail.
        started = time.monotonic()
        with app.app_context():
            [receipt] = issue_receipts([single_draft(db.session.get(Donation, single))])
            db.session.commit()
            number = receipt.number
        assert time.monotonic() - started < 10
        year = date.today().year
        assert number == f"{year}-{killed_at + 1:06d}"

        # The rest of the batch (a lock still held would fail it after lock_timeout; its time bound is
        # the rendering's, on a machine that may be busy).
        rerun = rerun_batch(timeout=180)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert f"{donors - killed_at} issued, {killed_at} already issued" in rerun.stdout
        receipts = gifts.receipts()
        assert [r[0] for r in receipts] == [f"{year}-{n:06d}" for n in range(1, donors + 2)]
        assert sorted(r[2] for r in receipts) == sorted([1_000 + i for i in range(donors)] + [5_000])
    finally:
        for pid in [batch.pid, *workers]:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_chunk_rendered_ahead_is_numbered_again_when_another_issuer_took_its_numbers(app, finance, gifts,
                                                                                        monkeypatch):
    """The batch renders its next chunk while it stores the current one, numbered as if nobody else
    issued meanwhile. A receipt issued in between (the per-minute job) takes the next number: the
    chunk is numbered and rendered again, each PDF printing its own number, without gap."""
    import io

    import pdfplumber

    from campaigns import services
    from donations.models import Donation
    from receipts.models import Receipt
    from receipts.services import annual
    from receipts.services.issuing import issue_receipts, single_draft

    campaign = gifts.campaign()
    for index in range(6):
        gifts.gift(campaign, 1_000 + index, receipt_choice="annual", paid_on=date(2025, 6, 1),
                   payment_method="transfer", email=f"donor{index}@example.org")
    single = gifts.gift(campaign, 5_000, receipt_choice="none")
    monkeypatch.setattr(annual, "CHUNK", 3)
    with app.app_context():
        organization = services.get_organization("asso-test")

        def meanwhile(receipts):  # after the first chunk's commit, the second one already rendered
            if receipts[0].sequence == 1:
                issue_receipts([single_draft(db.session.get(Donation, single))])
                db.session.commit()

        plan, issued = annual.run_annual(organization, 2025, on_chunk=meanwhile)
        assert issued == 6
        rows = db.session.execute(select(Receipt.number, Receipt.source_key, Receipt.pdf)
                                  .order_by(Receipt.sequence)).all()
    year = date.today().year
    assert [row.number for row in rows] == [f"{year}-{n:06d}" for n in range(1, 8)]
    assert rows[3].source_key == f"gift:{single}"
    for row in rows:
        with pdfplumber.open(io.BytesIO(row.pdf)) as document:
            assert row.number in document.pages[0].extract_text()
