"""A donor on a 390 px phone: sees the receipt's link appear on the thank-you page, asks for a sign-in link, opens it from the outbox, reads and downloads a
receipt, stops a monthly gift after the confirmation (cancelled on localstripe too), and finds the
used link refused in French. Every page of the donor space: axe-core finds no violation and nothing
scrolls sideways at 320 px."""
from pathlib import Path

import pytest

from tests.donor_space.conftest import pdf_text
from tests.support import sideways, violations

pytestmark = pytest.mark.browser
MARIE = "marie.curie@example.org"


def check(page, what):
    """axe-core at phone size, then no sideways scrolling at 320 px (back to 390 px afterwards)."""
    assert page.locator("h1").count() == 1, what
    assert violations(page) == [], what
    page.set_viewport_size({"width": 320, "height": 720})
    assert sideways(page) <= 0, (what, sideways(page))
    page.set_viewport_size({"width": 390, "height": 844})


def test_a_donor_reads_receipts_and_stops_a_monthly_gift_on_a_phone(app, live_server, page, donors):
    from app.extensions import db
    from donations.models import Donation
    from donations.services import donor_token

    campaign = donors.campaign()
    gift = donors.gift(campaign, 5_000, email=MARIE)
    monthly = donors.monthly(campaign, 1_500, email=MARIE)
    with app.app_context():
        thanks = f"/dons/{donor_token(db.session.get(Donation, gift))}/merci"

    # The thank-you page waits for the receipt, then links it without being reloaded.
    page.goto(live_server + thanks)
    assert "apparaîtra ici" in page.locator("#gift-receipt").inner_text()
    check(page, "thank-you page")
    donors.run_job()
    page.locator("#gift-receipt").get_by_role("link", name="Télécharger votre reçu fiscal (PDF)").wait_for(timeout=15_000)

    page.goto(f"{live_server}/espace-donateur")
    check(page, "sign-in")
    page.get_by_label("Adresse e-mail").fill("marie.curie@")
    page.get_by_role("button", name="Recevoir mon lien de connexion").click()
    error = page.locator("#email-error")
    assert error.inner_text().startswith("Indiquez une adresse e-mail valide")
    assert page.get_by_label("Adresse e-mail").get_attribute("aria-invalid") == "true"
    check(page, "sign-in with an error")
    page.get_by_label("Adresse e-mail").fill(MARIE)
    page.get_by_role("button", name="Recevoir mon lien de connexion").click()
    page.get_by_role("heading", name="Consultez votre messagerie").wait_for()
    check(page, "link sent")

    link = donors.sign_in_link(MARIE)
    page.goto(live_server + link)
    check(page, "link page")
    page.get_by_role("button", name="Ouvrir mon espace donateur").click()
    page.wait_for_url("**/espace-donateur/mon-espace")
    assert "Vous êtes connecté" in page.locator(".flash").first.inner_text()
    check(page, "donor's page")

    receipts = page.locator("#recus tbody tr")
    assert receipts.count() == 2  # the gift's and the first month's
    with page.expect_download() as download:
        receipts.first.get_by_role("link", name="Télécharger").click()
    text, _ = pdf_text(Path(download.value.path()).read_bytes())
    assert "Curie" in text and "Reçu" in text

    page.locator("#mensuels").get_by_role("link", name="Arrêter").click()
    page.get_by_role("heading", name="Arrêter votre don mensuel ?").wait_for()
    check(page, "stop confirmation")
    assert donors.subscription(monthly).status == "active"
    page.get_by_role("button", name="Oui, arrêter mon don mensuel").click()
    page.wait_for_url("**/espace-donateur/mon-espace#mensuels")
    assert "Votre don mensuel est arrêté" in page.locator(".flash").first.inner_text()
    assert page.locator("#mensuels").get_by_text("Arrêté le").count() == 1
    assert donors.subscription(monthly).status == "canceled"

    page.goto(f"{live_server}/espace-donateur/effacement")
    assert "L102 B" in page.content()
    check(page, "erasure")

    page.get_by_role("link", name="Non, revenir à mon espace").click()
    page.get_by_role("button", name="Me déconnecter").click()
    page.goto(live_server + link)
    page.get_by_role("button", name="Ouvrir mon espace donateur").click()
    refusal = page.get_by_role("alert")
    assert "Ce lien de connexion a déjà servi" in refusal.inner_text()
    check(page, "used link")
