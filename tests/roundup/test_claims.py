"""A customer claims a round-up with the QR code the till shows: once, before it expires, by email."""
import time
from pathlib import Path

from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.extensions import db
from tests.roundup.conftest import record


def _csrf(html):
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def _till(client, actors, shops, slug="boulangerie"):
    admin = actors.admin()
    shops.merchant(slug)
    key = client.post(f"/api/v1/merchants/{slug}/keys", json={"kind": "till"}, headers=admin).json["key"]
    return {"Authorization": f"Bearer {key}"}


def _email_of(app, roundup_external_id):
    from donations.roundup.models import Roundup

    with app.app_context():
        return db.session.scalar(select(Roundup.donor_email).where(Roundup.external_id == roundup_external_id))


def test_a_customer_claims_a_round_up_once_and_gets_the_identity_link(client, app, actors, shops):
    till = _till(client, actors, shops)
    assert record(client, till, "t-1", 1260, 40).status_code == 201
    answer = client.get("/api/v1/roundups/t-1/claim", headers=till)
    assert answer.status_code == 200
    url = answer.json["claim_url"]
    assert url.startswith(app.config["PUBLIC_URL"].rstrip("/") + "/arrondi/recu/")
    assert answer.json["qr_svg"].startswith("<svg") and "http://www.w3.org/2000/svg" in answer.json["qr_svg"]
    path = url[len(app.config["PUBLIC_URL"].rstrip("/")):]

    page = client.get(path)
    assert page.status_code == 200
    assert "Commerce boulangerie" in page.text and "0,40" in page.text and "Association epicerie" in page.text
    wrong = client.post(path, data={"email": "pas-une-adresse", "csrf_token": _csrf(page.text)})
    assert wrong.status_code == 400
    assert 'aria-invalid="true"' in wrong.text and "adresse électronique valide" in wrong.text
    assert _email_of(app, "t-1") is None

    outbox = Path(app.config["OUTBOX_DIR"])
    before = set(outbox.glob("*.eml"))
    done = client.post(path, data={"email": " Claire.Martin@Example.org ", "csrf_token": _csrf(page.text)})
    assert done.status_code == 200, done.text
    assert "compte pour votre reçu fiscal annuel" in done.text and "0,40" in done.text
    assert _email_of(app, "t-1") == "claire.martin@example.org"
    # No cookie but the session's: the privacy notice promises no other (the phone's autofill helps instead).
    assert all(cookie.startswith("session=") for cookie in done.headers.getlist("Set-Cookie"))
    [mail] = [p for p in set(outbox.glob("*.eml")) - before if "claire.martin" in p.name]
    assert "/recus/arrondi/" in mail.read_text(errors="ignore")

    # The link works once; the till cannot hand out a second one.
    again = client.get(path)
    assert again.status_code == 409 and "déjà servi" in again.text
    assert client.post(path, data={"email": "autre@example.org", "csrf_token": _csrf(page.text)}).status_code == 409
    assert _email_of(app, "t-1") == "claire.martin@example.org"
    assert client.get("/api/v1/roundups/t-1/claim", headers=till).status_code == 409

    # The next claim asks the phone's autofill for the address, and nothing is stored on the phone by us.
    assert record(client, till, "t-2", 990, 10).status_code == 201
    second = client.get("/api/v1/roundups/t-2/claim", headers=till).json["claim_url"]
    next_claim = client.get(second[len(app.config["PUBLIC_URL"].rstrip("/")):])
    assert 'autocomplete="email"' in next_claim.text and "claire.martin" not in next_claim.text


def test_claim_links_expire_and_refuse_forgeries_voids_and_other_merchants(client, app, actors, shops, monkeypatch):
    till = _till(client, actors, shops)
    other = shops.merchant("fromagerie", beneficiaries=[{"organization": "epicerie", "share_basis_points": 10_000}])
    assert record(client, till, "t-1", 1260, 40).status_code == 201
    assert record(client, till, "t-2", 1260, 40).status_code == 201
    assert client.get("/api/v1/roundups/t-1/claim", headers=other).status_code == 404
    assert client.get("/api/v1/roundups/t-1/claim").status_code == 401

    real_timestamp = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 73 * 3600)
    old = client.get("/api/v1/roundups/t-1/claim", headers=till).json["claim_url"]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real_timestamp)
    expired = client.get(old[old.index("/arrondi/"):])
    assert expired.status_code == 410 and "expiré" in expired.text

    assert client.get("/arrondi/recu/forged-token").status_code == 404
    fresh = client.get("/api/v1/roundups/t-2/claim", headers=till).json["claim_url"]
    assert client.post("/api/v1/roundups/t-2/void", headers=till).status_code == 200
    assert client.get(fresh[fresh.index("/arrondi/"):]).status_code == 409
    assert client.get("/api/v1/roundups/t-2/claim", headers=till).status_code == 409
