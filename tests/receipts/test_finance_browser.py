"""A finance officer, on a phone, signs in, filters the receipts, downloads one and checks a code."""
import threading
from datetime import date

import pytest
from werkzeug.serving import make_server

from tests.receipts.conftest import pdf_text

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def site(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 740}, locale="fr-FR", accept_downloads=True)
        yield context.new_page()
        browser.close()


def test_a_finance_officer_reads_filters_and_downloads_receipts_on_a_phone(site, page, actors, gifts):
    actors.organization("asso-test")
    actors.user("finance", organization="asso-test", password="mot de passe solide")
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000)
    refunded = gifts.gift(campaign, 2_000, email="z@example.org", first_name="Zoé", last_name="Zola")
    gifts.run_job()
    gifts.refund(refunded, 2_000)
    gifts.run_job()
    first, second = [r[0] for r in gifts.receipts()]

    page.goto(site + "/finance")
    page.get_by_label("Adresse e-mail").fill(f"finance{actors._count}@test.example")
    page.get_by_label("Mot de passe").fill("mot de passe solide")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/finance")
    assert page.locator("h1").inner_text() == "Reçus fiscaux — Association asso-test"
    assert page.get_by_role("link", name="Finances").is_visible()
    declaration = page.locator("section", has=page.get_by_role("heading", name=f"Déclaration article 222 bis du CGI — reçus émis en {date.today().year}"))
    assert "50,00" in declaration.locator("tfoot").inner_text()

    page.select_option("#status", "cancelled")
    page.get_by_role("button", name="Filtrer").click()
    rows = page.locator("#list-title + .scroll tbody tr")
    assert rows.count() == 1 and "Zoé Zola" in rows.first.inner_text() and "Annulé" in rows.first.inner_text()
    assert "intégralement remboursé" in page.locator("section", has_text="Reçus annulés en").inner_text()

    page.select_option("#status", "")
    page.get_by_role("button", name="Filtrer").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"PDF du reçu {first}").click()
    text, pages = pdf_text(open(download_info.value.path(), "rb").read())
    assert pages == 1 and first in text and "cinquante euros" in text
