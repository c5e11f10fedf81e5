"""Phone-sized journeys through the accounts' pages: an administrator invites a holder who sets a
password from the emailed link and lands on the back office; a partner reads its summary and downloads
its PDF. Every page visited: axe-core finds no violation, nothing scrolls sideways at 320 px."""
import email
import io
import re
from email import policy
from pathlib import Path

import pdfplumber
import pytest

from app.extensions import db
from app.formatting import local_today
from campaigns import services
from tests.support import check_on_phones, sign_in_browser

pytestmark = pytest.mark.browser


def violations(page):
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['help']}" for v in found]


def link_sent_to(app, address):
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            return re.search(r"/mot-de-passe/\S+", message.get_body().get_content()).group(0)
    raise AssertionError(f"no mail to {address}")


def test_an_administrator_invites_a_holder_who_sets_a_password(app, live_server, page, actors, money):
    organization = actors.organization("jardin", signed=False)
    partner = actors.partner("banque")
    campaign = money.campaign(organization)
    money.pledge(campaign, partner, 50_000)
    money.gift(campaign, 2_000)
    actors.user("admin", password="mot de passe de la ville")
    sign_in_browser(page, live_server, f"admin{actors._count}@test.example", "mot de passe de la ville")
    assert page.url.endswith("/gestion")
    check_on_phones(page, "/gestion (administrators' dashboard)")

    for path in ("/gestion/equipe", "/gestion/associations", "/gestion/associations/nouvelle", "/gestion/partenaires",
                 f"/gestion/partenaires/{partner}", f"/gestion/partenaires/{partner}/financements",
                 f"/gestion/partenaire/{partner}", "/gestion/journal"):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1, path
        check_on_phones(page, path)

    page.goto(live_server + "/gestion")
    page.get_by_role("navigation", name="Menu de gestion").get_by_role("link", name="Associations").click()
    page.get_by_role("link", name="Association jardin").click()
    check_on_phones(page, "organization page")
    form = page.locator("form", has=page.get_by_role("button", name="Envoyer l'invitation"))
    form.get_by_label("Adresse e-mail").fill("pas une adresse")
    form.get_by_role("button", name="Envoyer l'invitation").click()
    assert page.locator("[aria-invalid='true']").count() == 1
    check_on_phones(page, "organization page with an error")
    form = page.locator("form", has=page.get_by_role("button", name="Envoyer l'invitation"))
    form.get_by_label("Adresse e-mail").fill("lea@jardin.example")
    form.get_by_label("Nom (facultatif)").fill("Léa")
    form.get_by_label("Rôle").select_option("holder")
    form.get_by_role("button", name="Envoyer l'invitation").click()
    assert page.get_by_text("Invitation envoyée à lea@jardin.example.").is_visible()
    assert page.get_by_text("Invité, sans mot de passe").is_visible()

    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    page.goto(live_server + link_sent_to(app, "lea@jardin.example"))
    assert page.get_by_role("heading", name="Choisir votre mot de passe").is_visible()
    check_on_phones(page, "choose a password")
    page.get_by_label("Nouveau mot de passe").fill("un jardin partagé à Sceaux")
    page.get_by_label("Le même, une seconde fois").fill("un jardin partagé à Sceaux")
    page.get_by_role("button", name="Enregistrer et me connecter").click()
    page.wait_for_url("**/gestion")
    assert page.get_by_text("Porteur de projet · Association jardin").is_visible()
    assert page.get_by_text("Votre mot de passe est enregistré").is_visible()
    check_on_phones(page, "the holder's home")

    page.goto(live_server + link_sent_to(app, "lea@jardin.example"))
    assert page.get_by_role("heading", name="Ce lien a déjà servi").is_visible()
    check_on_phones(page, "a used link")
    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    page.goto(live_server + "/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    check_on_phones(page, "forgotten password")
    page.get_by_label("Adresse e-mail").fill("lea@jardin.example")
    page.get_by_role("button", name="Recevoir le lien").click()
    assert page.get_by_text("Si un compte existe pour cette adresse").is_visible()


def test_a_partner_reads_its_summary_and_downloads_the_pdf(app, live_server, page, actors, money):
    organization = actors.organization()
    partner = actors.partner("banque")
    campaign = money.campaign(organization, title="Un potager partagé au cœur des Blagis de Sceaux")
    money.pledge(campaign, partner, 100_000)
    money.gift(campaign, 6_000)
    money.grant(campaign, partner, 20_000, reference="CONV-1")
    with app.app_context():
        services.record_partner_payment(services.get_partner(partner), services.get_campaign(campaign),
                                        amount_cents=10_000, received_on=local_today(), method="transfer",
                                        reference="VIR-1")
        db.session.commit()
    actors.user("partner", partner=partner, password="mot de passe du partenaire")
    sign_in_browser(page, live_server, f"partner{actors._count}@test.example", "mot de passe du partenaire")
    check_on_phones(page, "the partner's home")
    page.get_by_role("navigation", name="Menu de gestion").get_by_role("link", name="Tableau de bord").click()
    assert page.get_by_role("heading", name="Bilan de financement").is_visible()
    assert page.get_by_role("img", name="Financement de chaque campagne sur la période, par source").is_visible()
    assert page.get_by_text("1 € de votre part a mobilisé 0,23 € de citoyens.").is_visible()  # 60 € for 260 €
    check_on_phones(page, "the partner's dashboard")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le bilan (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as document:
        text = "\n".join(p.extract_text() or "" for p in document.pages)
    assert "Bilan de financement — Partenaire banque" in text
    assert "Un potager partagé" in text
