"""A campaign's way to the public, in a phone-sized Chromium: the town's administrator invites a project
holder, the holder chooses a password, writes a draft (watching the Markdown preview) and submits it,
the administrator approves it, and a donor finds it live on the home page. Every back-office page on
the way is axe-clean and none scrolls sideways at 320 px."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support import check_on_phones, emailed_path

pytestmark = pytest.mark.browser


def sign_in(page, base, address, password):
    page.goto(base + "/connexion")
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/gestion")


def sign_out(page):
    page.get_by_role("button", name=re.compile("Se déconnecter")).click()


def test_an_invited_holder_writes_a_campaign_the_town_approves_and_donors_see_it(app, live_server, page, actors):
    actors.organization("jardin", name="Les Amis du Jardin")
    actors.user("admin", password="mot de passe de la ville")
    admin = f"admin{actors._count}@test.example"
    today = datetime.now(ZoneInfo("Europe/Paris")).date()

    # The town invites the association's project holder.
    sign_in(page, live_server, admin, "mot de passe de la ville")
    page.get_by_role("link", name="Associations").click()
    page.get_by_role("link", name="Les Amis du Jardin").click()
    invite = page.locator("form", has=page.get_by_role("button", name="Envoyer l'invitation"))
    # (within its form: the organization form above has an e-mail field too)
    invite.locator("input[type=email]").fill("lea@amis-du-jardin.example")
    invite.locator("select").select_option("holder")
    invite.get_by_role("button", name="Envoyer l'invitation").click()
    page.wait_for_load_state()
    sign_out(page)

    # The holder chooses a password and writes the campaign.
    page.goto(live_server + emailed_path(app, "lea@amis-du-jardin.example", r"/mot-de-passe/\S+", "mot de passe"))
    page.get_by_label("Nouveau mot de passe").fill("des tomates pour tous")
    page.get_by_label("Le même, une seconde fois").fill("des tomates pour tous")
    page.get_by_role("button", name="Enregistrer et me connecter").click()
    page.wait_for_url("**/gestion")
    page.get_by_role("navigation", name="Menu de gestion").get_by_role("link", name="Campagnes", exact=True).click()
    check_on_phones(page, "campaigns, none yet")
    page.get_by_role("link", name="Nouvelle campagne").click()
    check_on_phones(page, "new campaign")
    page.get_by_label("Titre de la campagne").fill("Un potager pour l'école des Blagis")
    page.get_by_label("Résumé (affiché dans la liste)").fill("Des bacs de culture pour les enfants.")
    page.get_by_label("Description du projet (Markdown)").fill("Nous construisons **six bacs** de culture.")
    page.wait_for_function("() => document.querySelector('#apercu-description strong')")
    assert page.locator("#apercu-description strong").inner_text() == "six bacs"  # the live preview
    page.get_by_label("Thème").select_option("environment")
    page.get_by_label("Objectif (euros)").fill("5 000")
    page.get_by_label("Premier jour de la collecte").fill(today.isoformat())
    page.get_by_label("Dernier jour de la collecte").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Tout ou rien", exact=False).check()
    tier = page.get_by_role("group", name="Contrepartie 1")
    tier.get_by_label("Titre").fill("Un pot de miel")
    tier.get_by_label("À partir de (euros)").fill("20")
    tier.get_by_label("Quantité (vide : illimitée)").fill("50")
    tier.get_by_label("Valeur de la contrepartie (euros)").fill("abc")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.locator("#tiers-0-fair_value").get_attribute("aria-invalid") == "true"
    assert page.locator("#tiers-0-title").input_value() == "Un pot de miel"  # what was typed is kept
    check_on_phones(page, "new campaign with an error")
    page.locator("#tiers-0-fair_value").fill("5")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url("**/gestion/campagnes/un-potager-pour-l-ecole-des-blagis")
    check_on_phones(page, "draft followed")
    page.locator("summary", has_text="Soumettre à la Ville").click()
    page.get_by_role("button", name="Oui, soumettre à la ville").click()
    assert "soumise à la Ville" in page.locator(".flash").first.inner_text()
    check_on_phones(page, "submitted")
    sign_out(page)

    # The town reads it and publishes it.
    sign_in(page, live_server, admin, "mot de passe de la ville")
    page.get_by_role("link", name="Examiner les campagnes soumises").click()
    check_on_phones(page, "review queue")
    page.get_by_role("link", name="Un potager pour l'école des Blagis").click()
    assert page.locator(".campaign-text strong").inner_text() == "six bacs"
    check_on_phones(page, "campaign under review")
    page.locator("summary", has_text=re.compile("^Publier$")).click()
    page.get_by_role("button", name="Oui, publier").click()
    page.wait_for_url("**/gestion/campagnes/examen")
    assert "est publiée" in page.locator(".flash").first.inner_text()
    sign_out(page)

    # A donor finds it on the home page and opens it.
    page.goto(live_server + "/")
    page.get_by_role("link", name=re.compile("Un potager pour l'école des Blagis")).first.click()
    page.wait_for_url("**/campagnes/un-potager-pour-l-ecole-des-blagis")
    assert "Un pot de miel" in page.content()
