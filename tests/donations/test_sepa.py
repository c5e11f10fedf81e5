"""Monthly gifts by SEPA Direct Debit on the organization's account: pending while the bank processes
the debit, then succeeded (and receipted) or failed, by Stripe's word on the Connect endpoint."""
import re

import pytest
import stripe
from sqlalchemy import select

from app.extensions import db
from tests.donations.conftest import DONOR

GOOD_IBAN, REFUSED_IBAN = "FR1420041010050500013M02606", "DE62370400440532013001"  # the fake refuses the second


def _give_by_debit(giving, slug, iban, **gift):
    started = giving.start(slug, payment_method_type="sepa_debit", **gift)
    assert started.status_code == 201, started.json
    # What Stripe.js's confirmSepaDebitSetup does on the page, on the organization's account.
    browser = stripe.StripeClient("sk_test_browser", base_addresses={"api": giving.localstripe})
    setup_id = started.json["client_secret"].split("_secret_")[0]
    setup = browser.v1.setup_intents.confirm(setup_id, params={"payment_method_data": {
        "type": "sepa_debit", "sepa_debit": {"iban": iban},
        "billing_details": {"name": f"{DONOR['first_name']} {DONOR['last_name']}", "email": DONOR["email"]}}},
        options=giving.on_account(started.json["id"]))
    assert setup.status == "succeeded"
    confirmed = giving.client.post(f"/api/v1/donations/{started.json['id']}/confirm",
                                   json={"token": started.json["token"]})
    assert confirmed.status_code == 200, confirmed.json
    return started.json, confirmed.json


def _receipts_of(app, gift_id):
    from receipts.jobs import issue_queued_receipts
    from receipts.models import Receipt, ReceiptGift

    with app.app_context():
        issue_queued_receipts()
        return db.session.scalars(select(Receipt.number).join(ReceiptGift, ReceiptGift.receipt_id == Receipt.id)
                                  .where(ReceiptGift.donation_id == gift_id)).all()


def test_a_monthly_debit_is_pending_until_the_bank_answers_then_succeeds_or_fails(giving, served, app):
    slug = giving.campaign()
    good, step = _give_by_debit(giving, slug, GOOD_IBAN, monthly=True, amount_cents=1500)
    # Stripe is processing the debit: the gift waits, nothing is counted and no receipt is issued.
    assert step["status"] == "pending" and step["payment_status"] == "processing"
    gift = giving.donation(good["id"])
    assert gift.payment_method.value == "direct_debit" and gift.stripe_subscription_id
    assert giving.campaign_row(slug).raised_cents == 0
    assert _receipts_of(app, good["id"]) == []

    bad, step = _give_by_debit(giving, slug, REFUSED_IBAN, monthly=True, amount_cents=2000)
    assert step["status"] == "pending"

    # The bank's answer reaches us as the organization's account's events (the fake takes 2 s).
    assert giving.wait_for(lambda: giving.donation(good["id"]).status.value == "succeeded", timeout=15)
    assert giving.wait_for(lambda: giving.donation(bad["id"]).status.value == "failed", timeout=15)
    assert giving.campaign_row(slug).raised_cents == 1500
    assert len(_receipts_of(app, good["id"])) == 1
    assert _receipts_of(app, bad["id"]) == []


def test_a_one_off_debit_needs_the_configured_amount(giving, app):
    slug = giving.campaign()
    small = giving.start(slug, payment_method_type="sepa_debit", amount_cents=5000)
    assert small.status_code == 422 and "payment_method_type" in small.json["errors"]
    assert giving.start(slug, payment_method_type="virement").status_code == 422
    large, step = _give_by_debit(giving, slug, GOOD_IBAN, amount_cents=20000)
    assert step["status"] == "pending" and giving.donation(large["id"]).payment_method.value == "direct_debit"
    app.config["SEPA_ONE_OFF_MIN_CENTS"] = 0  # never for a one-off gift
    assert giving.start(slug, payment_method_type="sepa_debit", amount_cents=20000).status_code == 422


@pytest.mark.browser
def test_a_donor_chooses_a_monthly_debit_on_the_page_reads_the_mandate_and_waits_for_the_bank(giving, served, page):
    from playwright.sync_api import expect

    from tests.support import sideways, violations

    slug = giving.campaign(slug="fresque-du-marche", title="Une fresque pour le marché")
    page.goto(f"{served}/campagnes/{slug}")
    form = page.locator("#donation-form")
    form.get_by_label("25,00 €").check()
    form.get_by_label("Donner ce montant chaque mois").check()
    for label, field in (("Prénom", "first_name"), ("Nom", "last_name"), ("Adresse e-mail", "email"),
                         ("Adresse", "address_line1"), ("Code postal", "postal_code"), ("Ville", "city")):
        form.get_by_label(label, exact=True).fill(DONOR[field])
    form.get_by_label("Prélèvement SEPA").check()
    iban = form.get_by_label("IBAN du compte à prélever")
    expect(iban).to_be_visible()
    expect(page.locator("#card-element")).to_be_hidden()
    expect(page.locator("#mandat-sepa")).to_contain_text("vous autorisez Association asso-jardin et Stripe")
    assert violations(page) == []
    page.get_by_role("button", name=re.compile("Donner")).click()
    expect(page.locator("#erreur-iban")).to_have_text("Indiquez l'IBAN du compte à prélever (FR76…).")
    expect(iban).to_have_attribute("aria-invalid", "true")
    iban.fill("FR14 2004 1010 0505 0001 3M02 606")
    page.get_by_role("button", name=re.compile("Donner")).click()
    page.wait_for_url(re.compile(r"/dons/.+/merci"), timeout=20_000)
    # Pending while the bank processes the debit, then confirmed by the organization's account's event.
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre don est confirmé", timeout=30_000)
    page.set_viewport_size({"width": 320, "height": 800})
    assert sideways(page) <= 0
    campaign = giving.campaign_row(slug)
    assert campaign.raised_cents == 2500
