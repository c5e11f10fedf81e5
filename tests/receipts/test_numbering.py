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
from sqlalchemy import func, select
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


def test_a_batch_killed_half_way_then_re_run_issues_each_receipt_once_without_gap(app, base_config, finance, gifts):
    from receipts.models import Receipt

    campaign = gifts.campaign()
    donors = 100
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

    def count():
        with app.app_context(), read_only():
            try:
                return db.session.scalar(select(func.count()).select_from(Receipt))
            finally:
                db.session.remove()

    deadline = time.monotonic() + 180
    while count() == 0 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)  # the batch and its rendering workers, mid-run
    batch.wait(timeout=30)
    killed_at = count()
    assert 0 < killed_at < donors
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"{donors - killed_at} issued, {killed_at} already issued" in rerun.stdout
    receipts = gifts.receipts()
    year = date.today().year
    assert [r[0] for r in receipts] == [f"{year}-{n:06d}" for n in range(1, donors + 1)]
    assert sorted(r[2] for r in receipts) == [1_000 + i for i in range(donors)]  # each donor exactly once
