"""The rounding rule: what a checkout may offer for a basket, and what it may record."""
from types import SimpleNamespace

import pytest

from app.errors import InvalidInput
from donations.roundup.services.rules import check_roundup, quote, roundup_options


def rule(step=100, exact=False, top_ups=(), maximum=None):
    return SimpleNamespace(rounding_step_cents=step, round_exact_baskets=exact, top_ups_cents=list(top_ups),
                           max_roundup_cents=maximum)


@pytest.mark.parametrize("merchant, basket, expected", [
    (rule(), 1230, [70]),  # 12,30 € -> 13 €
    (rule(), 1201, [99]),
    (rule(), 1299, [1]),
    (rule(), 1200, []),  # already on the step: nothing
    (rule(exact=True), 1200, [100]),  # unless the merchant offers a whole euro then
    (rule(step=50), 1230, [20]),  # to the next 0,50 €
    (rule(step=50), 1260, [40]),
    (rule(step=50), 1250, []),
    (rule(top_ups=[100, 200]), 1230, [70, 170, 270]),  # +1 €, +2 € on top of the rounding
    (rule(top_ups=[100]), 1200, [100]),  # on the step, a top-up alone
    (rule(top_ups=[100, 200], maximum=150), 1230, [70]),  # nothing above the maximum
    (rule(step=500, maximum=200), 1230, []),  # 2,70 € to the next 5 € is above a 2 € maximum
    (rule(step=500, maximum=400), 1230, [270]),
    (rule(), 0, []),
])
def test_options_per_rule(merchant, basket, expected):
    assert roundup_options(merchant, basket) == expected


def test_quote_gives_the_plain_rounding_and_the_top_ups():
    assert quote(rule(top_ups=[200]), 1230) == {
        "basket_cents": 1230, "roundup_cents": 70, "total_cents": 1300,
        "options": [{"roundup_cents": 70, "total_cents": 1300}, {"roundup_cents": 270, "total_cents": 1500}],
    }


def test_quote_on_the_step_is_zero_but_offers_top_ups():
    result = quote(rule(top_ups=[100]), 1500)
    assert (result["roundup_cents"], result["total_cents"]) == (0, 1500)
    assert result["options"] == [{"roundup_cents": 100, "total_cents": 1600}]


@pytest.mark.parametrize("merchant, basket, roundup, words", [
    (rule(), 1230, 50, "allows a round-up of 70 cents, not 50"),
    (rule(), 1200, 100, "gives no round-up for a basket of 1200 cents"),
    (rule(maximum=50), 1230, 70, "above this merchant's maximum round-up of 50 cents"),
    (rule(), 1230, 0, "at least 1 cent"),
    (rule(top_ups=[100]), 1230, 150, "70, 170 cents, not 150"),
])
def test_a_roundup_the_rule_refuses_says_why(merchant, basket, roundup, words):
    with pytest.raises(InvalidInput) as refused:
        check_roundup(merchant, basket, roundup)
    assert words in refused.value.detail


def test_allowed_roundups_pass():
    check_roundup(rule(top_ups=[100, 200]), 1230, 270)
    check_roundup(rule(exact=True), 1200, 100)


def test_quote_endpoint_uses_the_merchants_rule(client, shops):
    headers = shops.merchant(rounding_step_cents=50, top_ups_cents=[100])
    response = client.post("/api/v1/roundups/quote", json={"basket_cents": 1230}, headers=headers)
    assert response.status_code == 200
    assert response.json["roundup_cents"] == 20
    assert response.json["total_cents"] == 1250
    assert [o["roundup_cents"] for o in response.json["options"]] == [20, 120]


def test_quote_refuses_a_negative_basket_and_a_missing_key(client, shops):
    headers = shops.merchant()
    bad = client.post("/api/v1/roundups/quote", json={"basket_cents": -1}, headers=headers)
    assert bad.status_code == 422
    assert "basket_cents" in bad.json["errors"]
    anonymous = client.post("/api/v1/roundups/quote", json={"basket_cents": 100})
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "application/problem+json"
