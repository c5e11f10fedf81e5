"""In a real browser: the widget offers the round-up on a web shop's checkout, the shop records it."""
import pytest
from sqlalchemy import select

from app.extensions import db



@pytest.mark.browser
def test_customer_rounds_up_on_the_demo_checkout_and_the_shop_records_it(app, shops, live_server, page):
    from donations.roundup.models import Roundup

    shops.merchant(top_ups_cents=[100])
    # The shop's staff opens its dashboard, then tries the demo checkout: the round-up is recorded for real.
    page.goto(f"{live_server}/commercant")
    page.get_by_label("Votre clé d'API").fill(shops.keys["boulangerie"])
    page.get_by_role("button", name="Ouvrir mon espace").click()
    page.get_by_role("link", name="Voir la démonstration").click()

    offer = page.get_by_label("Arrondir à 28,00\u00a0€ (+0,55\u00a0€) au profit de Association epicerie")
    offer.wait_for()
    assert page.get_by_label("Arrondir à 29,00\u00a0€ (+1,55\u00a0€) au profit de Association epicerie").is_visible()
    assert page.get_by_label("Non merci, pas d'arrondi").is_checked()
    offer.check()
    assert page.locator("input[name=arrondi_cents]").input_value() == "55"
    page.get_by_role("button", name="Payer").click()
    assert "Arrondi de 0,55\u00a0€" in page.locator("#resultat").inner_text()
    with app.app_context():
        recorded = db.session.scalars(select(Roundup)).all()
    assert [(r.basket_cents, r.roundup_cents) for r in recorded] == [(2745, 55)]


@pytest.mark.browser
def test_widget_follows_the_basket_and_a_visitor_only_sees_the_request(app, shops, live_server, page):
    from donations.roundup.models import Roundup

    shops.merchant(rounding_step_cents=50)
    page.goto(f"{live_server}/commercant/demo/boulangerie")
    page.get_by_label("Arrondir à 27,50\u00a0€ (+0,05\u00a0€) au profit de Association epicerie").wait_for()
    page.evaluate("document.querySelector('[data-arrondi]').setAttribute('data-basket-cents', '1210')")
    page.get_by_label("Arrondir à 12,50\u00a0€ (+0,40\u00a0€) au profit de Association epicerie").wait_for()
    events = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('solidaire:arrondi', e => resolve(e.detail), {once: true});
        document.querySelector('input[value="40"]').click();
    })""")
    assert events == {"basket_cents": 1210, "roundup_cents": 40, "total_cents": 1250}
    page.evaluate("document.querySelector('[data-arrondi]').setAttribute('data-basket-cents', '2745')")
    page.get_by_label("Arrondir à 27,50\u00a0€ (+0,05\u00a0€) au profit de Association epicerie").check()
    page.get_by_role("button", name="Payer").click()
    assert "POST /api/v1/roundups" in page.locator("#resultat").inner_text()
    with app.app_context():
        assert db.session.scalars(select(Roundup)).all() == []
