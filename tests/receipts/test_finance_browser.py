"""A finance officer, on a phone, signs in, filters the receipts, downloads one and checks a code."""
from datetime import date

import pytest

from tests.receipts.conftest import pdf_text

pytestmark = pytest.mark.browser


def test_a_finance_officer_reads_filters_and_downloads_receipts_on_a_phone(live_server, page, actors, gifts):
    actors.organization("asso-test")
    actors.user("finance", organization="asso-test", password="mot de passe solide")
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000)
    refunded = gifts.gift(campaign, 2_000, email="z@example.org", first_name="Zoé", last_name="Zola")
    gifts.run_job()
    gifts.refund(refunded, 2_000)
    gifts.run_job()
    first, second = [r[0] for r in gifts.receipts()]

    page.goto(live_server + "/finance")
    page.get_by_label("Adresse e-mail").fill(f"finance{actors._count}@test.example")
    page.get_by_label("Mot de passe").fill("mot de passe solide")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/finance")
    assert page.locator("h1").inner_text() == "Reçus fiscaux — Association asso-test"
    assert page.get_by_role("link", name="Finances").is_visible()
    declaration = page.locator("section", has=page.get_by_role("heading", name=f"Déclaration article 222 bis du CGI — dons reçus en {date.today().year}"))
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
