"""A shop's staff sign in like other users and run their dashboard: keys of both kinds, statements,
nothing of another shop."""
import re
from datetime import date

from sqlalchemy import select

from app.audit import AdminAction
from app.extensions import db
from tests.roundup.conftest import settle
from tests.support import csrf_from, sign_in_as_latest


def merchant_user(app, slug, email):
    from app.auth.services import create_user
    from donations.roundup.services import get_merchant

    with app.app_context():
        create_user(email, "merchant", merchant_id=get_merchant(slug).id, password="correct horse battery")
        db.session.commit()


def test_a_merchant_user_signs_in_and_manages_keys_of_both_kinds(app, client, shops):
    from donations.roundup.models import MerchantKey

    shops.merchant("boulangerie")
    merchant_user(app, "boulangerie", "vendeuse@boulangerie.example")
    sign_in_as_latest(client, app, "vendeuse@")
    home = client.get("/gestion").text
    assert "Commerce boulangerie" in home and 'href="/commercant"' in home and "Mon commerce" in home
    assert client.get("/gestion/commercants").status_code == 404  # the town's pages are not theirs

    dashboard = client.get("/commercant").text
    assert "<h1>Commerce boulangerie</h1>" in dashboard
    assert "Quitter l&#39;espace commerçant" not in dashboard  # they sign out of the site itself
    created = client.post("/commercant/cles", data={"csrf_token": csrf_from(dashboard), "kind": "till",
                                                    "label": "Comptoir"}).text
    key = re.search(r'id="nouvelle-cle">(mk_[^<]+)<', created).group(1)
    assert "Nouvelle clé de caisse" in created
    assert key not in client.get("/commercant").text
    # A till key records at the till but opens nothing else.
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150},
                       headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert client.get("/api/v1/settlements", headers={"Authorization": f"Bearer {key}"}).status_code == 403
    with app.app_context():
        row = db.session.scalar(select(MerchantKey).where(MerchantKey.label == "Comptoir"))
        assert row.kind.value == "till"
        logged = db.session.scalar(select(AdminAction).where(AdminAction.action == "merchant.key_issue"))
        assert logged.user_email == "vendeuse@boulangerie.example"

    api = client.post("/commercant/cles", data={"csrf_token": csrf_from(dashboard), "kind": "api"}).text
    assert "Nouvelle clé d&#39;API" in api
    assert client.post("/commercant/cles", data={"csrf_token": csrf_from(dashboard), "kind": "root"}).status_code == 400

    revoke = f"/commercant/cles/{row.id}/revoquer"
    client.post(revoke, data={"csrf_token": csrf_from(dashboard), "confirm": "1"})
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150},
                       headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_a_merchant_user_sees_nothing_of_another_shop(app, client, shops):
    from donations.roundup.models import MerchantKey

    shops.merchant("boulangerie")
    shops.merchant("fleuriste", beneficiaries=[{"organization": "epicerie", "share_basis_points": 10_000}])
    client.post("/api/v1/roundups", headers={"Authorization": f"Bearer {shops.keys['boulangerie']}"},
                json={"external_id": "t1", "basket_cents": 1_250, "roundup_cents": 50,
                      "occurred_at": "2026-10-05T12:00:00+00:00"})
    theirs = settle(app, "boulangerie", date(2026, 10, 1))
    with app.app_context():
        their_key = db.session.scalar(select(MerchantKey.id).order_by(MerchantKey.id))  # the boulangerie's
    merchant_user(app, "fleuriste", "fleuriste@sceaux.example")
    sign_in_as_latest(client, app, "fleuriste@")
    page = client.get("/commercant").text
    assert "<h1>Commerce fleuriste</h1>" in page
    assert client.get(f"/commercant/releves/{theirs}.pdf").status_code == 404
    assert client.get(f"/commercant/releves/{theirs}.csv").status_code == 404
    answer = client.post(f"/commercant/cles/{their_key}/revoquer", data={"csrf_token": csrf_from(page), "confirm": "1"})
    assert answer.status_code == 404
    with app.app_context():
        assert db.session.get(MerchantKey, their_key).revoked_at is None


def test_without_a_session_the_dashboard_offers_to_sign_in(app, client, shops):
    shops.merchant("boulangerie")
    page = client.get("/commercant").text
    assert 'href="/connexion?next=/commercant"' in page and 'href="/devenir-commercant"' in page
    token = csrf_from(page)
    for path in ("/commercant/cles", "/commercant/cles/1/revoquer"):
        answer = client.post(path, data={"csrf_token": token, "kind": "api", "confirm": "1"})
        assert answer.status_code == 302 and answer.headers["Location"] == "/commercant", path
    assert client.get("/commercant/releves/1.pdf").status_code == 302
