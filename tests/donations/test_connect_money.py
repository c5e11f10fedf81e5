"""The money of a gift is the organization's: a donor gives 25 € on the campaign page and the charge, its
fee and its payout are on that organization's own Stripe account, not the platform's nor another
organization's; a refund and a dispute act on that same account; the payout is reconciled with the
gifts and their receipts to the cent."""
import re

import pytest
import requests
import stripe
from sqlalchemy import select

from app.extensions import db
from tests.donations.conftest import DONOR


def _give_25_euros_on_the_page(page, served, slug):
    from playwright.sync_api import expect

    page.goto(f"{served}/campagnes/{slug}")
    form = page.locator("#donation-form")
    form.get_by_label("25,00 €").check()
    for label, field in (("Prénom", "first_name"), ("Nom", "last_name"), ("Adresse e-mail", "email"),
                         ("Adresse", "address_line1"), ("Code postal", "postal_code"), ("Ville", "city")):
        form.get_by_label(label, exact=True).fill(DONOR[field])
    card = page.locator("#card-element")
    for placeholder, value in (("number", "4242424242424242"), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123")):
        card.get_by_placeholder(placeholder).fill(value)
    if card.get_by_placeholder("postal_code").count():
        card.get_by_placeholder("postal_code").fill("92330")
    page.get_by_role("button", name=re.compile("Donner")).click()
    page.wait_for_url(re.compile(r"/dons/.+/merci"), timeout=20_000)
    # Confirmed by the organization's account's own event, on the Connect endpoint.
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre don est confirmé", timeout=20_000)


@pytest.mark.browser
def test_a_gift_its_fee_refund_dispute_and_payout_are_the_organizations_own(giving, served, page, actors, app,
                                                                          localstripe):
    from campaigns.services import get_organization
    from donations.models import Donation, DonationStatus
    from receipts.jobs import issue_queued_receipts

    slug = giving.campaign(slug="fresque-du-marche", title="Une fresque pour le marché")
    giving.campaign(slug="autre-projet", organization="autre-asso")
    _give_25_euros_on_the_page(page, served, slug)

    with app.app_context():
        first = db.session.scalars(select(Donation).where(Donation.status == DonationStatus.succeeded)).one()
        first_id, account, intent_id = first.id, first.stripe_account_id, first.stripe_payment_intent_id
        other_account = get_organization("autre-asso").stripe_account_id
        assert account == get_organization("asso-jardin").stripe_account_id and account != other_account

    platform = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    on = {"stripe_account": account}
    [charge] = platform.v1.charges.list(options=on).data
    assert charge.amount == 2500 and charge.payment_intent == intent_id
    [charge_line] = platform.v1.balance_transactions.list(params={"source": charge.id}, options=on).data
    assert (charge_line.amount, charge_line.fee, charge_line.net) == (2500, 63, 2437)  # 1.5 % + 0.25 €
    for elsewhere in ({}, {"stripe_account": other_account}):  # neither the platform nor another organization
        assert charge.id not in [c.id for c in platform.v1.charges.list(params={"limit": 100}, options=elsewhere).data]
        assert not platform.v1.balance_transactions.list(params={"source": charge.id}, options=elsewhere).data
        with pytest.raises(stripe.InvalidRequestError):
            platform.v1.payment_intents.retrieve(intent_id, options=elsewhere)

    # The treasurer refunds 5 €: on the organization's account.
    finance = actors.user("finance", organization="asso-jardin")
    finance_email = f"finance{actors._count}@test.example"
    refund = giving.client.post(f"/api/v1/donations/{first_id}/refund", json={"amount_cents": 500}, headers=finance)
    assert refund.status_code == 200, refund.json
    assert [r.amount for r in platform.v1.refunds.list(params={"charge": charge.id}, options=on).data] == [500]

    # A second gift is disputed by the cardholder's bank, then the organization wins: the events come
    # from its account and act on its gift.
    second = giving.give(slug, amount_cents=1000)
    second_gift = giving.wait_for(lambda: giving.donation(second["id"]).status.value == "succeeded"
                                  and giving.donation(second["id"]))
    dispute = requests.post(f"{localstripe}/_config/connect/accounts/{account}/disputes",
                            json={"charge": second_gift.stripe_charge_id}, timeout=10).json()
    assert giving.wait_for(lambda: giving.donation(second["id"]).status.value == "disputed")
    requests.post(f"{localstripe}/_config/connect/accounts/{account}/disputes/{dispute['id']}/close",
                  json={"status": "won"}, timeout=10).raise_for_status()
    assert giving.wait_for(lambda: giving.donation(second["id"]).status.value == "succeeded")

    with app.app_context():
        issue_queued_receipts()

    # Stripe pays the balance out to the organization's bank; the treasurer reads it, line by line.
    payout = requests.post(f"{localstripe}/_config/connect/accounts/{account}/payout", timeout=10).json()
    expected = (2500 - 63) - 500 + (1000 - 40) - 1000 - 2000 + 1000  # the dispute fee (20 €) is not returned
    assert payout["amount"] == expected
    assert not platform.v1.payouts.list(options={"stripe_account": other_account}).data

    answer = giving.client.get("/api/v1/organizations/asso-jardin/payouts", headers=finance)
    assert answer.status_code == 200, answer.json
    [reconciled] = answer.json
    assert reconciled["id"] == payout["id"] and reconciled["amount_cents"] == expected
    assert reconciled["ties"] is True and reconciled["net_cents"] == expected and reconciled["unmatched"] == 0
    assert (reconciled["gifts_cents"], reconciled["fees_cents"], reconciled["refunds_cents"],
            reconciled["disputes_cents"]) == (3500, 63 + 40 + 2000, -500, 0)
    by_kind = [(line["kind"], line["amount_cents"], line["fee_cents"], line["donation_id"])
               for line in reconciled["lines"]]
    assert sorted(by_kind) == sorted([("gift", 2500, 63, first_id), ("refund", -500, 0, first_id),
                                      ("gift", 1000, 40, second["id"]), ("dispute", -1000, 2000, second["id"]),
                                      ("dispute", 1000, 0, second["id"])])
    first_lines = [line for line in reconciled["lines"] if line["donation_id"] == first_id]
    # The first gift's receipt: issued for 25 €, cancelled by the refund and replaced for 20 €.
    assert all(len(line["receipts"]) == 1 and re.fullmatch(r"\d{4}-\d{6}", line["receipts"][0])
               for line in first_lines)

    assert giving.client.get("/api/v1/organizations/asso-jardin/payouts",
                             headers=actors.user("finance", organization="autre-asso")).status_code == 404
    assert giving.client.get("/api/v1/organizations/asso-jardin/payouts").status_code == 401
    assert giving.client.get("/api/v1/organizations/autre-asso/payouts", headers=actors.admin()).json == []

    # The treasurer's page says the same, on a phone: the payout, what it holds, and that it ties.
    from playwright.sync_api import expect

    from tests.support import sideways, violations
    from tests.support import sign_in_browser

    sign_in_browser(page, served, finance_email)
    page.goto(f"{served}/gestion/versements")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versements Stripe")
    summary = page.locator("table").first
    expect(summary).to_contain_text("8,97")
    expect(summary).to_contain_text("au centime près")
    detail = page.locator(f"#{payout['id']}")
    expect(detail.locator("tbody tr")).to_have_count(5)
    expect(detail).to_contain_text("Remboursement")
    expect(detail).to_contain_text("Litige")
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert sideways(page) <= 0
    assert page.goto(f"{served}/gestion/versements?organisation=autre-asso").status == 404
    anonymous = giving.client.get("/gestion/versements")
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
