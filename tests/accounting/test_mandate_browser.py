"""A shop signs a SEPA mandate on its dashboard in a phone-sized Chromium: the section and its form are
axe-clean and never wider than a 320 px screen, a wrong IBAN is said next to its field, the signed
mandate is listed with the IBAN's last digits, then revoked after a confirmation."""
import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support import check_on_phones, sign_in_browser

pytestmark = pytest.mark.browser


def test_a_shop_signs_then_revokes_a_mandate_on_its_phone(app, client, actors, shops, live_server, page):
    from app.auth.models import User
    from donations.roundup.debit_models import MerchantMandate

    actors.organization("asso-a")
    shops.merchant(beneficiaries=[{"organization": "asso-a", "share_basis_points": 10_000}])
    page.goto(f"{live_server}/commercant")
    page.get_by_label("Votre clé d'API").fill(shops.keys["boulangerie"])
    page.get_by_role("button", name="Ouvrir mon espace").click()
    section = page.locator("#prelevement")
    assert "Prélèvement automatique des relevés" in section.inner_text()
    check_on_phones(page, "dashboard with the mandate form")

    page.get_by_label("Titulaire du compte").fill("Boulangerie Durand")
    page.get_by_label("IBAN du compte à prélever").fill("FR76 3000 6000 0112 3456 7890 180")
    page.get_by_label("E-mail pour les avis de prélèvement").fill("compta@boulangerie.example")
    page.get_by_label("Je signe ce mandat de prélèvement SEPA").check()
    page.get_by_role("button", name="Signer le mandat").click()
    iban = page.get_by_label("IBAN du compte à prélever")
    assert iban.get_attribute("aria-invalid") == "true"
    assert "Cet IBAN n'est pas valide" in page.locator(f"#{iban.get_attribute('id')}-erreur").inner_text()
    check_on_phones(page, "mandate form in error")

    iban.fill("FR14 2004 1010 0505 0001 3M02 606")
    page.get_by_label("Je signe ce mandat de prélèvement SEPA").check()
    page.get_by_role("button", name="Signer le mandat").click()
    assert "Mandat signé" in page.locator(".flash").first.inner_text()
    assert "IBAN se terminant par 2606" in page.locator("#prelevement").inner_text()
    check_on_phones(page, "dashboard with a signed mandate")

    # The town reads it on the shop's back-office page (in another browser session).
    actors.admin()
    with app.app_context():
        admin_email = db.session.scalar(select(User.email).where(User.email.like("admin%")))
    town = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    sign_in_browser(town, live_server, admin_email)
    town.goto(f"{live_server}/gestion/commercants/boulangerie")
    assert "IBAN se terminant par 2606" in town.locator("section", has_text="Mandats de prélèvement SEPA").inner_text()
    check_on_phones(town, "the shop's back-office page with its mandate")
    town.close()

    page.locator("#prelevement summary", has_text="Révoquer le mandat").click()
    assert "devront être réglés par virement" in page.locator("#prelevement details").inner_text()
    page.locator("#prelevement").get_by_role("button", name="Oui, révoquer le mandat").click()
    assert "Mandat révoqué" in page.locator(".flash").first.inner_text()
    assert "révoqué le" in page.locator("#prelevement").inner_text()
    with app.app_context():
        assert db.session.scalar(select(MerchantMandate.revoked_at)) is not None
