"""The treasurer's pages on a phone: axe-core finds no violation, nothing scrolls sideways at 320 px, and a
transfer is marked received through the confirmation step."""
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from tests.accounting.conftest import IBAN_A, last_month
from tests.accounting.test_calls_for_funds import _grant
from tests.support import sideways, violations
from tests.roundup.conftest import record, settle
from tests.support import sign_in_browser

pytestmark = pytest.mark.browser


def test_the_treasurer_marks_a_transfer_received_on_a_phone(app, client, live_server, page, actors, shops, gifts):
    from campaigns.services import issue_calls

    actors.organization("asso-a", bank_iban=IBAN_A, bank_account_holder="Association A")
    headers = shops.merchant(beneficiaries=[{"organization": "asso-a", "share_basis_points": 10_000}])
    month = last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    assert record(client, headers, "T1", 901, 99, occurred_at=when).status_code == 201
    settle(app, "boulangerie", month)
    actors.partner("imprimerie", name="Imprimerie Lavoisier SAS")
    campaign = gifts.campaign("asso-a")
    _grant(app, campaign, "imprimerie", 12_345, month + timedelta(days=3))
    with app.app_context():
        issue_calls(month)
        db.session.commit()
    actors.user("finance", organization="asso-a", password="mot de passe solide")
    sign_in_browser(page, live_server, f"finance{actors._count}@test.example", "mot de passe solide")

    page.goto(f"{live_server}/gestion/tresorerie")
    assert page.get_by_role("heading", level=1).inner_text() == "Trésorerie"
    assert page.get_by_label("IBAN").input_value() == "FR76 3000 6000 0112 3456 7890 189"
    assert violations(page) == []
    page.set_viewport_size({"width": 320, "height": 720})
    assert sideways(page) <= 0, sideways(page)

    page.locator("section[aria-labelledby=releves] summary").click()  # opens the question, changes nothing yet
    assert page.locator("section[aria-labelledby=releves]").get_by_text("est-il arrivé sur le compte").is_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Oui, marquer reçu : virement de Commerce boulangerie").click()
    page.wait_for_load_state()
    assert "marqué reçu le" in page.locator(".flash").first.inner_text()
    assert page.get_by_text("Aucun virement de commerçant attendu").is_visible()
    assert sideways(page) <= 0

    # The partner's call for funds, on its own page, and the home's summary: as readable on a phone.
    for path in ("/gestion/appels-de-fonds", "/gestion"):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server}{path}")
        assert page.get_by_text("Imprimerie Lavoisier SAS").count() or path == "/gestion", path
        assert violations(page) == [], path
        page.set_viewport_size({"width": 320, "height": 720})
        assert sideways(page) <= 0, (path, sideways(page))
