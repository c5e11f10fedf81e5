"""Fixtures of the donations tests: a live campaign, a donor who gives through the API and saves a
card in Stripe (localstripe), the app served on loopback so that localstripe can deliver webhooks,
and events signed as Stripe signs them."""
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
import requests
import stripe

from app.extensions import db
from app.types import utcnow

DONOR = {"first_name": "Camille", "last_name": "Lefèvre", "email": "camille@example.org",
         "address_line1": "5 rue des Imbergères", "postal_code": "92330", "city": "Sceaux"}


class Giving:
    """Acts as the organization that campaigns and as the donor's browser."""

    def __init__(self, app, client, actors, localstripe):
        self.app, self.client, self.actors, self.localstripe = app, client, actors, localstripe
        self._organizations = set()

    def campaign(self, slug="jardin-partage", organization="asso-jardin", tiers=(), **overrides):
        from campaigns import services

        if organization not in self._organizations:
            self.actors.organization(organization)
            self._organizations.add(organization)
        values = dict(slug=slug, title=f"Projet {slug}", commune="Sceaux", insee_code="92071", category="environment",
                      goal_cents=100_000, funding_model="keep_it_all", starts_at=utcnow() - timedelta(days=1),
                      ends_at=utcnow() + timedelta(days=30), description="Un projet pour le quartier.")
        values.update(overrides)
        with self.app.app_context():
            campaign = services.create_campaign(services.get_organization(organization).id, tiers=list(tiers),
                                                **values)
            services.publish_campaign(campaign)
            db.session.commit()
            return campaign.slug

    def start(self, slug, key=None, **gift):
        body = {"amount_cents": 2500, **DONOR, **gift}
        headers = {"Idempotency-Key": key} if key else {}
        return self.client.post(f"/api/v1/campaigns/{slug}/donations", json=body, headers=headers)

    def on_account(self, donation_id):
        """Stripe request options acting on the connected account the gift was charged on."""
        return {"stripe_account": self.donation(donation_id).stripe_account_id}

    def save_card(self, started, card="pm_card_visa"):
        """What confirmCardSetup does in the browser (Stripe.js set up for the organization's account):
        the card is saved on the SetupIntent."""
        setup_id = started["client_secret"].split("_secret_")[0]
        client = stripe.StripeClient("sk_test_browser", base_addresses={"api": self.localstripe})
        setup = client.v1.setup_intents.confirm(setup_id, params={"payment_method": card},
                                                options=self.on_account(started["id"]))
        assert setup.status == "succeeded"
        return setup.payment_method

    def give(self, slug, card="pm_card_visa", **gift):
        """Start a gift, save the card, confirm: the card is charged. Returns the creation answer."""
        started = self.start(slug, **gift)
        assert started.status_code == 201, started.json
        method = self.save_card(started.json, card)
        confirmed = self.client.post(f"/api/v1/donations/{started.json['id']}/confirm",
                                     json={"token": started.json["token"], "payment_method": method})
        assert confirmed.status_code == 200, confirmed.json
        return started.json

    def donation(self, donation_id):
        from donations.models import Donation

        with self.app.app_context():
            donation = db.session.get(Donation, donation_id)
            db.session.expunge(donation)
            return donation

    def campaign_row(self, slug):
        from campaigns.models import Campaign
        from sqlalchemy import select

        with self.app.app_context():
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            db.session.expunge(campaign)
            return campaign

    def reconcile(self):
        from donations.jobs import reconcile_pending_gifts

        with self.app.app_context():
            return reconcile_pending_gifts(older_than_minutes=0)

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        return predicate()


@pytest.fixture
def giving(app, client, actors, localstripe):
    return Giving(app, client, actors, localstripe)


def sign(payload: bytes, secret="whsec_test_secret", timestamp=None):
    timestamp = int(timestamp or time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event_payload(event_type, obj, event_id=None, account=None):
    event_id = event_id or f"evt_test_{time.time_ns()}"
    event = {"id": event_id, "object": "event", "type": event_type, "created": int(time.time()),
             "livemode": False, "api_version": "2020-08-27", "data": {"object": obj}}
    if account:
        event["account"] = account
    return json.dumps(event).encode()


@pytest.fixture
def deliver(client):
    """POST a Stripe event signed with the webhook secret, as Stripe would; with `account`, an event of
    that connected account to the Connect endpoint, signed with its own secret."""
    def post(event_type, obj, event_id=None, secret=None, account=None):
        payload = event_payload(event_type, obj, event_id, account)
        path = "connect-webhook" if account else "webhook"
        secret = secret or ("whsec_test_connect_secret" if account else "whsec_test_secret")
        return client.post(f"/api/v1/stripe/{path}", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": sign(payload, secret)})
    return post


@pytest.fixture
def served(live_server, localstripe):
    """The app on a loopback port, with localstripe delivering its webhooks to it."""
    from donations.cli import CONNECT_WEBHOOK_EVENTS, WEBHOOK_EVENTS

    url = live_server

    requests.post(f"{localstripe}/_config/webhooks/solidaire", timeout=10,
                  json={"url": f"{url}/api/v1/stripe/webhook", "secret": "whsec_test_secret",
                        "events": WEBHOOK_EVENTS}).raise_for_status()
    # The organizations' gifts are on their connected accounts: their events come to the Connect endpoint.
    requests.post(f"{localstripe}/_config/connect/webhooks/solidaire", timeout=10,
                  json={"url": f"{url}/api/v1/stripe/connect-webhook", "secret": "whsec_test_connect_secret",
                        "events": WEBHOOK_EVENTS + CONNECT_WEBHOOK_EVENTS}).raise_for_status()
    try:
        yield url
    finally:
        # Later tests must not receive this test's late events: point the webhooks at nothing.
        for path in ("webhooks/solidaire", "connect/webhooks/solidaire"):
            requests.post(f"{localstripe}/_config/{path}", timeout=10,
                          json={"url": "http://127.0.0.1:9/", "secret": "whsec_test_secret", "events": []})
