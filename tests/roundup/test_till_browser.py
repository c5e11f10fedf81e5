"""The till page (/caisse) in a phone-sized Chromium: set up with a till key, a round-up recorded in
one tap, the last one voided, three recorded offline and each sent exactly once when the connection
returns; the rule computed in the page agrees with the server's; a customer claims by QR code."""
import email
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support import sideways, violations

pytestmark = pytest.mark.browser

RULE_JS = Path(__file__).resolve().parents[2] / "donations" / "roundup" / "static" / "caisse-rule.js"


def _roundups(app, slug="boulangerie"):
    from donations.roundup.models import Merchant, Roundup

    with app.app_context():
        return db.session.execute(
            select(Roundup.external_id, Roundup.basket_cents, Roundup.roundup_cents, Roundup.payment_method,
                   Roundup.voided_at).join(Merchant, Merchant.id == Roundup.merchant_id)
            .where(Merchant.slug == slug).order_by(Roundup.id)).all()


def _till_key(client, actors, shops, **rule):
    admin = actors.admin()
    shops.merchant("boulangerie", **rule)
    return client.post("/api/v1/merchants/boulangerie/keys", json={"kind": "till", "label": "comptoir"},
                       headers=admin).json["key"]


def _text(locator):
    return re.sub(r"\s", " ", locator.inner_text())


def _type(page, digits):
    for digit in digits:
        page.locator(f'[data-digit="{digit}"]').click()


def test_the_page_computes_the_round_up_as_the_server_does(app, page):
    from types import SimpleNamespace

    from donations.roundup.services.rules import quote

    names = ("rounding_step_cents", "round_exact_baskets", "top_ups_cents", "max_roundup_cents")
    rules = [dict(zip(names, values)) for values in [
        (100, False, [], None), (100, True, [100, 200], 250), (50, True, [], 30), (1000, False, [500, 50], None),
        (20, False, [80], 80)]]
    baskets = [0, 1, 19, 20, 99, 100, 101, 1260, 1299, 1300, 4999, 5000, 9_999_999]
    page.set_content("<!doctype html><title>règle</title>")
    page.add_script_tag(path=str(RULE_JS))
    table = [(rule, basket) for rule in rules for basket in baskets]
    in_page = page.evaluate("table => table.map(([rule, basket]) => SolidaireRule.quote(rule, basket))", table)
    on_server = [quote(SimpleNamespace(**rule), basket) for rule, basket in table]
    assert in_page == on_server
    assert any(q["roundup_cents"] == 0 and q["options"] for q in on_server)  # the table covers the edge cases


def test_a_till_records_voids_and_sends_offline_round_ups_exactly_once(app, client, live_server, page, actors, shops):
    key = _till_key(client, actors, shops, top_ups_cents=[100])
    page.goto(live_server + "/caisse")
    assert violations(page) == [], "set-up"
    page.get_by_label("Clé de caisse").fill("mk_pas-une-vraie-cle")
    page.get_by_role("button", name="Installer la caisse").click()
    field = page.get_by_label("Clé de caisse")
    page.wait_for_selector("#setup-key-error:not([hidden])")
    assert field.get_attribute("aria-invalid") == "true"
    assert "pas reconnue" in page.locator("#setup-key-error").inner_text()
    field.fill(key)
    page.get_by_role("button", name="Installer la caisse").click()
    page.wait_for_selector("#till-main:not([hidden])")
    assert page.locator("#till-merchant").inner_text() == "Commerce boulangerie"
    assert page.evaluate("localStorage.getItem('solidaire.caisse.key')") == f'"{key}"'

    # A basket of 12,60 €: 0,40 € by default, or 1,40 € with the merchant's top-up.
    _type(page, "1260")
    assert _text(page.locator("#basket")) == "12,60 €"
    assert [_text(b) for b in page.locator(".till-option").all()] == ["+ 0,40 €", "+ 1,40 €"]
    page.get_by_role("button", name=re.compile("Le client accepte")).click()
    page.wait_for_function("() => document.getElementById('till-today').textContent.includes('1 arrondi,')")
    assert [(r.basket_cents, r.roundup_cents) for r in _roundups(app)] == [(1260, 40)]
    assert violations(page) == [], "till"
    page.set_viewport_size({"width": 320, "height": 720})
    assert sideways(page) <= 0

    # A second one, paid in cash with the top-up, then voided after a confirmation.
    _type(page, "990")
    page.get_by_text("en espèces").click()
    page.get_by_role("button", name=re.compile(r"^\+ 1,10\s€$")).click()
    page.get_by_role("button", name=re.compile("Le client accepte")).click()
    page.wait_for_function("() => document.getElementById('last-text').textContent.includes('enregistré')")
    page.get_by_role("button", name="Annuler ce dernier arrondi").click()
    page.get_by_role("button", name="Oui, annuler l'arrondi").click()
    page.wait_for_function("() => document.getElementById('last-text').textContent.includes('annulé')")
    second = _roundups(app)[1]
    assert (second.roundup_cents, second.payment_method.value, second.voided_at is not None) == (110, "cash", True)
    page.wait_for_function("() => document.getElementById('till-today').textContent.includes('1 arrondi,')")

    # A third one, sent, then voided while the connection is down: the void waits too.
    page.get_by_text("par carte").click()
    _type(page, "2000")
    page.get_by_role("button", name=re.compile("Le client accepte")).click()
    page.wait_for_function("() => document.getElementById('last-text').textContent.includes('enregistré')")
    assert len(_roundups(app)) == 3

    # Offline: three round-ups wait on the device, the page itself reloads from the service worker.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    page.get_by_role("button", name="Annuler ce dernier arrondi").click()
    page.get_by_role("button", name="Oui, annuler l'arrondi").click()
    page.wait_for_function("() => document.getElementById('till-waiting').textContent.includes('1 annulation attend')")
    for digits in ("500", "1234", "75"):
        _type(page, digits)
        page.get_by_role("button", name=re.compile("Le client accepte")).click()
    page.wait_for_function("() => document.getElementById('till-waiting').textContent.startsWith('3 arrondis attendent')")
    assert len(_roundups(app)) == 3 and _roundups(app)[2].voided_at is None
    page.reload()
    page.wait_for_selector("#till-main:not([hidden])")
    assert page.locator("#till-waiting").inner_text().startswith("3 arrondis attendent")
    assert len(_roundups(app)) == 3

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.getElementById('till-waiting').hidden")
    page.wait_for_function("() => document.getElementById('till-today').textContent.includes('4 arrondis')")
    rows = _roundups(app)
    live = [(r.basket_cents, r.roundup_cents) for r in rows if r.voided_at is None]
    assert live == [(1260, 40), (500, 100), (1234, 66), (75, 25)]
    assert [(r.basket_cents, r.voided_at is not None) for r in rows][1:3] == [(990, True), (2000, True)]
    assert len({r.external_id for r in rows}) == len(rows) == 6


def test_a_customer_scans_claims_and_completes_the_address(app, client, live_server, page, actors, shops):
    key = _till_key(client, actors, shops)
    page.goto(f"{live_server}/caisse#cle={key}")  # the key's QR code scanned by the tablet's camera
    page.wait_for_selector("#till-main:not([hidden])")
    assert "cle=" not in page.url
    _type(page, "1260")
    page.get_by_role("button", name=re.compile("Le client accepte")).click()
    page.wait_for_function("() => document.getElementById('last-text').textContent.includes('enregistré')")
    page.get_by_role("button", name="QR code du reçu fiscal pour le client").click()
    page.wait_for_selector("#claim-box:not([hidden])")
    assert page.locator("#claim-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    claim_url = page.locator("#claim-link").get_attribute("href")
    claim_path = claim_url[claim_url.index("/arrondi/recu/"):]

    # The customer's phone opens the QR code's link.
    customer = page.context.new_page()
    customer.goto(live_server + claim_path)
    assert "Commerce boulangerie" in customer.locator("main").inner_text()
    assert violations(customer) == [], "claim"
    customer.get_by_role("button", name="Demander mon reçu").click()
    assert "Indiquez votre adresse électronique." in customer.locator("main").inner_text()
    email_field = customer.get_by_label("Votre adresse électronique")
    assert email_field.get_attribute("aria-invalid") == "true"
    outbox = Path(app.config["OUTBOX_DIR"])
    before = set(outbox.glob("*.eml"))
    email_field.fill("lea.moreau@example.org")
    customer.get_by_role("button", name="Demander mon reçu").click()
    assert "compte pour votre reçu fiscal annuel" in customer.locator("main").inner_text()
    assert violations(customer) == [], "claimed"
    customer.set_viewport_size({"width": 320, "height": 720})
    assert sideways(customer) <= 0

    [mail] = [p for p in set(outbox.glob("*.eml")) - before if "lea.moreau" in p.name]
    body = email.message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/recus/arrondi/\S+", body).group(0)
    customer.goto(live_server + link[link.index("/recus/arrondi/"):])
    year_line = customer.locator("main").inner_text()
    assert re.search(r"1 arrondi, 0,40\s€", year_line), year_line
    for label, value in (("Prénom", "Léa"), ("Nom", "Moreau"), ("Adresse", "3 rue des Écoles"),
                         ("Code postal", "92330"), ("Commune", "Sceaux")):
        customer.get_by_label(label, exact=True).fill(value)
    customer.get_by_role("button", name="Enregistrer").click()
    assert "votre reçu annuel sera établi" in customer.locator("main").inner_text()

    from receipts.services.roundup_donors import get_roundup_donor

    with app.app_context():
        profile = get_roundup_donor("lea.moreau@example.org")
        assert (profile.last_name, profile.postal_code) == ("Moreau", "92330")
        from donations.roundup.models import Roundup

        assert db.session.scalars(select(Roundup.donor_email)).all() == ["lea.moreau@example.org"]
