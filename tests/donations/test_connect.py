"""Each organization's own Stripe account: created by an administrator, onboarded by its treasurer,
kept current by account.updated on the Connect endpoint; no publication and no gift before it takes
payments; its gifts' events come from its account."""
import time
from datetime import timedelta

import requests
import stripe

from app.extensions import db
from app.types import utcnow


def _campaign(app, organization, slug="sans-stripe-projet"):
    from campaigns import services

    with app.app_context():
        campaign = services.create_campaign(
            services.get_organization(organization).id, slug=slug, title="Un projet", commune="Sceaux",
            insee_code="92071", category="environment", goal_cents=100_000, funding_model="keep_it_all",
            starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=30),
            description="Un projet pour le quartier.")
        db.session.commit()
        return campaign.slug


def test_an_organization_takes_gifts_once_its_own_stripe_account_is_onboarded(giving, actors, app, deliver,
                                                                             localstripe):
    actors.organization("asso-nouvelle", payments=False)
    actors.organization("autre-asso")
    admin, finance = actors.admin(), actors.user("finance", organization="asso-nouvelle")
    slug = _campaign(app, "asso-nouvelle")
    url = "/api/v1/organizations/asso-nouvelle/stripe-account"

    # No account yet: the campaign cannot go live, and says why in French, naming the organization.
    refused = giving.client.post(f"/api/v1/campaigns/{slug}/publish", headers=admin)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert "Association asso-nouvelle ne peut pas encore recevoir de paiements" in refused.json["detail"]
    assert giving.client.post(f"{url}/link", json={}, headers=finance).status_code == 409

    # Only an administrator creates the account; once.
    assert giving.client.post(url, headers=finance).status_code == 403
    assert giving.client.post(url).status_code == 401
    created = giving.client.post(url, headers=admin)
    assert created.status_code == 201, created.json
    account = created.json["stripe_account_id"]
    assert account.startswith("acct_") and created.json["takes_payments"] is False
    again = giving.client.post(url, headers=admin)
    assert again.status_code == 200 and again.json["stripe_account_id"] == account
    platform = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    assert platform.v1.accounts.retrieve(account).metadata["organization"] == "asso-nouvelle"

    # The treasurer gets a link; another organization's finance officer does not.
    other = actors.user("finance", organization="autre-asso")
    assert giving.client.post(f"{url}/link", json={}, headers=other).status_code == 404
    assert giving.client.get(url, headers=other).status_code == 404
    link = giving.client.post(f"{url}/link", json={"return_url": "https://dons.example/gestion"}, headers=finance)
    assert link.status_code == 201, link.json
    done = requests.get(link.json["url"], allow_redirects=False, timeout=10)
    assert done.status_code == 302 and done.headers["Location"] == "https://dons.example/gestion"

    # Stripe's account.updated, on the Connect endpoint, brings the flags here.
    assert giving.client.get(url, headers=finance).json["charges_enabled"] is False
    answer = deliver("account.updated", {"id": account, "object": "account"}, account=account)
    assert answer.status_code == 200 and answer.json["outcome"] == "updated"
    state = giving.client.get(url, headers=finance).json
    assert state["charges_enabled"] and state["payouts_enabled"] and state["details_submitted"]
    assert giving.client.post(f"/api/v1/campaigns/{slug}/publish", headers=admin).status_code == 200

    # Gifts start again only while Stripe lets the account take charges.
    requests.post(f"{localstripe}/_config/connect/accounts/{account}", json={"charges_enabled": False},
                  timeout=10).raise_for_status()
    giving.client.get(f"/campagnes/{slug}")  # the page as it is while the account takes payments
    deliver("account.updated", {"id": account, "object": "account"}, account=account)
    stopped = giving.start(slug)
    assert stopped.status_code == 409 and "ne peut pas encore recevoir de paiements" in stopped.json["detail"]
    time.sleep(1.1)  # each worker's copy of the page is re-checked once a second
    page = giving.client.get(f"/campagnes/{slug}").text  # no form to fill in vain
    assert 'id="donation-form"' not in page and "ne peut pas encore recevoir de dons en ligne" in page
    requests.post(f"{localstripe}/_config/connect/accounts/{account}", json={"charges_enabled": True},
                  timeout=10).raise_for_status()
    deliver("account.updated", {"id": account, "object": "account"}, account=account)
    time.sleep(1.1)
    assert 'id="donation-form"' in giving.client.get(f"/campagnes/{slug}").text
    started = giving.start(slug)
    assert started.status_code == 201
    assert giving.donation(started.json["id"]).stripe_account_id == account

    # The organization disconnects its account from the platform: gifts stop at once.
    left = deliver("account.application.deauthorized", {"id": "ca_platform", "object": "application"},
                   account=account)
    assert left.json["outcome"] == "updated"
    assert giving.client.get(url, headers=finance).json["takes_payments"] is False
    assert giving.start(slug).status_code == 409


def test_the_connect_endpoint_verifies_with_its_own_secret_and_needs_the_account(giving, deliver):
    slug = giving.campaign()
    started = giving.give(slug)
    gift = giving.donation(started["id"])
    intent = {"id": gift.stripe_payment_intent_id, "object": "payment_intent"}
    # The platform endpoint's secret does not sign Connect events, nor the other way round.
    assert deliver("payment_intent.succeeded", intent, account=gift.stripe_account_id,
                   secret="whsec_test_secret").status_code == 400
    assert deliver("payment_intent.succeeded", intent, secret="whsec_test_connect_secret").status_code == 400
    # A Connect event that names no account is not one we can route.
    from tests.donations.conftest import event_payload, sign

    payload = event_payload("payment_intent.succeeded", intent)
    unrouted = giving.client.post("/api/v1/stripe/connect-webhook", data=payload, content_type="application/json",
                                  headers={"Stripe-Signature": sign(payload, "whsec_test_connect_secret")})
    assert unrouted.status_code == 400 and unrouted.mimetype == "application/problem+json"
    assert giving.donation(started["id"]).status.value == "pending"

    first = deliver("payment_intent.succeeded", intent, event_id="evt_connect_1", account=gift.stripe_account_id)
    assert first.status_code == 200 and first.json["outcome"] == "succeeded"
    replay = deliver("payment_intent.succeeded", intent, event_id="evt_connect_1", account=gift.stripe_account_id)
    assert replay.json["outcome"] == "duplicate"
    assert giving.donation(started["id"]).status.value == "succeeded"


def test_the_command_line_connects_an_organization(actors, runner, app):
    actors.organization("asso-cli", payments=False)
    result = runner.invoke(args=["stripe", "connect-account", "asso-cli"])
    assert result.exit_code == 0, result.output
    assert "created account acct_" in result.output and "(payments off)" in result.output
    url = result.output.split("onboarding link (single use, a few minutes): ")[1].strip()
    requests.get(url, allow_redirects=False, timeout=10)
    refreshed = runner.invoke(args=["stripe", "refresh-account", "asso-cli"])
    assert refreshed.exit_code == 0 and "updated; charges on, payouts on" in refreshed.output
    assert "existing account" in runner.invoke(args=["stripe", "connect-account", "asso-cli"]).output


def test_an_administrator_creates_the_account_and_sends_the_treasurer_to_stripe_from_the_back_office(
        client, actors, app, localstripe):
    from tests.support import csrf_from, sign_in_as_latest

    actors.organization("asso-page", payments=False)
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    listing = client.get("/gestion/versements")
    assert listing.status_code == 200
    assert "Association asso-page</a> — pas de compte Stripe" in " ".join(listing.text.split())
    page = client.get("/gestion/versements?organisation=asso-page")
    assert "ne peut ni publier de campagne ni recevoir de don en ligne" in page.text
    token = csrf_from(page.text)
    # The first button only asks; nothing is created until it is confirmed.
    client.post("/gestion/versements/asso-page/compte", data={"csrf_token": token})
    with app.app_context():
        from campaigns.services import get_organization

        assert get_organization("asso-page").stripe_account_id is None
    done = client.post("/gestion/versements/asso-page/compte", data={"csrf_token": token, "confirm": "1"},
                       follow_redirects=True)
    assert "Le compte Stripe de l&#39;organisation est créé" in done.text and "pas encore acceptés" in done.text
    onboarding = client.post("/gestion/versements/asso-page/inscription", data={"csrf_token": token})
    assert onboarding.status_code == 302 and onboarding.headers["Location"].startswith(localstripe)
    assert client.get("/gestion/versements?organisation=inconnue").status_code == 404

    actors.organization("autre-page")
    actors.user("finance", organization="autre-page")
    sign_in_as_latest(client, app, "finance")
    assert client.get("/gestion/versements?organisation=asso-page").status_code == 404
    assert client.post("/gestion/versements/asso-page/compte",
                       data={"csrf_token": csrf_from(client.get("/gestion/versements").text),
                             "confirm": "1"}).status_code == 404


def test_the_platform_takes_its_configured_share_of_a_gift_as_an_application_fee(giving, app, localstripe):
    app.config["STRIPE_APPLICATION_FEE_BPS"] = 200  # 2 %
    slug = giving.campaign()
    started = giving.give(slug)
    gift = giving.donation(started["id"])
    platform = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    on = {"stripe_account": gift.stripe_account_id}
    assert platform.v1.payment_intents.retrieve(gift.stripe_payment_intent_id, options=on).application_fee_amount == 50
    [line] = platform.v1.balance_transactions.list(options=on).data
    assert line.fee == 63 + 50  # Stripe's fee and the platform's 2 %
