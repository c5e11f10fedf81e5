"""Campaign page benchmark, on PostgreSQL: a campaign shared on social media, all figures from one run.

    make bench   (or: scripts/with-postgres.sh sh -c 'BENCH_DATABASE_URL=$PG_URL .venv/bin/python bench/pages.py')

Loads the Sceaux demo (with localstripe for its gifts), then gives its first campaign thousands of
gifts and a full donor wall (bulk rows, the totals moved as the ledger would). Starts the app under
gunicorn (2 sync workers) on a free loopback port and drives it with wrk at 32 connections, in
interleaved slices: the trivial `GET /api/v1/ping` (no database) against the anonymous campaign page
`GET /campagnes/<slug>`. While wrk runs, a gift is counted every half second through the ledger and
a sampler fetches the page: every sampled body must carry the campaign's title and a total that was
the campaign's total at most FRESHNESS_SECONDS before the request. wrk checks every page's status
and title. Ends with the goal lines.
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lib.wrk import combine, parse  # noqa: E402  (after the root is on sys.path)
from tests.support import free_port, wait_for_port  # noqa: E402

SECRET = "bench-secret-not-for-production"
DURATION = int(os.environ.get("BENCH_SECONDS", "24"))
ROUNDS = 3
CONNECTIONS = 32
GIFTS = int(os.environ.get("BENCH_GIFTS", "5000"))
SLUG = "epicerie-mobile-blagis"
FRESHNESS_SECONDS = 5.0  # "totals no older than a few seconds"
GIFT_EVERY_SECONDS = 0.5

# Every campaign page must be a 200 that names the campaign (wrk calls response() for each one).
CHECK_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "TITLE", 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("Wrong pages: %d\n", total))
end
"""


def wrk(url, seconds, script=None):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    return parse(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def load_campaign(app):
    """The demo, then GIFTS online gifts of 10-50 € on its first campaign, each on the donor wall."""
    from sqlalchemy import insert, update

    from app.demo import load_all
    from app.extensions import db
    from app.types import utcnow
    from campaigns import services
    from campaigns.models import Campaign, Contribution, ContributionSource, WallEntry

    with app.app_context():
        db.create_all()
        load_all(app)
        campaign = services.get_campaign(SLUG)
        now = utcnow()
        amounts = [1000 * (1 + n % 5) for n in range(GIFTS)]
        db.session.execute(insert(Contribution.__table__), [
            {"campaign_id": campaign.id, "source": ContributionSource.online.value, "amount_cents": amount,
             "reversed_cents": 0, "donation_id": 1_000_000 + n, "donor_key": f"bench-{n}", "created_at": now}
            for n, amount in enumerate(amounts)])
        db.session.execute(insert(WallEntry.__table__), [
            {"campaign_id": campaign.id, "donation_id": 1_000_000 + n, "display_name": f"Voisine {n}",
             "message": "Bravo pour le triporteur !" if n % 3 == 0 else "", "created_at": now}
            for n in range(GIFTS)])
        db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
            online_cents=Campaign.online_cents + sum(amounts), raised_cents=Campaign.raised_cents + sum(amounts),
            donor_count=Campaign.donor_count + GIFTS))
        db.session.commit()
        return campaign.id, campaign.title


class Gifts(threading.Thread):
    """A gift every GIFT_EVERY_SECONDS through the ledger, as a webhook would count it; keeps the
    history of totals as (began, committed, raised_cents)."""

    def __init__(self, app, campaign_id):
        super().__init__(daemon=True)
        self.app, self.campaign_id, self.stop = app, campaign_id, threading.Event()
        self.history = []

    def raised(self):
        from app.extensions import db
        from campaigns.models import Campaign

        return db.session.get(Campaign, self.campaign_id, populate_existing=True).raised_cents

    def run(self):
        from app.extensions import db
        from campaigns import services

        with self.app.app_context():
            self.history.append((0.0, time.monotonic(), self.raised()))
            db.session.rollback()
            number = 0
            while not self.stop.wait(GIFT_EVERY_SECONDS):
                number += 1
                began = time.monotonic()
                services.add_contribution(self.campaign_id, "online", 2500, donor_key=f"live-{number}",
                                          donation_id=2_000_000 + number)
                services.add_wall_entry(self.campaign_id, 2_000_000 + number, f"Voisin {number}", "")
                raised = self.raised()
                db.session.commit()
                self.history.append((began, time.monotonic(), raised))
            db.session.remove()


class Sampler(threading.Thread):
    """Fetches the page every 0.1 s and keeps (started, ended, status, title present, total shown)."""

    def __init__(self, url, title):
        super().__init__(daemon=True)
        self.url, self.title, self.stop = url, title, threading.Event()
        self.samples = []

    def run(self):
        from html import unescape

        while not self.stop.wait(0.1):
            started = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=10) as response:
                status, body = response.status, unescape(response.read().decode())
            shown = re.search(r'<p class="raised"><strong>([^<]+)</strong>', body)
            self.samples.append((started, time.monotonic(), status, self.title in body,
                                 shown.group(1) if shown else None))


def check_samples(samples, history):
    """(wrong samples, the oldest total shown in seconds): a sample is right when its total was the
    campaign's total at some moment between FRESHNESS_SECONDS before its request and its answer."""
    from app.money import format_eur

    # Total i held from its transaction's start until the next one's commit.
    spans = [(began, history[i + 1][1] if i + 1 < len(history) else float("inf"), format_eur(raised))
             for i, (began, _, raised) in enumerate(history)]
    wrong, oldest = 0, 0.0
    for started, ended, status, titled, shown in samples:
        held = [(since, until) for since, until, text in spans if text == shown]
        if status != 200 or not titled or not any(since <= ended and until >= started - FRESHNESS_SECONDS
                                                 for since, until in held):
            wrong += 1
            continue
        oldest = max(oldest, max(0.0, started - max(until for _, until in held)))
    return wrong, oldest


def main():
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database (make bench sets it)")
    stripe_port = free_port()
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET, LOG_LEVEL="WARNING", SCHEDULER_ENABLED="0",
                      STRIPE_PORT=str(stripe_port), STRIPE_API_BASE=f"http://127.0.0.1:{stripe_port}",
                      STRIPE_JS_URL=f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/")
    localstripe = subprocess.Popen([sys.executable, "-m", "fakes.localstripe_server", "--port", str(stripe_port)],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    gunicorn = None
    try:
        wait_for_port(stripe_port)
        from app import create_app
        from app.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        started = time.monotonic()
        campaign_id, title = load_campaign(app)
        print(f"demo and {GIFTS:,} gifts loaded in {time.monotonic() - started:.1f} s")

        port = free_port()
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=os.environ.copy())
        base = f"http://127.0.0.1:{port}"
        page_url, trivial_url = f"{base}/campagnes/{SLUG}", f"{base}/api/v1/ping"
        wait_for_port(port, timeout=30)
        with tempfile.TemporaryDirectory() as folder:
            check_lua = Path(folder, "check.lua")
            check_lua.write_text(CHECK_LUA.replace("TITLE", title.replace("'", "&#39;")))
            wrk(trivial_url, 2)  # warm-up: both workers import, connect and render once
            wrk(page_url, 2, script=check_lua)
            conditional = conditional_answer(page_url)

            gifts, sampler = Gifts(app, campaign_id), Sampler(page_url, title)
            gifts.start()
            sampler.start()
            slices = {"trivial": [], "page": []}
            for _ in range(ROUNDS):
                slices["trivial"].append(wrk(trivial_url, DURATION // ROUNDS // 2))
                slices["page"].append(wrk(page_url, DURATION // ROUNDS // 2, script=check_lua))
            sampler.stop.set()
            sampler.join(timeout=15)
            gifts.stop.set()
            gifts.join(timeout=15)
        results = {name: combine(runs) for name, runs in slices.items()}
        wrong, oldest = check_samples(sampler.samples, gifts.history)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        for process in (gunicorn, localstripe):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)

    trivial, page = results["trivial"], results["page"]
    print(f"trivial GET /api/v1/ping           {trivial['rps']:7.0f} req/s    p50 {trivial['p50']:5.1f} ms  "
          f"p99 {trivial['p99']:5.1f} ms  errors {trivial['errors']}")
    print(f"campaign GET /campagnes/{SLUG} {page['rps']:7.0f} pages/s  p50 {page['p50']:5.1f} ms  "
          f"p99 {page['p99']:5.1f} ms  wrong or failed pages {page['errors']} of {page['requests']}")
    print(f"during the run: {len(gifts.history) - 1} gifts counted, {len(sampler.samples)} pages sampled, "
          f"{wrong} without the title or a total of the last {FRESHNESS_SECONDS:.0f} s; oldest total shown "
          f"{oldest:.2f} s; If-None-Match answered {conditional}")
    print(f"ratio campaign_page_vs_trivial = {page['rps'] / trivial['rps']:.2f} (target 0.40)")
    print(f"p99 campaign page = {page['p99']:.0f} ms (target < 100)")
    print(f"errors campaign_page = {page['errors'] + wrong + (conditional != 304)} (target 0)")


def conditional_answer(url):
    """The status a proxy revalidating its copy gets: 304 when the page has not changed."""
    with urllib.request.urlopen(url, timeout=10) as response:
        etag = response.headers["ETag"]
    request = urllib.request.Request(url, headers={"If-None-Match": etag or '"none"'})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as answer:  # urllib treats 304 as an error
        return answer.code


if __name__ == "__main__":
    main()
