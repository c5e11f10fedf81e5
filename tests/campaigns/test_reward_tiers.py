"""A reward whose value would take a donor's tax reduction away is refused when the tier is written.

BOI-IR-RICI-250-10-20-10: a counterpart keeps a gift a gift when its value stays within a quarter
of the gift and a flat 73 € a year. A gift of the tier's minimum amount must stay within both.
"""
from datetime import date, timedelta

import pytest

from app.tax_rules import Rule
from app.types import utcnow


def body(**overrides):
    now = utcnow()
    return {"title": "Un potager pour l'école des Blagis", "commune": "Sceaux", "insee_code": "92071",
            "category": "environment", "goal_cents": 500_000, "funding_model": "keep_it_all",
            "starts_at": (now - timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=30)).isoformat(),
            **overrides}


@pytest.fixture
def holder(actors):
    actors.organization("jardin")
    return actors.user("holder", organization="jardin")


def tier(minimum, fair, **more):
    return {"title": "Un pot de miel", "min_amount_cents": minimum, "fair_value_cents": fair, **more}


@pytest.mark.parametrize("minimum, fair, why", [
    (1_000, 300, "25 %"),  # 30 % of a 10 € gift
    (40_000, 8_000, "73,00"),  # 20 % of 400 €, but above the 73 € a donor may receive in a year
])
def test_a_tier_beyond_the_counterpart_tolerance_is_refused_at_creation(client, holder, minimum, fair, why):
    response = client.post("/api/v1/campaigns", json=body(tiers=[tier(2_000, 500), tier(minimum, fair)]),
                           headers=holder)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    [message] = response.json["errors"]["tiers.1.fair_value_cents"]
    assert why in message and "BOI-IR-RICI-250-10-20-10" in message
    assert client.get("/api/v1/campaigns", headers=holder).headers["X-Total-Count"] == "0"


def test_a_tier_at_the_limit_is_accepted_and_an_edit_that_breaks_it_is_refused(client, holder):
    created = client.post("/api/v1/campaigns", json=body(tiers=[tier(2_000, 500), tier(29_200, 7_300)]),
                          headers=holder)  # exactly 25 %, and exactly 73 € at 25 % of 292 €
    assert created.status_code == 201, created.json
    slug, tiers = created.json["slug"], created.json["tiers"]
    cheaper = client.patch(f"/api/v1/campaigns/{slug}", headers=holder, json={"tiers": [
        {"id": tiers[0]["id"], "min_amount_cents": 1_900}, {"id": tiers[1]["id"]}]})
    assert cheaper.status_code == 422 and "tiers.0.fair_value_cents" in cheaper.json["errors"]
    dearer = client.patch(f"/api/v1/campaigns/{slug}", headers=holder, json={"tiers": [
        {"id": tiers[0]["id"]}, {"id": tiers[1]["id"], "fair_value_cents": 7_400, "min_amount_cents": 40_000}]})
    assert dearer.status_code == 422 and "tiers.1.fair_value_cents" in dearer.json["errors"]
    renamed = client.patch(f"/api/v1/campaigns/{slug}", headers=holder, json={"tiers": [
        {"id": tiers[0]["id"], "title": "Deux pots de miel"}, {"id": tiers[1]["id"]}]})
    assert renamed.status_code == 200, renamed.json


def test_the_rule_in_force_on_the_campaigns_start_date_applies(app, client, holder):
    change = date.today() + timedelta(days=10)
    app.config["TAX_RULES"] = {**app.config["TAX_RULES"], "counterpart_max_percent": (
        Rule(date(2021, 1, 1), 25, "BOI-IR-RICI-250-10-20-10"), Rule(change, 10, "BOI-IR-RICI-250-10-20-10 (futur)"))}
    soon = body(tiers=[tier(2_000, 400)])  # 20 %
    assert client.post("/api/v1/campaigns", json=soon, headers=holder).status_code == 201
    later = body(title="Un potager plus tard", tiers=[tier(2_000, 400)],
                 starts_at=(utcnow() + timedelta(days=20)).isoformat(),
                 ends_at=(utcnow() + timedelta(days=50)).isoformat())
    refused = client.post("/api/v1/campaigns", json=later, headers=holder)
    assert refused.status_code == 422 and "10 %" in refused.json["errors"]["tiers.0.fair_value_cents"][0]
