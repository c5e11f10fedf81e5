"""A visitor in headless Chromium, on a phone-sized screen, browses the demo campaigns."""
import re

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
    # Each reward sits in the form beside the amount it needs, with its description and what is left; each
    # amount says which reward it reaches.
    rewards = page.locator(".tier-choice")
    assert [plain(text) for text in rewards.locator("label").all_inner_texts()] == [
        "dès 10,00 € : Merci sur notre page", "dès 50,00 € : Panier de saison", "dès 150,00 € : Tournée avec l'équipe"]
    assert plain(rewards.nth(1).locator(".hint").inner_text()) == (
        "Un panier de légumes des maraîchers partenaires. · 40 disponibles sur 40")
    amounts = [plain(text) for text in page.locator(".preset").all_inner_texts()]
    assert amounts == ["10,00 € contrepartie : Merci sur notre page",
                       "25,00 € contrepartie : Merci sur notre page",
                       "50,00 € contrepartie : Panier de saison",
                       "100,00 € contrepartie : Panier de saison", "Autre montant"]
    partners = page.locator(".partners strong").all_inner_texts()
    assert set(partners) == {"Ville de Sceaux", "La Poste", "Banque coopérative de Sceaux"}
    assert "Le triporteur est commandé" in page.locator("#actualites + article, .news h3").first.inner_text()
    assert page.get_by_role("img", name="Image de la campagne Une épicerie solidaire mobile pour les Blagis").is_visible()
    # usable on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def plain(text):
    """Text as a reader sees it: no-break spaces as spaces, runs of white space as one."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.mark.browser
def test_on_a_phone_the_amounts_and_the_donate_button_are_in_the_first_screen(app, live_server, page, build):
    from playwright.sync_api import expect

    campaign_id = build.campaign(
        slug="ruches", title="Des ruches au parc, pour apprendre aux enfants du quartier à connaître les abeilles",
        summary="Trois ruches pédagogiques près du parc de Sceaux, des ateliers pour les écoles et une récolte "
                "partagée entre les familles du quartier.",
        tiers=[{"title": "Pot de miel", "description": "Un pot de 250 g de la première récolte.",
                "min_amount_cents": 3000}])
    with app.app_context():
        from campaigns import services

        services.add_wall_entry(campaign_id, 1, "Camille", "Bravo")
        db.session.commit()
    page.goto(f"{live_server}/campagnes/ruches")
    screen = page.viewport_size["height"]
    button = page.locator(".donate-jump").get_by_role("link", name="Faire un don")
    expect(button).to_be_visible()
    bar = button.bounding_box()
    assert bar["y"] + bar["height"] <= screen  # in the first screen, without scrolling
    # The amounts are in the first screen too, above the button that stays at the bottom.
    for name in ("10,00 €", "25,00 €", "50,00 €", "100,00 €"):
        amount = page.get_by_role("radio", name=re.compile(name)).bounding_box()
        assert amount["y"] + amount["height"] <= bar["y"], name
    # The reward sits beside the amount it needs; choosing it raises a smaller amount to that minimum.
    page.get_by_role("radio", name=re.compile("^dès .*Pot de miel")).check()
    expect(page.locator("#don-montant")).to_have_value("30")
    expect(page.get_by_role("radio", name="Autre montant")).to_be_checked()
    # The donor wall comes after the form, the project's text too.
    form_bottom = page.locator("#don").bounding_box()
    wall = page.get_by_role("heading", name="Ils soutiennent le projet").bounding_box()
    assert wall["y"] > form_bottom["y"] + form_bottom["height"]
    # Going through the form with the keyboard, no field is ever hidden under the button.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#don-montant").focus()
    under = []
    for _ in range(30):
        page.keyboard.press("Tab")
        field = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
            return {name: e.name || e.id, inForm: !!e.closest('#donation-form'), top: r.top, bottom: r.bottom}; }""")
        if not field["inForm"]:
            break
        bar = button.bounding_box()
        if field["bottom"] > bar["y"] and field["top"] < bar["y"] + bar["height"]:
            under.append(field["name"])
    assert field["inForm"] is False and under == []
    # Lower in the page, the button leads back to the form.
    page.get_by_role("heading", name="Ils soutiennent le projet").scroll_into_view_if_needed()
    button.click()
    expect(page.locator("#don")).to_be_in_viewport()
