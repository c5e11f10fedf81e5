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


@pytest.mark.browser
def test_a_donor_reads_french_messages_next_to_the_fields_then_a_declined_card_then_gives(giving, served, page):
    from playwright.sync_api import expect

    slug = giving.campaign(slug="jardin-des-blagis", title="Un jardin aux Blagis")
    page.goto(f"{served}/campagnes/{slug}")
    form = page.locator("#donation-form")
    for label, field in (("Prénom", "first_name"), ("Nom", "last_name"), ("Adresse", "address_line1"),
                         ("Code postal", "postal_code"), ("Ville", "city")):
        form.get_by_label(label, exact=True).fill(DONOR[field])
    email = form.get_by_label("Adresse e-mail", exact=True)
    email.fill("camille@")
    page.get_by_role("button", name=re.compile("Donner")).click()

    # The message is French and sits next to its field, which says it is invalid and points at it.
    message = page.locator("#erreur-email")
    expect(message).to_have_text("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"\berreur-email\b"))
    assert "Not a valid" not in page.content()

    email.fill(DONOR["email"])
    card = page.locator("#card-element")

    def pay_with(number):
        card.get_by_placeholder("number").fill(number)
        card.get_by_placeholder("exp_month").fill("12")
        card.get_by_placeholder("exp_year").fill("30")
        card.get_by_placeholder("cvc").fill("123")
        if card.get_by_placeholder("postal_code").count():
            card.get_by_placeholder("postal_code").fill("92330")
        page.get_by_role("button", name=re.compile("Donner")).click()

    pay_with("4000000000000341")  # saved, then declined when charged
    expect(page.locator("#donation-error")).to_contain_text("Votre carte a été refusée", timeout=20_000)
    expect(page.locator("#erreur-email")).to_have_count(0)  # the corrected field is no longer flagged

    page.goto(f"{served}/campagnes/{slug}")
    form = page.locator("#donation-form")
    for label, field in (("Prénom", "first_name"), ("Nom", "last_name"), ("Adresse e-mail", "email"),
                         ("Adresse", "address_line1"), ("Code postal", "postal_code"), ("Ville", "city")):
        form.get_by_label(label, exact=True).fill(DONOR[field])
    card = page.locator("#card-element")
    pay_with("4242424242424242")
    page.wait_for_url(re.compile(r"/dons/.+/merci"), timeout=20_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre don est confirmé", timeout=20_000)
