"""Every public page, and the finance page, on a phone: axe-core finds no accessibility violation,
nothing scrolls sideways on a 320 px wide screen (RGAA 10.11), and a table reads as a list of rows,
each value under its column's name."""
import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support import sideways, violations

pytestmark = pytest.mark.browser


def test_public_and_finance_pages_fit_a_320_px_screen(app, live_server, page, actors, gifts):
    from receipts.models import Receipt
    from receipts.services.links import donor_token

    actors.organization("asso-test")
    actors.user("finance", organization="asso-test", password="mot de passe solide")
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000, email="camille.lefevre-de-la-tres-longue-adresse@exemple-de-sceaux.example")
    refunded = gifts.gift(campaign, 2_000, email="z@example.org", first_name="Zoé", last_name="Zola")
    gifts.run_job()
    gifts.refund(refunded, 2_000)
    gifts.run_job()
    with app.app_context():
        receipt = db.session.scalars(select(Receipt).order_by(Receipt.id)).first()
        verify = f"/verifier/asso-test/{receipt.number}?k={receipt.verification_token}"
        mine = f"/recus/{donor_token(receipt.organization_id, receipt.donor_email)}"
    page.set_viewport_size({"width": 320, "height": 720})
    public = ["/", f"/campagnes/{campaign}", "/connexion", "/mentions-legales", "/confidentialite",
              "/accessibilite", verify, mine]
    for path in public:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1, path
        assert violations(page) == [], path
        page.set_viewport_size({"width": 320, "height": 720})
        assert sideways(page) <= 0, (path, sideways(page))

    page.goto(live_server + "/finance")
    page.get_by_label("Adresse e-mail").fill(f"finance{actors._count}@test.example")
    page.get_by_label("Mot de passe").fill("mot de passe solide")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/finance")
    assert sideways(page) <= 0, ("/finance", sideways(page))
    assert violations(page) == [], "/finance"
    # The receipts' table reads as a list: each value says which column it belongs to.
    first_row = page.locator("#list-title + .scroll table.stacked tbody tr").first
    assert first_row.locator("td[data-label='Montant']").count() == 1
