"""The merchant dashboard (/commercant), opened with a key, and the checkout widget."""
import re
from datetime import date

from .conftest import at, record, settle


def csrf_token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, key):
    token = csrf_token(client.get("/commercant"))
    return client.post("/commercant/connexion", data={"key": key, "csrf_token": token})


def test_dashboard_asks_for_a_key_and_refuses_a_wrong_one(client, shops):
    shops.merchant()
    page = client.get("/commercant")
    assert page.status_code == 200 and "Votre clé d'API" in page.get_data(as_text=True)
    wrong = sign_in(client, "mk_wrong")
    assert wrong.status_code == 400
    assert "pas reconnue" in wrong.get_data(as_text=True)
    no_csrf = client.post("/commercant/connexion", data={"key": shops.keys["boulangerie"]})
    assert no_csrf.status_code == 400
    assert "Votre clé d'API" in client.get("/commercant").get_data(as_text=True)


def test_dashboard_shows_today_month_beneficiaries_and_statements(client, shops, app):
    from app.types import utcnow

    headers = shops.merchant()
    record(client, headers, "S1", 1230, 70, occurred_at=at(2026, 9, 3))
    statement = settle(app, "boulangerie", date(2026, 9, 1))
    record(client, headers, "T1", 1201, 99, occurred_at=utcnow().isoformat())
    record(client, headers, "T2", 1299, 1, occurred_at=utcnow().isoformat())
    assert sign_in(client, shops.keys["boulangerie"]).status_code == 302
    text = client.get("/commercant").get_data(as_text=True)
    assert "Commerce boulangerie" in text
    assert re.search(r'id="jour">1,00\xa0€', text)
    assert "2 arrondis" in text
    assert "Association epicerie" in text
    assert "septembre 2026" in text and "0,70\xa0€" in text
    pdf = client.get(f"/commercant/releves/{statement}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert client.get(f"/commercant/releves/{statement}.csv").mimetype == "text/csv"


def test_a_merchant_cannot_download_another_merchants_statement(client, shops, actors, app):
    actors.organization("epicerie")
    beneficiaries = [{"organization": "epicerie", "share_basis_points": 10_000}]
    record(client, shops.merchant("librairie", beneficiaries=beneficiaries), "L1", 1230, 70,
           occurred_at=at(2026, 9, 3))
    theirs = settle(app, "librairie", date(2026, 9, 1))
    shops.merchant("boulangerie", beneficiaries=beneficiaries)
    sign_in(client, shops.keys["boulangerie"])
    assert client.get(f"/commercant/releves/{theirs}.pdf").status_code == 404
    assert client.get(f"/commercant/releves/{theirs}.csv").status_code == 404


def test_keys_created_on_the_dashboard_are_shown_once_and_revoking_closes_the_session(client, shops):
    shops.merchant()
    sign_in(client, shops.keys["boulangerie"])
    page = client.post("/commercant/cles", data={"label": "site web", "csrf_token": csrf_token(client.get("/commercant"))})
    new_key = re.search(r'id="nouvelle-cle">(mk_[^<]+)<', page.get_data(as_text=True)).group(1)
    assert new_key not in client.get("/commercant").get_data(as_text=True)
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150},
                       headers={"Authorization": f"Bearer {new_key}"}).status_code == 200

    # Revoke the key this session was opened with: the dashboard closes.
    page = client.get("/commercant").get_data(as_text=True)
    action = re.search(r'action="(/commercant/cles/\d+/revoquer)"(?:(?!</form>).)*Révoquer \(celle de cette session\)',
                       page, re.DOTALL).group(1)
    # The first button only asks; the second (confirm=1) revokes.
    client.post(action, data={"csrf_token": csrf_token(client.get("/commercant"))})
    assert "Votre clé d'API" not in client.get("/commercant").get_data(as_text=True)
    client.post(action, data={"csrf_token": csrf_token(client.get("/commercant")), "confirm": "1"})
    assert "Votre clé d'API" in client.get("/commercant").get_data(as_text=True)
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers={
        "Authorization": f"Bearer {shops.keys['boulangerie']}"}).status_code == 401


def test_widget_rule_is_public_and_readable_from_any_origin(client, shops):
    shops.merchant(top_ups_cents=[100])
    rule = client.get("/widget/arrondi/boulangerie.json")
    assert rule.headers["Access-Control-Allow-Origin"] == "*"
    assert rule.json == {"merchant": "Commerce boulangerie", "rounding_step_cents": 100, "round_exact_baskets": False,
                         "top_ups_cents": [100], "max_roundup_cents": None,
                         "beneficiaries": ["Association epicerie"]}
    assert client.get("/widget/arrondi/inconnu.json").status_code == 404
    script = client.get("/widget/arrondi.js")
    assert script.mimetype == "text/javascript" and "solidaire:arrondi" in script.get_data(as_text=True)


def test_the_demo_checkout_records_for_the_signed_in_merchant_only(client, shops, app):
    from sqlalchemy import select

    from app.extensions import db
    from donations.roundup.models import Roundup

    shops.merchant()
    page = client.get("/commercant/demo/boulangerie")
    shown = client.post("/commercant/demo/boulangerie", data={"arrondi_cents": "55", "csrf_token": csrf_token(page)})
    assert shown.status_code == 200 and "Enregistré" not in shown.get_data(as_text=True)
    refused = client.post("/commercant/demo/boulangerie", data={"arrondi_cents": "7", "csrf_token": csrf_token(page)})
    assert "Arrondi refusé : ce montant ne correspond pas à la règle d&#39;arrondi du commerçant." in refused.text

    assert sign_in(client, shops.keys["boulangerie"]).status_code == 302
    page = client.get("/commercant/demo/boulangerie")
    recorded = client.post("/commercant/demo/boulangerie", data={"arrondi_cents": "55", "csrf_token": csrf_token(page)})
    assert "Enregistré sur votre compte commerçant" in recorded.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(Roundup)).all()
        assert [(r.basket_cents, r.roundup_cents, r.external_id[:5]) for r in rows] == [(2_745, 55, "demo-")]
