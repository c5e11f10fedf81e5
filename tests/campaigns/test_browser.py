"""A visitor in headless Chromium, on a phone-sized screen, browses the demo campaigns."""
import pytest

from app.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(app, live_server):
    """The campaigns' demo data, served on a loopback port."""
    from campaigns import demo
    from donations.demo import connect_organizations

    with app.app_context():
        demo.load_organizations()
        connect_organizations()  # campaigns are published only for organizations that take payments
        demo.load_campaigns()
        db.session.commit()
    return live_server


def test_a_visitor_finds_a_campaign_and_sees_its_progress_tiers_and_partners(demo_site, page):
    page.goto(demo_site + "/")
    assert page.locator("h1").inner_text() == "Les projets du territoire de Sceaux"
    cards = page.locator(".campaign-card h2")
    titles = cards.all_inner_texts()
    assert "Une épicerie solidaire mobile pour les Blagis" in titles
    assert "Fête de la musique 2027" not in titles and "Des ruches pédagogiques près du parc" not in titles

    page.select_option("#categorie", "environment")
    page.get_by_role("button", name="Filtrer").click()
    assert page.locator(".campaign-card h2").all_inner_texts() == ["Un jardin partagé au square de la Ménagerie"]

    page.goto(demo_site + "/")
    page.get_by_role("link", name="Une épicerie solidaire mobile pour les Blagis").click()
    page.wait_for_url("**/campagnes/epicerie-mobile-blagis")
    assert page.locator("h1").inner_text() == "Une épicerie solidaire mobile pour les Blagis"
    progress = page.get_by_role("progressbar")
    assert progress.get_attribute("aria-valuenow") == "16"
    raised = page.locator(".raised").inner_text().replace("\u202f", " ").replace("\xa0", " ")
    assert raised == "2 500,00 € collectés sur un objectif de 15 000,00 € (16 %)"
    assert page.locator(".progress-partners").bounding_box()["width"] > 0
    tiers = page.locator(".tier h3").all_inner_texts()
    assert tiers == ["Merci sur notre page", "Panier de saison", "Tournée avec l'équipe"]
    assert "40 disponibles sur 40" in page.locator(".tier").nth(1).inner_text()
    partners = page.locator(".partners strong").all_inner_texts()
    assert set(partners) == {"Ville de Sceaux", "La Poste", "Banque coopérative de Sceaux"}
    assert "Le triporteur est commandé" in page.locator("#actualites + article, .news h3").first.inner_text()
    assert page.get_by_role("img", name="Image de la campagne Une épicerie solidaire mobile pour les Blagis").is_visible()
    # usable on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.browser
def test_on_a_phone_the_donate_button_is_in_the_first_screen_and_leads_to_the_form(live_server, page, build):
    from playwright.sync_api import expect

    build.campaign(slug="ruches", title="Des ruches au parc")
    page.goto(f"{live_server}/campagnes/ruches")
    button = page.get_by_role("link", name="Faire un don")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]  # in the first screen, without scrolling
    button.click()
    expect(page.locator("#don")).to_be_in_viewport()
