"""A partner reads what its money did: campaigns, amounts, citizens' money leveraged, donors, outcomes."""
import csv
import io

import pytest


def summary(client, headers, partner="la-poste", suffix="", query=""):
    return client.get(f"/api/v1/partners/{partner}/summary{suffix}{query}", headers=headers)


def test_partner_sees_its_campaigns_amounts_and_leverage(client, actors, scenario):
    response = summary(client, actors.user("partner", partner="la-poste"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["partner"]["name"] == "Partenaire la-poste"
    assert [c["slug"] for c in body["campaigns"]] == ["potager", "vestiaires"]  # the banque's stage is not its own
    assert (body["matched_cents"], body["granted_cents"], body["partner_cents"]) == (12_000, 4_000, 16_000)
    assert body["matched_gifts"] == 2  # Bob's refunded gift no longer counts
    assert body["citizens_cents"] == 23_500
    assert body["donors_reached"] == 3  # Alice gave to both campaigns: one donor
    assert body["leverage"] == {"citizens_cents": 23_500, "partner_cents": 16_000, "ratio": "1.47",
                                "numerator": 47, "denominator": 32}

    garden, club = body["campaigns"]
    assert (garden["online_cents"], garden["offline_cents"], garden["roundup_cents"]) == (10_000, 2_000, 1_500)
    assert garden["others_cents"] == 80_000  # the city's grant and the bakery's patronage
    assert garden["donors"] == 2
    assert garden["leverage"]["ratio"] == "1.13"  # 135 / 120 = 1.125, rounded half up
    assert (garden["status"], garden["status_label"]) == ("published", "En cours")
    assert garden["raised_cents"] == 105_500
    assert (club["granted_cents"], club["citizens_cents"], club["leverage"]["ratio"]) == (4_000, 10_000, "2.50")


def test_a_partner_without_money_in_the_period_gets_an_empty_summary(client, actors, scenario):
    actors.partner("fondation", kind="foundation")
    body = summary(client, actors.admin(), partner="fondation").json
    assert body["campaigns"] == [] and body["partner_cents"] == 0
    assert body["leverage"]["ratio"] is None


def test_csv_for_french_spreadsheets(client, actors, scenario):
    response = summary(client, actors.user("partner", partner="la-poste"), suffix=".csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [row["campaign_slug"] for row in rows] == ["potager", "vestiaires", "TOTAL"]
    garden, _, total = rows
    assert (garden["partner_eur"], garden["partner_cents"]) == ("120.00", "12000")
    assert (garden["citizens_eur"], garden["roundup_cents"], garden["leverage"]) == ("135.00", "1500", "1.13")
    assert garden["organization"] == "Association asso-jardin"
    assert (total["partner_eur"], total["citizens_eur"], total["donors"], total["leverage"]) == (
        "160.00", "235.00", "3", "1.47")


@pytest.mark.parametrize("suffix", ["", ".json", ".csv", ".pdf"])
def test_access_admin_own_partner_other_partner_anonymous(client, actors, scenario, suffix):
    assert summary(client, actors.admin(), suffix=suffix).status_code == 200
    assert summary(client, actors.user("partner", partner="la-poste"), suffix=suffix).status_code == 200
    other = summary(client, actors.user("partner", partner="banque"), suffix=suffix)
    assert other.status_code == 404 and other.mimetype == "application/problem+json"
    assert summary(client, {}, suffix=suffix).status_code == 401
    assert summary(client, actors.user("finance", organization="asso-jardin"), suffix=suffix).status_code == 403


def test_unknown_partner_is_404(client, actors):
    assert summary(client, actors.admin(), partner="personne").status_code == 404


@pytest.mark.parametrize("query, field", [
    ("?from=2026-13-01", "from"), ("?to=hier", "to"), ("?from=2026-03-01&to=2026-02-28", "to"),
    ("?from=0001-01-01", "from"), ("?to=9999-12-31", "to"),
])
def test_bad_dates_are_a_problem_naming_the_field(client, actors, scenario, query, field):
    for suffix in ("", ".csv", ".pdf"):
        response = summary(client, actors.admin(), suffix=suffix, query=query)
        assert response.status_code == 422, response.data
        assert response.mimetype == "application/problem+json"
        assert field in response.json["errors"]


@pytest.mark.parametrize("citizens, partner, plain, french", [
    (1, 3, "0.33", "0,33"), (2, 3, "0.67", "0,67"), (1005, 1000, "1.01", "1,01"), (1004, 1000, "1.00", "1,00"),
    (325, 100, "3.25", "3,25"), (5, 0, None, None),
])
def test_leverage_is_an_exact_fraction_shown_half_up_with_two_decimals(citizens, partner, plain, french):
    from receipts.summaries.services import Leverage

    leverage = Leverage(citizens, partner)
    assert (leverage.plain, leverage.french) == (plain, french)


def test_openapi_documents_the_summaries(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/partners/{slug}/summary.pdf" in paths
    assert "/api/v1/campaigns/{slug}/funding-summary" in paths
