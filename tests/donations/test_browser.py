"""A donor gives 25 € with the form of the campaign page, in headless Chromium."""
import re

import pytest

from tests.donations.conftest import DONOR


@pytest.mark.browser
def test_a_donor_gives_25_euros_through_the_campaign_page(giving, served, page):
    from playwright.sync_api import expect

    slug = giving.campaign(slug="fresque-du-marche", title="Une fresque pour le marché")
    page.goto(f"{served}/campagnes/{slug}")
    expect(page.locator(".raised")).to_contain_text("0,00")
    form = page.locator("#donation-form")
    form.get_by_label("25,00 €").check()
    expect(page.locator("#don-montant")).to_have_value("25")
    for label, field in (("Prénom", "first_name"), ("Nom", "last_name"), ("Adresse e-mail", "email"),
                         ("Adresse", "address_line1"), ("Code postal", "postal_code"), ("Ville", "city")):
        form.get_by_label(label, exact=True).fill(DONOR[field])
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("30")  # the card element asks for two digits
    card.get_by_placeholder("cvc").fill("123")
    if card.get_by_placeholder("postal_code").count():
        card.get_by_placeholder("postal_code").fill("92330")
    page.get_by_role("button", name=re.compile("Donner")).click()

    page.wait_for_url(re.compile(r"/dons/.+/merci"), timeout=20_000)
    # The page tells the truth: pending until Stripe's webhook lands, then confirmed.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Merci", timeout=5_000)
    expect(page.locator("#gift-status")).to_contain_text("25,00", timeout=5_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre don est confirmé",
                                                              timeout=20_000)
    page.goto(f"{served}/campagnes/{slug}")
    expect(page.locator(".raised")).to_contain_text("25,00")
    campaign = giving.campaign_row(slug)
    assert campaign.raised_cents == 2500 and campaign.donor_count == 1
