"""Hostile input answers 4xx problem+json, never a 500, and changes nothing — on both databases.

Each case here was a server error before (most only on PostgreSQL, which refuses what SQLite stores).
"""
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.types import utcnow
from tests.donations.conftest import sign
from tests.roundup.conftest import Shops

HUGE = 2**70


@pytest.fixture
def admin(actors):
    return actors.admin()


@pytest.fixture
def shop(app, actors):
    shops = Shops(app, actors)
    return shops.merchant("boulangerie")


def is_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def campaign_body(**overrides):
    now = utcnow()
    body = {"organization": "asso-test", "title": "Un potager", "commune": "Sceaux", "insee_code": "92071",
            "category": "environment", "goal_cents": 500_000, "funding_model": "keep_it_all",
            "starts_at": (now + timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=30)).isoformat()}
    body.update(overrides)
    return body


@pytest.mark.parametrize("field", ["goal_cents", "min_gift_cents"])
def test_amounts_beyond_64_bits_are_refused_by_name(client, actors, admin, field):
    actors.organization("asso-test")
    problem = is_problem(client.post("/api/v1/campaigns", headers=admin, json=campaign_body(**{field: HUGE})), 422)
    assert field in problem["errors"]


def test_an_offline_gift_a_reward_tier_and_a_pledge_beyond_64_bits_are_refused(client, actors, admin):
    actors.organization("asso-test")
    tiers = [{"title": "Merci", "min_amount_cents": 1_000, "quantity_limit": HUGE}]
    problem = is_problem(client.post("/api/v1/campaigns", headers=admin, json=campaign_body(tiers=tiers)), 422)
    assert "tiers" in problem["errors"]
    offline = {"campaign": "x", "amount_cents": HUGE, "payment_method": "cheque", "paid_on": "2026-01-05"}
    problem = is_problem(client.post("/api/v1/organizations/asso-test/offline-donations", headers=admin,
                                     json=offline), 422)
    assert "amount_cents" in problem["errors"]


def test_round_ups_beyond_64_bits_or_in_year_1_are_refused(client, shop):
    for body, field in (({"basket_cents": HUGE, "roundup_cents": 10}, "basket_cents"),
                        ({"basket_cents": 990, "roundup_cents": HUGE}, "roundup_cents"),
                        ({"basket_cents": 990, "roundup_cents": 10, "occurred_at": "0001-01-01T00:30:00+01:00"},
                         "occurred_at")):
        problem = is_problem(client.post("/api/v1/roundups", headers=shop, json={"external_id": "t-1", **body}), 422)
        assert field in problem["errors"]


@pytest.mark.parametrize("query", ["page=1180591620717411303424", "per_page=1180591620717411303424",
                                   "page=99999999999999"])
def test_pages_beyond_64_bits_are_refused(client, admin, query):
    for path in ("/api/v1/campaigns", "/api/v1/merchants", "/api/v1/settlements", "/api/v1/organizations"):
        is_problem(client.get(f"{path}?{query}", headers=admin), 422)


def test_years_and_dates_out_of_range_in_queries_are_refused(client, actors, admin):
    actors.organization("asso-test")
    is_problem(client.get(f"/api/v1/receipts?year={HUGE}", headers=admin), 422)
    is_problem(client.get("/api/v1/receipts/export.csv?organization=asso-test&year=1", headers=admin), 422)
    is_problem(client.get("/api/v1/tax-reduction?amount_cents=10000&date=0001-01-01"), 422)
    is_problem(client.get(f"/api/v1/tax-reduction?amount_cents={HUGE}"), 422)
    partner = actors.partner("partenaire-test")
    is_problem(client.get(f"/api/v1/partners/{partner}/summary?from=0001-01-01&to=9999-12-31", headers=admin), 422)


@pytest.mark.parametrize("path", ["/api/v1/settlements/{n}", "/api/v1/settlements/{n}.csv",
                                  "/api/v1/donations/{n}", "/api/v1/merchants/boulangerie/keys/{n}/revoke",
                                  "/api/v1/campaigns/x/pledges/{n}"])
@pytest.mark.parametrize("number", [2**31, HUGE])
def test_ids_beyond_the_databases_integers_in_paths_are_no_such_thing(client, admin, shop, path, number):
    url = path.format(n=number)
    method = client.post if url.endswith("revoke") else client.patch if "pledges" in url else client.get
    is_problem(method(url, headers=admin, json={"active": True}), 404)


@pytest.mark.parametrize("starts_at", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
                                       "1999-12-31T00:00:00+00:00"])
def test_campaign_instants_beyond_what_utc_holds_are_refused(client, actors, admin, starts_at):
    actors.organization("asso-test")
    problem = is_problem(client.post("/api/v1/campaigns", headers=admin, json=campaign_body(starts_at=starts_at)), 422)
    assert "starts_at" in problem["errors"]


def test_json_nested_a_thousand_deep_is_a_bad_request(client, actors, admin):
    actors.organization("asso-test")
    deep = "[" * 1000 + "]" * 1000
    for path in ("/api/v1/campaigns", "/api/v1/roundups", "/api/v1/stripe/webhook", "/api/v1/stripe/connect-webhook"):
        problem = is_problem(client.post(path, headers=admin, data=deep, content_type="application/json"), 400)
        assert "nested" in problem["detail"]


def test_nul_characters_are_a_bad_request(client, actors, admin):
    actors.organization("asso-test")
    is_problem(client.get("/api/v1/receipts?organization=asso%00test&year=2026", headers=admin), 400)
    is_problem(client.post("/api/v1/campaigns", headers=admin, json=campaign_body(title="Un\x00potager")), 400)


def test_a_patch_of_beneficiaries_without_their_share_is_refused_by_name(client, admin, shop):
    problem = is_problem(client.patch("/api/v1/merchants/boulangerie", headers=admin,
                                      json={"beneficiaries": [{"organization": "epicerie"}]}), 422)
    assert "beneficiaries" in problem["errors"]


@pytest.mark.parametrize("payload", [
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": {}},
    {"id": "evt_2", "type": "payment_intent.succeeded", "data": {"object": "pi_123"}},
    {"id": "evt_3", "type": "payment_intent.succeeded", "data": {"object": {"id": 12}}},
    {"id": 4, "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}},
    {"id": "evt_5", "type": "charge.dispute.created", "data": {"object": {"id": "dp_1"}}},
    ["not", "an", "event"],
])
def test_a_signed_but_malformed_event_is_refused_and_changes_nothing(app, client, payload):
    from donations.models import StripeEvent

    body = json.dumps(payload).encode()
    response = client.post("/api/v1/stripe/webhook", data=body, content_type="application/json",
                           headers={"Stripe-Signature": sign(body)})
    assert is_problem(response, 400)["type"].endswith("malformed-event")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


@pytest.mark.parametrize("payload", [
    {"id": "evt_c1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}},  # no account
    {"id": "evt_c2", "type": "account.updated", "account": 12, "data": {"object": {"id": "acct_1"}}},
    {"id": "evt_c3", "type": "account.updated", "account": "cus_1", "data": {"object": {"id": "acct_1"}}},
])
def test_a_signed_connect_event_that_names_no_account_is_refused_and_changes_nothing(app, client, payload):
    from donations.models import StripeEvent

    body = json.dumps(payload).encode()
    response = client.post("/api/v1/stripe/connect-webhook", data=body, content_type="application/json",
                           headers={"Stripe-Signature": sign(body, "whsec_test_connect_secret")})
    assert is_problem(response, 400)["type"].endswith("malformed-event")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_search_wildcards_are_literal(app, client, actors, admin):
    from campaigns import services

    organization = actors.organization("asso-test")
    now = utcnow()
    with app.app_context():
        organization_id = services.get_organization(organization).id
        for slug, title in (("cent", "Objectif 100% solidaire"), ("autre", "Un potager partagé"),
                            ("tiret", "Jardin_partage a\\b")):
            campaign = services.create_campaign(
                organization_id, slug=slug, title=title, summary="Un projet.", description="Six bacs.", commune="Sceaux",
                insee_code="92071", category="environment", goal_cents=100_000, min_gift_cents=100,
                starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=9), funding_model="keep_it_all")
            services.publish_campaign(campaign, now=now - timedelta(days=1))
        db.session.commit()

    def found(q):
        return sorted(c["slug"] for c in client.get("/api/v1/campaigns", query_string={"q": q}).get_json())

    assert found("%") == ["cent"]
    assert found("_") == ["tiret"]
    assert found("\\") == ["tiret"]
    assert found("100%") == ["cent"]
    assert found("potager") == ["autre"]
