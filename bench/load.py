"""A bounded mixed load on two web instances sharing one PostgreSQL: nothing lost, no error.

    make bench   (or: scripts/with-postgres.sh sh -c 'BENCH_DATABASE_URL=$PG_URL .venv/bin/python bench/load.py')

Starts localstripe and two gunicorn instances (2 sync workers each, as two web hosts behind a
proxy would run), loads the Sceaux demo, and prepares gifts whose cards were charged but whose
Stripe event has not arrived yet. Then, for BENCH_SECONDS, wrk drives all four routes at once,
half of each route's connections on each instance:

  - page views: the anonymous campaign page of the demo's first campaign;
  - gift starts: `POST /api/v1/campaigns/<slug>/donations` (a Stripe customer and SetupIntent each);
  - signed webhooks: `payment_intent.succeeded` for the charged gifts, each event delivered by both
    instances at once and again (Stripe's retries), so that each gift must be counted exactly once;
  - round-ups: `POST /api/v1/roundups` with a merchant's key, each with its own transaction id.

Prints throughput, p50/p99 and errors per route, then checks what a finance officer would: every
charged gift counted once, every campaign's total equal to its ledger, every acknowledged round-up
stored once. Rate limits are off: they would throttle the single client address of the bench.
"""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lib.wrk import parse  # noqa: E402  (after the root is on sys.path)
from tests.support import free_port, wait_for_port  # noqa: E402

SECRET = "bench-secret-not-for-production"
# The gifts are charged on their organization's own Stripe account: their events come to the Connect endpoint.
WEBHOOK_SECRET = "whsec_bench_load"
CONNECT_WEBHOOK_SECRET = "whsec_bench_load_connect"
DURATION = int(os.environ.get("BENCH_SECONDS", "25"))
CHARGED_GIFTS = int(os.environ.get("BENCH_CHARGED_GIFTS", "80"))
SLUG = "epicerie-mobile-blagis"
MERCHANT = "boulangerie-des-blagis"
DONOR = {"first_name": "Camille", "last_name": "Lefèvre", "email": "camille@example.org",
         "address_line1": "5 rue des Imbergères", "postal_code": "92330", "city": "Sceaux"}
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "-k sync").split()
# route -> connections on each instance
CONNECTIONS = {"page views": 8, "gift starts": 1, "webhooks": 2, "round-ups": 4}

ROUNDUP_LUA = r"""
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function request()
  counter = counter + 1
  local body = string.format('{"external_id":"RUN-%d-%d","basket_cents":1230,"roundup_cents":70}', tid, counter)
  return wrk.format("POST", "/api/v1/roundups", {["Authorization"] = "Bearer KEY",
                    ["Content-Type"] = "application/json"}, body)
end
"""

GIFT_LUA = r"""
function request()
  return wrk.format("POST", "/api/v1/campaigns/SLUG/donations", {["Content-Type"] = "application/json"}, [==[BODY]==])
end
"""

# Each instance walks the same events from its own starting point, round and round.
WEBHOOK_LUA = r"""
local events = {EVENTS}
local next_event = START
function request()
  local event = events[next_event]
  next_event = next_event % #events + 1
  return wrk.format("POST", "/api/v1/stripe/connect-webhook", {["Content-Type"] = "application/json",
                    ["Stripe-Signature"] = event[2]}, event[1])
end
"""


def start_wrk(url, connections, script=None):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{DURATION}s", "--latency", "--timeout", "10s", url]
    if script:
        command[1:1] = ["-s", str(script)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_wrk(process):
    output, errors = process.communicate(timeout=DURATION + 60)
    if os.environ.get("BENCH_VERBOSE"):
        print(output, errors)
    if process.returncode:
        raise RuntimeError(f"wrk failed: {errors}")
    return parse(output)


def sign(payload, timestamp):
    signature = hmac.new(CONNECT_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def charge_gifts(app, localstripe_url, count):
    """Gifts as donors' browsers leave them: started, card saved (on the organization's account, as
    Stripe.js set up with its `stripeAccount` does), charged; Stripe's event still to come.
    Returns their ids, their PaymentIntent ids and the organization's account."""
    import stripe

    from app.extensions import db
    from campaigns.models import Campaign
    from donations.models import Donation

    with app.app_context():
        account = db.session.scalar(db.select(Campaign).where(Campaign.slug == SLUG)).organization.stripe_account_id
        db.session.remove()

    client = app.test_client()
    browser = stripe.StripeClient("sk_test_browser", base_addresses={"api": localstripe_url})
    donation_ids = []
    for number in range(count):
        started = client.post(f"/api/v1/campaigns/{SLUG}/donations",
                              json={"amount_cents": 1000 + 100 * (number % 40), **DONOR,
                                    "email": f"donateur{number}@example.org"})
        assert started.status_code == 201, started.json
        setup_id = started.json["client_secret"].split("_secret_")[0]
        method = browser.v1.setup_intents.confirm(setup_id, params={"payment_method": "pm_card_visa"},
                                                  options={"stripe_account": account}).payment_method
        confirmed = client.post(f"/api/v1/donations/{started.json['id']}/confirm",
                                json={"token": started.json["token"], "payment_method": method})
        assert confirmed.status_code == 200, confirmed.json
        donation_ids.append(started.json["id"])
    with app.app_context():
        intents = db.session.scalars(db.select(Donation.stripe_payment_intent_id)
                                     .where(Donation.id.in_(donation_ids))).all()
        db.session.remove()
    assert len(intents) == count and all(intents), "every charged gift has its PaymentIntent"
    return donation_ids, intents, account


def retry_events(ports, signed):
    """Stripe's retries after the storm: every event once more, so that each charged gift has had its
    event at least once, whatever the load let through. Returns the number of answers other than 200."""
    failed = 0
    for number, (payload, signature) in enumerate(signed):
        request = urllib.request.Request(f"http://127.0.0.1:{ports[number % 2]}/api/v1/stripe/connect-webhook", data=payload,
                                         headers={"Content-Type": "application/json", "Stripe-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                failed += answer.status != 200
        except urllib.error.HTTPError:
            failed += 1
    return failed


def warm_up(port):
    """Wait until the instance's workers have imported the app and rendered the page once each."""
    from concurrent.futures import ThreadPoolExecutor

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ping", timeout=30) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)

    def page(_):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/campagnes/{SLUG}", timeout=30) as answer:
            return answer.status

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(page, range(8))) == {200}


def check(app, donation_ids, roundup_requests, run):
    """What a finance officer would check after the storm. Returns (problems, facts)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from campaigns.models import Campaign, Contribution
    from donations.models import Donation, DonationStatus, StripeEvent
    from donations.roundup.models import Roundup
    from donations.roundup.services import get_merchant

    problems = []
    with app.app_context():
        statuses = db.session.execute(select(Donation.status, func.count()).where(Donation.id.in_(donation_ids))
                                      .group_by(Donation.status)).all()
        paid = dict(statuses).get(DonationStatus.succeeded, 0)
        if paid != len(donation_ids):
            problems.append(f"{len(donation_ids) - paid} charged gifts not counted ({dict(statuses)})")
        counted = db.session.execute(select(Contribution.donation_id, func.count()).where(
            Contribution.donation_id.in_(donation_ids), Contribution.source == "online")
            .group_by(Contribution.donation_id)).all()
        twice = [donation for donation, times in counted if times != 1]
        if twice or len(counted) != len(donation_ids):
            problems.append(f"gifts counted other than once: {len(counted)} of {len(donation_ids)}, twice {twice}")
        ledger = dict(db.session.execute(select(Contribution.campaign_id, func.sum(
            Contribution.amount_cents - Contribution.reversed_cents)).group_by(Contribution.campaign_id)).all())
        for campaign_id, raised in db.session.execute(select(Campaign.id, Campaign.raised_cents)).all():
            if raised != ledger.get(campaign_id, 0):
                problems.append(f"campaign {campaign_id}: total {raised} but ledger {ledger.get(campaign_id, 0)}")
        merchant_id = get_merchant(MERCHANT).id
        stored = db.session.scalar(select(func.count()).select_from(Roundup).where(
            Roundup.merchant_id == merchant_id, Roundup.external_id.like(f"{run}-%")))
        # wrk stops with requests in flight: the server may have stored a few it did not count.
        if not roundup_requests <= stored <= roundup_requests + 2 * CONNECTIONS["round-ups"]:
            problems.append(f"{roundup_requests} round-ups acknowledged but {stored} stored")
        events = db.session.scalar(select(func.count()).select_from(StripeEvent))
        db.session.remove()
    return problems, {"paid": paid, "stored": stored, "events": events}


def main():
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database (make bench sets it)")
    stripe_port = free_port()
    localstripe_url = f"http://127.0.0.1:{stripe_port}"
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET, LOG_LEVEL="WARNING", SCHEDULER_ENABLED="0",
                      STRIPE_PORT=str(stripe_port), STRIPE_API_BASE=localstripe_url,
                      STRIPE_JS_URL=f"{localstripe_url}/js.stripe.com/v3/", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_CONNECT_WEBHOOK_SECRET=CONNECT_WEBHOOK_SECRET, RATELIMIT_ENABLED="0")
    processes = [subprocess.Popen([sys.executable, "-m", "fakes.localstripe_server", "--port", str(stripe_port)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_for_port(stripe_port)
        from app import create_app
        from app.demo import load_all
        from app.extensions import db
        from donations.roundup import services as roundup_services

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
        started = time.monotonic()
        with app.app_context():
            db.create_all()
            load_all(app)
            _, key = roundup_services.create_key(roundup_services.get_merchant(MERCHANT), label="banc d'essai")
            db.session.commit()
            db.session.remove()
        donation_ids, intents, account = charge_gifts(app, localstripe_url, CHARGED_GIFTS)
        print(f"demo loaded and {CHARGED_GIFTS} gifts charged in {time.monotonic() - started:.1f} s")

        ports = [free_port(), free_port()]
        for port in ports:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "2", *WORKER_CLASS, "-b", f"127.0.0.1:{port}",
                 "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=os.environ.copy()))
        for port in ports:
            wait_for_port(port, timeout=30)
            warm_up(port)

        timestamp = int(time.time())  # Stripe's signatures are good for 5 minutes: the run takes one
        events, signed = [], []
        for number, intent in enumerate(intents):
            payload = json.dumps({"id": f"evt_bench_{number}", "object": "event", "type": "payment_intent.succeeded",
                                  "created": timestamp, "livemode": False, "account": account,
                                  "data": {"object": {"id": intent, "object": "payment_intent"}}}).encode()
            signed.append((payload, sign(payload, timestamp)))
            events.append(f"{{[==[{payload.decode()}]==], [==[{signed[-1][1]}]==]}}")
        run = f"bench{time.time_ns()}"
        with tempfile.TemporaryDirectory() as folder:
            scripts = {}
            for index, port in enumerate(ports):
                roundup = Path(folder, f"roundup{index}.lua")
                roundup.write_text(ROUNDUP_LUA.replace("RUN", f"{run}-{index}").replace("KEY", key))
                gift = Path(folder, f"gift{index}.lua")
                gift.write_text(GIFT_LUA.replace("SLUG", SLUG).replace("BODY", json.dumps(
                    {"amount_cents": 2500, **DONOR})))
                webhook = Path(folder, f"webhook{index}.lua")
                webhook.write_text(WEBHOOK_LUA.replace("EVENTS", ",\n".join(events))
                                   .replace("START", str(1 + index * len(events) // 2)))
                scripts[port] = {"page views": (f"/campagnes/{SLUG}", None), "gift starts": ("/", gift),
                                 "webhooks": ("/", webhook), "round-ups": ("/", roundup)}
            runs = {route: [start_wrk(f"http://127.0.0.1:{port}{scripts[port][route][0]}", connections,
                                      scripts[port][route][1]) for port in ports]
                    for route, connections in CONNECTIONS.items()}
            results = {route: [read_wrk(process) for process in processes_] for route, processes_ in runs.items()}
        retried = retry_events(ports, signed)
        problems, facts = check(app, donation_ids, sum(r["requests"] for r in results["round-ups"]), run)
        with app.app_context():
            db.engine.dispose()
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)

    errors = 0
    print(f"{DURATION} s on two instances of 2 workers each ({' '.join(WORKER_CLASS)}), one PostgreSQL, "
          "one localstripe:")
    for route, halves in results.items():
        rps = sum(half["rps"] for half in halves)
        route_errors = sum(half["errors"] for half in halves)
        errors += route_errors
        print(f"  {route:12} {rps:7.0f} req/s  p50 {max(h['p50'] for h in halves):6.1f} ms  "
              f"p99 {max(h['p99'] for h in halves):6.1f} ms  errors {route_errors} of "
              f"{sum(h['requests'] for h in halves)}  ({2 * CONNECTIONS[route]} connections)")
    print(f"  then every event once more (Stripe's retries): {retried} failed; {facts['paid']} of {CHARGED_GIFTS} "
          f"charged gifts counted once from {facts['events']} distinct events; {facts['stored']} round-ups stored")
    errors += retried
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    print(f"errors load = {errors} (target 0)")
    print(f"lost load = {len(problems)} (target 0)")


if __name__ == "__main__":
    main()
