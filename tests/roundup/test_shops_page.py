"""The public shops page (/commerces): the active shops offering the round-up, their address and whom
their round-ups support, reached from every page's menu and the home page; on a phone, axe-clean and
never wider than a 320 px screen (the open-data page too)."""
import html
import re

import pytest

from app.extensions import db


def _text(answer):
    """The page's HTML, entities decoded, runs of spaces and line breaks as one space (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(answer.get_data(as_text=True)))


@pytest.fixture
def high_street(app, actors, shops):
    """A bakery giving half to a live campaign and half to the grocery; a bookshop in Bourg-la-Reine whose
    campaign has ended; a closed shop."""
    from campaigns import services

    actors.organization("jardin", name="Les Amis du Jardin")
    actors.organization("epicerie", name="Épicerie solidaire")
    shops.campaign("jardin", slug="potager-des-blagis")
    ended = shops.campaign("jardin", slug="fete-des-voisins")
    shops.merchant("boulangerie", name="Boulangerie des Blagis", address_line1="3 rue des Blagis",
                   beneficiaries=[{"campaign": "potager-des-blagis", "share_basis_points": 5_000},
                                  {"organization": "epicerie", "share_basis_points": 5_000}])
    shops.merchant("librairie", name="Librairie du Centre", city="Bourg-la-Reine", postal_code="92340",
                   rounding_step_cents=50, beneficiaries=[{"campaign": ended, "share_basis_points": 10_000}])
    shops.merchant("ferme", name="Quincaillerie fermée",
                   beneficiaries=[{"organization": "epicerie", "share_basis_points": 10_000}])
    with app.app_context():
        from donations.roundup import services as roundup

        roundup.update_merchant(roundup.get_merchant("ferme"), active=False)
        services.cancel_campaign(services.get_campaign(ended))
        db.session.commit()


def test_the_shops_page_lists_active_shops_and_whom_they_support(client, high_street):
    text = _text(client.get("/commerces"))
    assert "2 commerces proposent l'arrondi." in text
    assert "Quincaillerie fermée" not in text
    assert text.index("Librairie du Centre") < text.index("Boulangerie des Blagis")  # by commune, then name
    assert "3 rue des Blagis, 92330 Sceaux" in text
    assert "Arrondi à l'euro supérieur" in text
    assert ('<a href="/campagnes/potager-des-blagis">Un potager pour l\'école des Blagis</a> (Les Amis du Jardin) : '
            "50\u00a0% des arrondis") in text
    assert "Épicerie solidaire : 50\u00a0% des arrondis" in text
    # A campaign that no longer takes money: its organization receives the round-ups, and no link is shown.
    assert "/campagnes/fete-des-voisins" not in text
    assert "Arrondi au multiple de 0,50\u00a0€ supérieur" in text

    only = _text(client.get("/commerces?commune=bourg-la-reine"))
    assert "1 commerce propose l'arrondi à Bourg-la-Reine." in only and "Boulangerie" not in only
    # An unknown commune is ignored rather than showing an empty list.
    assert "2 commerces proposent" in _text(client.get("/commerces?commune=Atlantide"))


def test_no_shop_yet(client):
    assert "Aucun commerce ne propose encore l'arrondi." in _text(client.get("/commerces"))


@pytest.mark.browser
def test_a_visitor_finds_a_shop_then_its_campaign_on_a_phone(live_server, page, high_street):
    from tests.support import sideways, violations

    page.goto(live_server + "/")
    page.get_by_role("link", name="Où arrondir mes achats ?").click()
    page.wait_for_url("**/commerces")
    assert page.get_by_role("heading", level=1).inner_text() == "Les commerces de l'arrondi solidaire"
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 720})
    assert sideways(page) <= 0
    page.get_by_label("Commune").select_option("Sceaux")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/commerces?commune=Sceaux")
    assert page.get_by_role("heading", level=2).all_inner_texts() == ["Boulangerie des Blagis"]
    page.get_by_role("link", name="Un potager pour l'école des Blagis").click()
    page.wait_for_url("**/campagnes/potager-des-blagis")

    # The open-data page, linked from every page's footer.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("contentinfo").get_by_role("link", name="Données ouvertes").click()
    page.wait_for_url("**/donnees-ouvertes")
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 720})
    assert sideways(page) <= 0
    # The menu on every page leads to the shops.
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Commerces").click()
    page.wait_for_url("**/commerces")
