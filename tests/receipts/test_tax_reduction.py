"""The public simulator that the donation form calls to show what a gift really costs.

Every case below was computed by hand from the texts quoted beside it; the simulator rounds each
part of the reduction down to the cent.
"""
from datetime import date

import pytest

from app.tax_rules import Rule, with_figure

E = 100  # cents in a euro, for readable amounts

# (query, reduction, carried forward, rate) — the rules of the gift's date. The rate is the one
# applied to what counts this year (blended and rounded down when two rates apply).
CASES = [
    # CGI art. 200-1; BOI-IR-RICI-250-30 § 1: 66 % of the gift. 100 € -> 66 €.
    ("amount_cents=10000&date=2026-03-01", 66 * E, 0, 66),
    # Same, rounded down to the cent: 66 % of 100,01 € = 66,0066 € -> 66,00 €.
    ("amount_cents=10001&date=2026-03-01", 66 * E, 0, 66),
    # CGI art. 200-1 and 200-5; BOI-IR-RICI-250-30: gifts count within 20 % of taxable income, the
    # excess is carried forward. 1 000 € on 2 000 € of income: 400 € count -> 264 €; 600 € carried.
    ("amount_cents=100000&taxable_income_cents=200000&date=2026-03-01", 264 * E, 600 * E, 66),
    # Same limit on a larger gift: 3 000 € on 10 000 € of income: 2 000 € count -> 1 320 €; 1 000 € carried.
    ("amount_cents=300000&taxable_income_cents=1000000&date=2026-03-01", 1_320 * E, 1_000 * E, 66),
    # CGI art. 200-1 ter (cap of 1 000 €; BOI-IR-RICI-250-30): a gift of 1 500 € made on 13/10/2025
    # to an organization that aids people in difficulty: 75 % of 1 000 € = 750 €, then 66 % of
    # 500 € = 330 € -> 1 080 € (blended rate 72 %).
    ("amount_cents=150000&organization=epicerie&date=2025-10-13", 1_080 * E, 0, 72),
    # Loi de finances pour 2026 (PLF art. 9; service-public.fr F426): from 14/10/2025 the cap is
    # 2 000 €: the same 1 500 € the next day is all at 75 % -> 1 125 €.
    ("amount_cents=150000&organization=epicerie&date=2025-10-14", 1_125 * E, 0, 75),
    # CGI art. 200-1 ter: the 75 % part is not counted in the 20 % limit. 800 € on 1 000 € of
    # income (limit 200 €): 75 % of 800 € = 600 €, nothing carried.
    ("amount_cents=80000&taxable_income_cents=100000&organization=epicerie&date=2026-03-01", 600 * E, 0, 75),
    # Both parts: 3 000 € on 2 500 € of income in 2026: 75 % of 2 000 € = 1 500 € outside the
    # limit; the other 1 000 € count within 20 % of 2 500 € = 500 € -> 66 % of 500 € = 330 €;
    # 500 € carried forward (CGI art. 200-5) -> 1 830 € (blended 73 % of the 2 500 € counted).
    ("amount_cents=300000&taxable_income_cents=250000&organization=epicerie&date=2026-03-01",
     1_830 * E, 500 * E, 73),
    # CGI art. 238 bis-1; BOI-BIC-RICI-20-30-20: a company deducts 60 % -> 100 € gives 60 €.
    ("amount_cents=10000&donor_type=company&date=2026-03-01", 60 * E, 0, 60),
    # CGI art. 238 bis-1 as amended by LF 2020 art. 134: gifts count up to 20 000 € (no turnover
    # given): 50 000 € -> 60 % of 20 000 € = 12 000 €; 30 000 € carried over the five following
    # financial years (BOI-BIC-RICI-20-30-20 § 40-45).
    ("amount_cents=5000000&donor_type=company&date=2026-03-01", 12_000 * E, 30_000 * E, 60),
    # ... or 5 ‰ of turnover when higher: 10 M€ of turnover -> 50 000 € count -> 30 000 €.
    ("amount_cents=5000000&donor_type=company&turnover_cents=1000000000&date=2026-03-01", 30_000 * E, 0, 60),
    # LF 2020 art. 134: 40 % on what exceeds 2 M€. 3 M€ from a company with 1 Md€ of turnover (cap
    # 5 M€): 60 % of 2 M€ = 1,2 M€ + 40 % of 1 M€ = 0,4 M€ -> 1,6 M€ (blended 53 %).
    ("amount_cents=300000000&donor_type=company&turnover_cents=100000000000&date=2026-03-01",
     1_600_000 * E, 0, 53),
    # ... except gifts to organizations that aid people in difficulty (CGI art. 238 bis-1 as amended
    # by LF 2020): 60 % of 3 M€ = 1,8 M€.
    ("amount_cents=300000000&donor_type=company&turnover_cents=100000000000&organization=epicerie"
     "&date=2026-03-01", 1_800_000 * E, 0, 60),
    # Cap and 40 % together: 6 M€ with a 5 M€ cap: 1,2 M€ + 40 % of 3 M€ = 1,2 M€ -> 2,4 M€; 1 M€
    # carried over the five following financial years (blended 48 % of the 5 M€ counted).
    ("amount_cents=600000000&donor_type=company&turnover_cents=100000000000&date=2026-03-01",
     2_400_000 * E, 1_000_000 * E, 48),
    # BOI-IR-RICI-250-10-20-10 (counterparts): the reward's value is deducted. 50 € with a reward
    # worth 12 €: 66 % of 38 € = 25,08 €.
    ("amount_cents=5000&counterpart_cents=1200&date=2026-03-01", 2_508, 0, 66),
    # ... and a reward worth more than 25 % of the gift takes the reduction away: 100 € with 30 €.
    ("amount_cents=10000&counterpart_cents=3000&date=2026-03-01", 0, 0, 0),
    # ... or more than 73 € (a year): 400 € with a reward worth 80 € (20 %).
    ("amount_cents=40000&counterpart_cents=8000&date=2026-03-01", 0, 0, 0),
]


@pytest.mark.parametrize("query, reduction, carried, rate", CASES)
def test_hand_computed_cases(client, actors, query, reduction, carried, rate):
    actors.organization("epicerie", receipt_regime="aid_to_people_in_difficulty")
    response = client.get(f"/api/v1/tax-reduction?{query}")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["reduction_cents"], body["carry_forward_cents"], body["rate_percent"]) == (reduction, carried, rate)
    assert body["net_cost_cents"] == body["amount_cents"] - reduction
    assert body["eligible_cents"] == (body["amount_cents"] - body["counterpart_cents"] if reduction else 0)
    assert "CGI" in body["legal_reference"] or "BOI" in body["legal_reference"]


def test_the_answer_says_which_rules_applied_and_what_is_carried_forward(client, actors):
    actors.organization("epicerie", receipt_regime="aid_to_people_in_difficulty")
    body = client.get("/api/v1/tax-reduction?amount_cents=300000&taxable_income_cents=250000"
                      "&organization=epicerie&date=2026-03-01").json
    notes = " ".join(body["notes"])
    assert body["rule_date"] == "2026-03-01"
    assert "75 % des dons jusqu'à 2 000,00 € par an" in notes.replace("\u202f", " ").replace("\xa0", " ")
    assert "à compter du 14/10/2025" in notes
    assert "hors de la limite de 20 % du revenu imposable" in notes
    assert "reportés sur les cinq années suivantes" in notes and "200-5" in notes
    before = client.get("/api/v1/tax-reduction?amount_cents=150000&organization=epicerie&date=2025-10-13").json
    assert "1 000,00 €" in " ".join(before["notes"]).replace("\u202f", " ").replace("\xa0", " ")
    company = client.get("/api/v1/tax-reduction?amount_cents=5000000&donor_type=company&date=2026-03-01").json
    text = " ".join(company["notes"])
    assert "0,5 %" in text and "cinq exercices suivants" in text and "0.5" not in text
    assert "0,5 %" in company["legal_reference"]


def test_without_a_date_the_rules_of_today_in_paris_apply(client, app):
    from app.formatting import local_today

    with app.app_context():
        today = local_today()
    assert client.get("/api/v1/tax-reduction?amount_cents=10000").json["rule_date"] == today.isoformat()


def test_a_not_eligible_organization_gives_no_reduction_and_bad_input_is_a_422(client, actors):
    actors.organization("club", receipt_regime="not_eligible")
    assert client.get("/api/v1/tax-reduction?amount_cents=10000&organization=club").json["reduction_cents"] == 0
    bad = client.get("/api/v1/tax-reduction?amount_cents=-5&donor_type=robot")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"amount_cents", "donor_type"}
    assert client.get("/api/v1/tax-reduction?amount_cents=100&organization=nowhere").status_code == 404
    early = client.get("/api/v1/tax-reduction?amount_cents=10000&date=2019-06-01")
    assert early.status_code == 422 and set(early.json["errors"]) == {"date"}
    too_much = client.get("/api/v1/tax-reduction?amount_cents=10000&counterpart_cents=20000")
    assert too_much.status_code == 422 and set(too_much.json["errors"]) == {"counterpart_cents"}


def test_rates_come_from_the_dated_configuration(app, client):
    app.config["TAX_RULES"] = with_figure(app.config["TAX_RULES"], "individual_rate_percent", 50)
    assert client.get("/api/v1/tax-reduction?amount_cents=10000").json["reduction_cents"] == 5_000
    # A change of the law is a new rule from its date: gifts before it keep the old figure.
    rules = app.config["TAX_RULES"]
    app.config["TAX_RULES"] = {**rules, "individual_rate_percent": (
        Rule(date(2005, 1, 1), 66, "CGI art. 200-1"), Rule(date(2027, 1, 1), 70, "loi imaginaire"))}
    assert client.get("/api/v1/tax-reduction?amount_cents=10000&date=2026-12-31").json["reduction_cents"] == 6_600
    assert client.get("/api/v1/tax-reduction?amount_cents=10000&date=2027-01-01").json["reduction_cents"] == 7_000
