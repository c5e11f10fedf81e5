"""Rewards (contreparties) and receipts: what a donor receives is weighed over their calendar year.

BOI-IR-RICI-250-10-20-10: a gift that brings the donor a reward stays a gift when the value of
everything the organization gave them in the year is within a quarter of their gifts and 73 €.
The receipt then carries the gift minus the reward's fair value; a gift whose reward breaks the
tolerance earns no reduction at all, so no receipt.
"""
import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from tests.receipts.conftest import pdf_text


def download(client, headers, number):
    response = client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=headers)
    assert response.status_code == 200
    return pdf_text(response.data)[0]


def outcomes(app):
    from receipts.models import ReceiptRequest

    with app.app_context():
        return [row.outcome for row in db.session.scalars(select(ReceiptRequest).order_by(ReceiptRequest.id))]


def test_two_rewards_within_the_years_tolerance_each_reduce_their_receipt(client, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 10_000, fair_value_cents=2_000)  # 20 % of 100 €
    gifts.gift(campaign, 12_000, fair_value_cents=3_000)  # 25 % of 120 €; 50 € in the year, under 73 €
    assert gifts.run_job() == 2
    receipts = gifts.receipts()
    assert [r[2] for r in receipts] == [8_000, 9_000]  # each gift minus its reward's fair value
    text = download(client, finance, receipts[1][0])
    assert "90,00 €" in text and "quatre-vingt-dix euros" in text
    assert "120,00 €" in text and "30,00 €" in text  # the gift and the reward's value, stated


def test_the_reward_that_takes_the_years_counterparts_over_73_euros_earns_no_receipt(app, client, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 20_000, fair_value_cents=5_000)  # 25 % of 200 €, 50 € so far this year
    gifts.gift(campaign, 20_000, fair_value_cents=5_000)  # 100 € of rewards in the year: above 73 €
    gifts.gift(campaign, 4_000)  # no reward: a gift like any other
    gifts.gift(campaign, 20_000, fair_value_cents=5_000, email="paul@example.org")  # another donor's year
    gifts.run_job()
    assert [r[2] for r in gifts.receipts()] == [15_000, 4_000, 15_000]
    assert outcomes(app)[1] == "reward above the allowed counterpart: no receipt"


def test_the_annual_receipt_leaves_out_the_gift_whose_reward_breaks_the_tolerance(app, client, finance, gifts):
    from donations.models import Donation

    campaign = gifts.campaign()
    first = gifts.gift(campaign, 20_000, fair_value_cents=5_000, receipt_choice="annual")
    second = gifts.gift(campaign, 20_000, fair_value_cents=5_000, receipt_choice="annual")
    gifts.gift(campaign, 6_000, receipt_choice="annual", paid_on=date(2025, 12, 1), payment_method="cheque")
    with app.app_context():  # card gifts are dated by Stripe, today: these two arrived in 2025
        for gift_id, day in ((first, date(2025, 3, 1)), (second, date(2025, 6, 1))):
            db.session.get(Donation, gift_id).paid_on = day
        db.session.commit()
    issued = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert issued.status_code == 200, issued.json
    [(number, _, amount, kind)] = gifts.receipts()
    assert (amount, kind) == (21_000, "annual")  # 200 € - 50 € of reward, and the 60 € cheque
    text = download(client, finance, number)
    assert "210,00 €" in text and "2 dons sur l'année" in text


def test_the_forms_preview_deducts_the_rewards_value_as_the_receipt_does(app, client, finance, gifts):
    """What donation-form.js does, without a browser: read the tier's fair value from the page, ask
    the simulator with it, then give and compare with the receipt."""
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000, fair_value_cents=1_200, email="first@example.org")  # creates the tier
    page = client.get(f"/campagnes/{campaign}").text
    [(tier_id, fair)] = re.findall(r'name="reward_tier_id" value="(\d+)"[^>]*data-fair-value="(\d+)"', page)
    organization = re.search(r'data-organization="([^"]+)"', page).group(1)
    preview = client.get(f"/api/v1/tax-reduction?amount_cents=5000&donor_type=individual"
                         f"&organization={organization}&counterpart_cents={fair}").json
    # BOI-IR-RICI-250-10-20-10: 50 € - 12 € = 38 € on the receipt; CGI art. 200-1: 66 % of 38 € = 25,08 €.
    assert (preview["eligible_cents"], preview["reduction_cents"], preview["net_cost_cents"]) == (3_800, 2_508, 2_492)
    gifts.run_job()
    assert gifts.receipts()[-1][2] == preview["eligible_cents"]
