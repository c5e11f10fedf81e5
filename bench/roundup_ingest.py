"""Round-up ingest and settlement benchmark, on PostgreSQL, all figures from the same run.

    make bench   (or: scripts/with-postgres.sh sh -c 'BENCH_DATABASE_URL=$PG_URL .venv/bin/python bench/roundup_ingest.py')

Starts the app under gunicorn (2 sync workers) on a free loopback port and drives it with wrk at 32
connections: the trivial `GET /api/v1/health` against `POST /api/v1/roundups` (key, validation,
idempotent insert); `POST /api/v1/roundups/batch` (1,000 rows a request) against a raw COPY of the
same rows into the same table; then settles one month of 1,000,000 round-ups over 200 merchants.
Ends with one `ratio|p99_ms|seconds <goal> = <value> (target <target>)` line per goal.
"""
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, time as dtime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lib.wrk import combine, parse  # noqa: E402  (after the root is on sys.path)
from tests.support import free_port, wait_for_port  # noqa: E402

SECRET = "bench-secret-not-for-production"
DURATION = int(os.environ.get("BENCH_SECONDS", "12"))
ROUNDS = 3
CONNECTIONS = 32
SETTLE_ROWS = int(os.environ.get("BENCH_SETTLE_ROWS", "1000000"))
SETTLE_MERCHANTS = 200

SINGLE_LUA = r"""
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local body = string.format('{"external_id":"RUN-s%d-%d","basket_cents":1230,"roundup_cents":70}', tid, counter)
  return wrk.format("POST", "/api/v1/roundups", {["Authorization"] = "Bearer KEY",
                    ["Content-Type"] = "application/json"}, body)
end
"""

BATCH_LUA = r"""
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local rows = {}
  for i = 1, 1000 do
    rows[i] = string.format('{"external_id":"RUN-b%d-%d-%d","basket_cents":1230,"roundup_cents":70}', tid, counter, i)
  end
  local body = '{"roundups":[' .. table.concat(rows, ",") .. ']}'
  return wrk.format("POST", "/api/v1/roundups/batch", {["Authorization"] = "Bearer KEY",
                    ["Content-Type"] = "application/json"}, body)
end
"""


def wrk(url, seconds, connections=CONNECTIONS, script=None, threads=2):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        # Every run its own transaction ids, so that no run replays another's.
        run_script = Path(script).with_suffix(f".{time.monotonic_ns()}.lua")
        run_script.write_text(Path(script).read_text().replace("RUN", f"r{time.monotonic_ns()}"))
        command[1:1] = ["-s", str(run_script)]
    return parse(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main():
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database (make bench sets it)")
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET, LOG_LEVEL="WARNING", SCHEDULER_ENABLED="0")

    import psycopg
    from sqlalchemy import func, select
    from sqlalchemy.engine import make_url

    from app import create_app
    from app.extensions import db
    from campaigns import services as campaign_services
    from campaigns.models import ReceiptRegime
    from donations.roundup import services
    from donations.roundup.models import Roundup
    from donations.roundup.services.settlement import previous_month

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    raw_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with app.app_context():
        db.create_all()
        organization = campaign_services.create_organization(
            slug="bench-asso", name="Association du banc d'essai", legal_form="Association loi 1901",
            rna="W922000001", address_line1="1 rue Houdan", postal_code="92330", city="Sceaux",
            objet="Mesurer la vitesse de l'arrondi.", receipt_regime=ReceiptRegime.general_interest,
            signatory_name="Camille Petit", signatory_title="Présidente")
        beneficiaries = [{"organization": organization.slug, "share_basis_points": 10_000}]

        def shop(slug, **rule):
            return services.create_merchant(slug=slug, name=slug, siret="73282932000074", address_line1="1 rue",
                                            postal_code="92330", city="Sceaux", beneficiaries=beneficiaries, **rule)

        single, batch, copy_target = shop("bench-single"), shop("bench-batch"), shop("bench-copy")
        settle_shops = [shop(f"bench-settle-{n:03d}", match_ratio_percent=10, match_monthly_cap_cents=50_000)
                        for n in range(SETTLE_MERCHANTS)]
        _, single_key = services.create_key(single)
        _, batch_key = services.create_key(batch)
        ids = {"batch": batch.id, "copy": copy_target.id, "settle": [m.id for m in settle_shops]}
        db.session.commit()

    port = free_port()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        wait_for_port(port, timeout=30)  # gunicorn and its two workers
        with tempfile.TemporaryDirectory() as folder:
            single_lua = Path(folder, "single.lua")
            single_lua.write_text(SINGLE_LUA.replace("KEY", single_key))
            batch_lua = Path(folder, "batch.lua")
            batch_lua.write_text(BATCH_LUA.replace("KEY", batch_key))
            wrk(f"{base}/api/v1/health", 2)  # warm-up: both workers import and connect
            wrk(f"{base}/api/v1/roundups", 2, script=str(single_lua))
            # Interleaved slices, so that a change in the machine's load touches both endpoints alike.
            with app.app_context():
                before = db.session.scalar(select(func.count()).select_from(Roundup))
            slices = {"trivial": [], "single": []}
            for _ in range(ROUNDS):
                slices["trivial"].append(wrk(f"{base}/api/v1/health", DURATION // ROUNDS))
                slices["single"].append(wrk(f"{base}/api/v1/roundups", DURATION // ROUNDS, script=str(single_lua)))
            results = {name: combine(runs) for name, runs in slices.items()}
            with app.app_context():
                results["single"]["rows"] = db.session.scalar(select(func.count()).select_from(Roundup)) - before
            results["batch"] = wrk(f"{base}/api/v1/roundups/batch", DURATION, connections=4,
                                   script=str(batch_lua), threads=1)
            with app.app_context():
                batch_rows = db.session.scalar(select(func.count()).select_from(Roundup)
                                               .where(Roundup.merchant_id == ids["batch"]))
            results["batch"]["rows_per_s"] = batch_rows / DURATION
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    # The same rows, straight into the same table with COPY in one stream.
    copy_rows = 200_000
    now = datetime.now(timezone.utc)
    today = now.astimezone(ZoneInfo("Europe/Paris")).date()
    with psycopg.connect(raw_url) as connection:
        started = time.monotonic()
        with connection.cursor() as cursor:
            with cursor.copy("COPY roundups (merchant_id, external_id, basket_cents, roundup_cents, occurred_at,"
                             " occurred_on, created_at) FROM STDIN") as copy:
                for n in range(copy_rows):
                    copy.write_row((ids["copy"], f"c{n}", 1230, 70, now, today, now))
        connection.commit()
        copy_rate = copy_rows / (time.monotonic() - started)

    # One month of round-ups over 200 merchants, seeded with COPY, then settled.
    month = previous_month(today.replace(day=1))
    zone = ZoneInfo("Europe/Paris")
    generator = random.Random(5)
    month_days = (today.replace(day=1) - month).days
    with psycopg.connect(raw_url) as connection:
        with connection.cursor() as cursor:
            with cursor.copy("COPY roundups (merchant_id, external_id, basket_cents, roundup_cents, occurred_at,"
                             " occurred_on, created_at) FROM STDIN") as copy:
                for n in range(SETTLE_ROWS):
                    day = month + timedelta(days=n % month_days)
                    moment = datetime.combine(day, dtime(12), zone)
                    roundup = generator.randint(1, 99)
                    copy.write_row((ids["settle"][n % SETTLE_MERCHANTS], f"m{n}", 10_000 - roundup, roundup,
                                    moment, day, now))
        connection.execute("ANALYZE roundups")
        connection.commit()
    with app.app_context():
        started = time.monotonic()
        settled = services.settle_all(month, commit=db.session.commit)
        settle_seconds = time.monotonic() - started
        collected = sum(s.roundup_count for _, s, _ in settled if s is not None)
        assert collected == SETTLE_ROWS, (collected, SETTLE_ROWS)
        db.session.remove()
        db.engine.dispose()

    trivial, single, batch = results["trivial"], results["single"], results["batch"]
    print(f"trivial GET /api/v1/health      {trivial['rps']:9.0f} req/s  p50 {trivial['p50']:.1f} ms  "
          f"p99 {trivial['p99']:.1f} ms  non-2xx {trivial['errors']}")
    print(f"single POST /api/v1/roundups    {single['rps']:9.0f} req/s  p50 {single['p50']:.1f} ms  "
          f"p99 {single['p99']:.1f} ms  non-2xx {single['errors']}  rows {single['rows']} of {single['requests']}")
    print(f"batch POST /api/v1/roundups/batch {batch['rows_per_s']:7.0f} rows/s ({batch['rps']:.1f} req/s of 1,000 rows, "
          f"non-2xx {batch['errors']})")
    print(f"raw COPY                        {copy_rate:9.0f} rows/s")
    print(f"settle {SETTLE_ROWS:,} round-ups over {SETTLE_MERCHANTS} merchants: {settle_seconds:.1f} s")
    print(f"ratio single_roundup_vs_trivial = {single['rps'] / trivial['rps']:.2f} (target 0.40)")
    print(f"p99_ms single_roundup = {single['p99']:.0f} (target 100)")
    print(f"ratio batch_vs_copy = {batch['rows_per_s'] / copy_rate:.2f} (target 0.30)")
    print(f"seconds settle_1m_roundups = {settle_seconds:.1f} (target 30)")


if __name__ == "__main__":
    main()
