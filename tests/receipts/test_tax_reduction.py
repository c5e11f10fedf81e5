"""The public simulator that the donation form calls to show what a gift really costs."""
import pytest


@pytest.mark.parametrize("query, reduction, rate", [
    ("amount_cents=10000", 6_600, 66),  # 66 %
    ("amount_cents=10001", 6_600, 66),  # rounded down to the cent
    ("amount_cents=100000&taxable_income_cents=200000", 26_400, 66),  # only 20 % of income (400 €) counts
    ("amount_cents=10000&donor_type=company", 6_000, 60),
    ("amount_cents=5000000&donor_type=company", 1_200_000, 60),  # capped at 20 000 €
    ("amount_cents=5000000&donor_type=company&turnover_cents=1000000000", 3_000_000, 60),  # 0.5 % of 10 M€
])
def test_rates_caps_and_rounding(client, query, reduction, rate):
    response = client.get(f"/api/v1/tax-reduction?{query}")
    assert response.status_code == 200
    body = response.json
    assert (body["reduction_cents"], body["rate_percent"]) == (reduction, rate)
    assert body["net_cost_cents"] == body["amount_cents"] - reduction
    assert "CGI" in body["legal_reference"]


def test_aid_to_people_in_difficulty_is_75_percent_up_to_the_cap_then_66(client, actors):
    actors.organization("epicerie", receipt_regime="aid_to_people_in_difficulty")
    below = client.get("/api/v1/tax-reduction?amount_cents=50000&organization=epicerie").json
    assert (below["reduction_cents"], below["rate_percent"]) == (37_500, 75)
    above = client.get("/api/v1/tax-reduction?amount_cents=150000&organization=epicerie").json
    assert above["reduction_cents"] == 75_000 + 33_000  # 75 % of 1 000 €, then 66 % of 500 €
    assert "200-1 ter" in above["legal_reference"]


def test_a_not_eligible_organization_gives_no_reduction_and_bad_input_is_a_422(client, actors):
    actors.organization("club", receipt_regime="not_eligible")
    assert client.get("/api/v1/tax-reduction?amount_cents=10000&organization=club").json["reduction_cents"] == 0
    bad = client.get("/api/v1/tax-reduction?amount_cents=-5&donor_type=robot")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"amount_cents", "donor_type"}
    assert client.get("/api/v1/tax-reduction?amount_cents=100&organization=nowhere").status_code == 404


def test_rates_come_from_configuration(app, client):
    app.config["TAX_RULES"] = {**app.config["TAX_RULES"], "individual_rate_percent": 50}
    assert client.get("/api/v1/tax-reduction?amount_cents=10000").json["reduction_cents"] == 5_000
