"""A shop's whole way in, in a phone-sized Chromium: it applies, the town approves, the contact chooses
a password from the invitation, signs in, creates a till key and records its first round-up at /caisse.
Every page is axe-clean and none scrolls sideways at 320 px."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support import check_on_phones, emailed_path
from tests.roundup.conftest import at, record, settle
from tests.support import sign_in_browser

pytestmark = pytest.mark.browser


def test_a_shop_applies_is_approved_signs_in_and_records_its_first_round_up(app, live_server, page, actors, shops):
    from donations.roundup.models import Roundup

    actors.organization("epicerie")
    actors.organization("jardin")
    shops.campaign("epicerie")
    actors.user("admin", password="mot de passe de la ville")

    # The shop applies from the home page's link.
    page.goto(live_server + "/")
    page.get_by_role("link", name="Devenir commerçant solidaire").click()
    page.wait_for_url("**/devenir-commercant")
    check_on_phones(page, "application form")
    page.get_by_label("Nom du commerce", exact=True).fill("Boulangerie des Blagis")
    page.get_by_label("Numéro SIRET", exact=True).fill("732 829 320 00074")
    page.get_by_label("Adresse", exact=True).fill("12 rue des Blagis")
    page.get_by_label("Code postal", exact=True).fill("92330")
    page.get_by_label("Commune", exact=True).fill("Sceaux")
    page.get_by_label("Nom et prénom", exact=True).fill("Claire Martin")
    page.get_by_label("Adresse e-mail", exact=True).fill("claire@blagis.example")
    page.get_by_label("Téléphone", exact=True).fill("01 46 60 00 00")
    page.get_by_label("Association epicerie — part en %").fill("50")
    page.get_by_label("Association jardin — part en %").fill("40")
    page.get_by_label("Le client peut ajouter 1 € de plus").check()
    page.get_by_label("J'ai lu la charte et je l'accepte au nom du commerce").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    # The shares make 90 %: said beside the shares, everything typed is still there.
    assert "Les parts font 90 % au total" in page.locator("#beneficiaires-erreur").inner_text()
    assert page.get_by_label("Association jardin — part en %").get_attribute("aria-invalid") == "true"
    check_on_phones(page, "application form with errors")
    page.get_by_label("Association jardin — part en %").fill("50")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/devenir-commercant/merci")
    check_on_phones(page, "application sent")

    # The town approves it.
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse e-mail").fill(f"admin{actors._count}@test.example")
    page.get_by_label("Mot de passe").fill("mot de passe de la ville")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion")
    page.get_by_role("link", name="Voir les demandes").click()
    check_on_phones(page, "applications")
    page.get_by_role("link", name="Boulangerie des Blagis").click()
    check_on_phones(page, "application")
    page.locator("summary", has_text="Accepter").click()
    page.get_by_role("button", name="Oui, accepter").click()
    page.wait_for_url("**/gestion/commercants/boulangerie-des-blagis")
    assert "rejoint l'arrondi" in page.locator(".flash").first.inner_text()
    check_on_phones(page, "merchant")
    # The town can still change the shop's rule, and issue it a key, from the same pages.
    page.get_by_role("navigation", name="Menu de gestion").get_by_role("link", name="Commerçants", exact=True).click()
    check_on_phones(page, "merchants")
    page.get_by_role("link", name="Boulangerie des Blagis").click()
    page.get_by_role("link", name="Modifier").click()
    check_on_phones(page, "merchant form")
    page.get_by_label("Arrondi maximum par panier (en euros, facultatif)").fill("3")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/gestion/commercants/boulangerie-des-blagis")
    assert "3,00\xa0€ au plus par panier" in page.locator("#regle + p").inner_text()
    page.get_by_label(re.compile("^Clé d'API")).check()
    page.get_by_role("button", name="Créer la clé").click()
    api_key = page.locator("code.key").inner_text().strip()
    assert api_key.startswith("mk_")
    check_on_phones(page, "merchant with a new key")
    page.get_by_role("button", name=re.compile("Se déconnecter")).click()

    # The contact chooses a password from the invitation and lands on the shop's space.
    page.goto(live_server + emailed_path(app, "claire@blagis.example", r"/mot-de-passe/\S+", "mot de passe"))
    page.get_by_label("Nouveau mot de passe").fill("pains et croissants")
    page.get_by_label("Le même, une seconde fois").fill("pains et croissants")
    page.get_by_role("button", name="Enregistrer et me connecter").click()
    page.wait_for_url("**/gestion")
    check_on_phones(page, "merchant's home")
    page.get_by_role("link", name="Espace commerçant").click()
    page.wait_for_url("**/commercant")
    assert page.locator("h1").inner_text() == "Boulangerie des Blagis"
    check_on_phones(page, "dashboard")
    page.get_by_label("Nom de la clé").fill("Comptoir")
    page.get_by_role("button", name="Créer une clé").click()
    key = page.locator("#nouvelle-cle").inner_text().strip()
    assert key.startswith("mk_")
    check_on_phones(page, "dashboard with its new key")

    # At the counter: the till page with that key, a basket of 12,60 €, the customer says yes.
    page.goto(live_server + "/caisse")
    page.get_by_label("Clé de caisse").fill(key)
    page.get_by_role("button", name="Installer la caisse").click()
    page.wait_for_selector("#till-main:not([hidden])")
    assert page.locator("#till-merchant").inner_text() == "Boulangerie des Blagis"
    for digit in "1260":
        page.locator(f'[data-digit="{digit}"]').click()
    page.get_by_role("button", name=re.compile("Le client accepte")).click()
    page.wait_for_function("() => document.getElementById('till-today').textContent.includes('1 arrondi,')")
    check_on_phones(page, "till")
    with app.app_context():
        [(basket, roundup)] = db.session.execute(select(Roundup.basket_cents, Roundup.roundup_cents)).all()
    assert (basket, roundup) == (1_260, 40)

    # A month later, the town sees the shop's statement and marks the transfer to one association received.
    assert record(app.test_client(), {"Authorization": f"Bearer {api_key}"}, "octobre-1", 990, 10,
                  occurred_at=at(2026, 10, 5)).status_code == 201
    statement = settle(app, "boulangerie-des-blagis", date(2026, 10, 1))
    sign_in_browser(page, live_server, f"admin{actors._count}@test.example", "mot de passe de la ville")
    page.goto(f"{live_server}/gestion/commercants/boulangerie-des-blagis/releves/{statement}")
    check_on_phones(page, "statement")
    page.get_by_label("Date d'arrivée du virement").first.fill("2026-11-05")
    page.locator("summary", has_text="Marquer reçu").first.click()
    page.get_by_role("button", name="Oui, marquer reçu").first.click()
    page.wait_for_selector("text=reçu le 05/11/2026")
    check_on_phones(page, "statement with a transfer received")
