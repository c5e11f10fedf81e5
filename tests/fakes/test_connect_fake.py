"""The Connect subset added to localstripe (fakes/), driven by the unchanged official `stripe` client."""
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
import stripe


@pytest.fixture
def platform(localstripe):
    return stripe.StripeClient("sk_test_platform", base_addresses={"api": localstripe})


def on(account):
    return {"stripe_account": account}


def paid_intent(platform, account, amount):
    customer = platform.v1.customers.create(params={"email": "d@example.org"}, options=on(account))
    return platform.v1.payment_intents.create(params={
        "amount": amount, "currency": "eur", "customer": customer.id, "payment_method": "pm_card_visa",
        "confirm": True}, options=on(account))


def test_objects_live_on_the_account_named_by_the_header(platform, localstripe):
    first = platform.v1.accounts.create(params={"type": "standard", "country": "FR", "email": "a@example.org"})
    second = platform.v1.accounts.create(params={"type": "standard", "country": "FR"})
    assert first.id.startswith("acct_") and not first.charges_enabled and not first.payouts_enabled
    assert platform.v1.accounts.retrieve(first.id).email == "a@example.org"

    intent = paid_intent(platform, first.id, 2500)
    assert intent.status == "succeeded"
    assert platform.v1.payment_intents.retrieve(intent.id, options=on(first.id)).amount == 2500
    for elsewhere in ({}, on(second.id)):  # neither the platform nor another account sees it
        with pytest.raises(stripe.InvalidRequestError):
            platform.v1.payment_intents.retrieve(intent.id, options=elsewhere)
        assert intent.id not in [i.id for i in platform.v1.payment_intents.list(options=elsewhere).data]
    assert [i.id for i in platform.v1.payment_intents.list(options=on(first.id)).data] == [intent.id]

    with pytest.raises(stripe.PermissionError):
        platform.v1.customers.list(options=on("acct_unknown"))
    # Stripe.js on the donation page names the account in its form data.
    answer = requests.post(f"{localstripe}/v1/payment_intents/{intent.id}/_authenticate?success=true",
                           json={"key": "pk_test_x", "client_secret": intent.client_secret,
                                 "_stripe_account": first.id}, timeout=10)
    assert answer.status_code != 404


def test_onboarding_through_the_link_sends_account_updated_to_the_connect_endpoint(platform, localstripe):
    received = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            payload = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, stripe.Webhook.construct_event(
                payload.decode(), self.headers["Stripe-Signature"], "whsec_connect" if self.path == "/connect"
                else "whsec_platform")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    requests.post(f"{localstripe}/_config/connect/webhooks/test", timeout=10,
                  json={"url": f"{base}/connect", "secret": "whsec_connect"}).raise_for_status()
    requests.post(f"{localstripe}/_config/webhooks/test-platform", timeout=10,
                  json={"url": f"{base}/platform", "secret": "whsec_platform",
                        "events": ["account.updated", "payment_intent.succeeded"]}).raise_for_status()
    try:
        account = platform.v1.accounts.create(params={"type": "standard", "country": "FR"})
        link = platform.v1.account_links.create(params={
            "account": account.id, "type": "account_onboarding",
            "refresh_url": "http://example.org/refresh", "return_url": "http://example.org/back"})
        assert link.object == "account_link" and link.expires_at > time.time()
        visit = requests.get(link.url, allow_redirects=False, timeout=10)
        assert visit.status_code == 302 and visit.headers["Location"] == "http://example.org/back"
        again = requests.get(link.url, allow_redirects=False, timeout=10)
        assert again.headers["Location"] == "http://example.org/refresh"  # single use
        done = platform.v1.accounts.retrieve(account.id)
        assert done.charges_enabled and done.payouts_enabled and done.details_submitted
        intent = paid_intent(platform, account.id, 1000)

        def of_this_account():  # earlier tests' late events may arrive too: keep this account's
            return {event.type: event for path, event in received
                    if path == "/connect" and event.data.object.id in (account.id, intent.id)}

        deadline = time.time() + 10
        while time.time() < deadline and len(of_this_account()) < 2:
            time.sleep(0.1)
        connect = of_this_account()
        assert connect["account.updated"].account == account.id
        assert connect["account.updated"].data.object.charges_enabled is True
        assert connect["payment_intent.succeeded"].data.object.id == intent.id
        assert connect["payment_intent.succeeded"].account == account.id
        assert not [event for path, event in received if path == "/platform"]  # not the platform's endpoint

        requests.post(f"{localstripe}/_config/connect/accounts/{account.id}", json={"charges_enabled": False},
                      timeout=10).raise_for_status()
        assert platform.v1.accounts.retrieve(account.id).charges_enabled is False
        assert platform.v1.events.list(options=on(account.id)).data[0].type == "account.updated"
    finally:
        for path in ("connect/webhooks/test", "webhooks/test-platform"):
            requests.post(f"{localstripe}/_config/{path}", json={"url": "http://127.0.0.1:9/", "secret": "x",
                                                                 "events": []}, timeout=10)
        server.shutdown()


def test_fees_refunds_disputes_and_payouts_on_the_account(platform, localstripe):
    account = platform.v1.accounts.create(params={"type": "standard", "country": "FR"}).id
    other = platform.v1.accounts.create(params={"type": "standard", "country": "FR"}).id
    first, second = paid_intent(platform, account, 2500), paid_intent(platform, account, 1000)
    platform.v1.refunds.create(params={"payment_intent": second.id, "amount": 400}, options=on(account))
    charges = platform.v1.charges.list(options=on(account)).data
    disputed = next(c for c in charges if c.payment_intent == first.id)
    dispute = requests.post(f"{localstripe}/_config/connect/accounts/{account}/disputes",
                            json={"charge": disputed.id}, timeout=10).json()
    assert platform.v1.disputes.retrieve(dispute["id"], options=on(account)).status == "needs_response"

    # The dispute takes back 25 EUR and costs 20: the balance is negative, nothing is paid out.
    refused = requests.post(f"{localstripe}/_config/connect/accounts/{account}/payout", timeout=10)
    assert refused.status_code == 400 and refused.json()["error"]["message"] == "Nothing to pay out"

    requests.post(f"{localstripe}/_config/connect/accounts/{account}/disputes/{dispute['id']}/close",
                  json={"status": "won"}, timeout=10).raise_for_status()
    payout = requests.post(f"{localstripe}/_config/connect/accounts/{account}/payout", timeout=10).json()
    # 25 EUR costs 1.5 % (37.5, rounded to 38) + 25 cents; 10 EUR costs 15 + 25 cents.
    assert payout["amount"] == 2500 - 63 + 1000 - 40 - 400 - 2000
    lines = platform.v1.balance_transactions.list(params={"payout": payout["id"], "limit": 100,
                                                          "expand": ["data.source"]}, options=on(account)).data
    by_type = {}
    for line in lines:
        by_type.setdefault(line.type, []).append(line)
    assert sorted(line.fee for line in by_type["charge"]) == [40, 63]
    assert sorted(line.amount for line in by_type["charge"]) == [1000, 2500]
    assert [line.amount for line in by_type["refund"]] == [-400]
    assert sorted((line.amount, line.fee) for line in by_type["adjustment"]) == [(-2500, 2000), (2500, 0)]
    assert [line.amount for line in by_type["payout"]] == [-payout["amount"]]
    assert sum(line.net for line in lines if line.type != "payout") == payout["amount"]
    assert {line.source.payment_intent for line in by_type["charge"]} == {first.id, second.id}
    assert platform.v1.balance_transactions.list(options=on(other)).data == []
    assert not [txn for txn in platform.v1.balance_transactions.list(params={"limit": 100}).data
                if txn.source in {line.source.id for line in by_type["charge"]}]


def test_an_application_fee_is_the_platforms_share_of_a_direct_charge(platform):
    account = platform.v1.accounts.create(params={"type": "standard", "country": "FR"}).id
    customer = platform.v1.customers.create(params={"email": "d@example.org"}, options=on(account))
    intent = platform.v1.payment_intents.create(params={
        "amount": 2500, "currency": "eur", "customer": customer.id, "payment_method": "pm_card_visa",
        "confirm": True, "application_fee_amount": 50}, options=on(account))
    assert intent.application_fee_amount == 50
    [line] = platform.v1.balance_transactions.list(options=on(account)).data
    assert line.fee == 63 + 50 and line.net == 2500 - 113
    assert sorted((d.type, d.amount) for d in line.fee_details) == [("application_fee", 50), ("stripe_fee", 63)]
    with pytest.raises(stripe.InvalidRequestError):  # only on a connected account
        platform.v1.payment_intents.create(params={"amount": 2500, "currency": "eur", "application_fee_amount": 50})
