"""Administrators onboard merchants; keys are shown once, stored hashed, revocable."""
import hashlib
import hmac

from sqlalchemy import select

from app.extensions import db

MERCHANT = {
    "name": "Boulangerie du Marché", "siret": "732 829 320 00074", "address_line1": "10 rue Houdan",
    "postal_code": "92330", "city": "Sceaux", "rounding_step_cents": 50, "top_ups_cents": [100, 200],
    "max_roundup_cents": 500, "match_ratio_percent": 50, "match_monthly_cap_cents": 10_000,
}


def test_admin_creates_a_merchant_and_gets_its_key_once(client, actors, app):
    admin = actors.admin()
    actors.organization("epicerie")
    actors.organization("jardin")
    body = {**MERCHANT, "beneficiaries": [{"organization": "epicerie", "share_percent": "66.67"},
                                          {"organization": "jardin", "share_percent": 33.33}]}
    response = client.post("/api/v1/merchants", json=body, headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["slug"] == "boulangerie-du-marche"
    assert response.json["siret"] == "73282932000074"
    assert [b["share_basis_points"] for b in response.json["beneficiaries"]] == [6667, 3333]
    key = response.json["key"]["key"]
    assert key.startswith("mk_") and len(key) > 40

    fetched = client.get("/api/v1/merchants/boulangerie-du-marche", headers=admin)
    assert fetched.status_code == 200
    assert "key" not in fetched.json  # never shown again
    quote = client.post("/api/v1/roundups/quote", json={"basket_cents": 1210},
                        headers={"Authorization": f"Bearer {key}"})
    assert quote.json["roundup_cents"] == 40

    from donations.roundup.models import MerchantKey

    with app.app_context():
        stored = db.session.scalars(select(MerchantKey.key_hash)).all()
    expected = hmac.new(b"test-secret", key.encode(), hashlib.sha256).hexdigest()
    assert stored == [expected]
    assert key not in stored
    listed = client.get("/api/v1/merchants/boulangerie-du-marche/keys", headers=admin).json
    assert [k["prefix"] for k in listed] == [key[:12]]


def test_the_pepper_of_existing_deployments_still_hashes_the_keys(monkeypatch, base_config):
    """KEY_PEPPER was ROUNDUP_KEY_PEPPER: a deployment that set the old variable keeps its keys."""
    from app import create_app
    from app.keys import hash_key

    monkeypatch.delenv("KEY_PEPPER", raising=False)
    monkeypatch.setenv("ROUNDUP_KEY_PEPPER", "old-pepper")
    with create_app(base_config).app_context():
        assert hash_key("mk_x") == hmac.new(b"old-pepper", b"mk_x", hashlib.sha256).hexdigest()
    monkeypatch.setenv("KEY_PEPPER", "new-pepper")
    with create_app(base_config).app_context():
        assert hash_key("mk_x") == hmac.new(b"new-pepper", b"mk_x", hashlib.sha256).hexdigest()


def test_shares_must_add_up_to_exactly_100_percent(client, actors):
    admin = actors.admin()
    actors.organization("epicerie")
    actors.organization("jardin")
    body = {**MERCHANT, "beneficiaries": [{"organization": "epicerie", "share_percent": "66.66"},
                                          {"organization": "jardin", "share_percent": "33.33"}]}
    response = client.post("/api/v1/merchants", json=body, headers=admin)
    assert response.status_code == 422
    assert "99.99 %" in response.json["errors"]["beneficiaries"][0]
    assert client.get("/api/v1/merchants", headers=admin).headers["X-Total-Count"] == "0"


def test_bad_siret_unknown_beneficiary_and_non_admins_are_refused(client, actors):
    admin = actors.admin()
    actors.organization("epicerie")
    beneficiaries = [{"organization": "epicerie", "share_percent": 100}]
    bad_siret = client.post("/api/v1/merchants", json={**MERCHANT, "siret": "73282932000075",
                                                       "beneficiaries": beneficiaries}, headers=admin)
    assert bad_siret.status_code == 422 and "siret" in bad_siret.json["errors"]
    unknown = client.post("/api/v1/merchants", json={**MERCHANT, "beneficiaries": [
        {"organization": "nulle-part", "share_percent": 100}]}, headers=admin)
    assert unknown.status_code == 422 and "nulle-part" in unknown.json["detail"]
    finance = actors.user("finance", organization="epicerie")
    assert client.post("/api/v1/merchants", json={**MERCHANT, "beneficiaries": beneficiaries},
                       headers=finance).status_code == 403


def test_several_keys_and_revocation(client, actors, shops, app):
    admin = actors.admin()
    first = shops.merchant("librairie")
    second = client.post("/api/v1/merchants/librairie/keys", json={"label": "site web"}, headers=admin)
    assert second.status_code == 201
    second_headers = {"Authorization": f"Bearer {second.json['key']}"}
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=second_headers).status_code == 200

    keys = client.get("/api/v1/merchants/librairie/keys", headers=admin).json
    assert [k["label"] for k in keys] == ["test", "site web"]
    assert keys[1]["last_used_at"] is not None  # it was just used
    assert keys[0]["last_used_at"] is None
    assert all("key" not in k for k in keys)

    revoked = client.post(f"/api/v1/merchants/librairie/keys/{keys[1]['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=second_headers).status_code == 401
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=first).status_code == 200


def test_last_used_time_is_written_at_most_once_a_minute(client, shops, app):
    from donations.roundup.models import MerchantKey

    headers = shops.merchant()
    client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=headers)
    with app.app_context():
        first = db.session.scalar(select(MerchantKey.last_used_at))
    client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=headers)
    with app.app_context():
        assert db.session.scalar(select(MerchantKey.last_used_at)) == first


def test_a_user_token_or_an_unknown_key_does_not_open_the_checkout(client, actors, shops):
    shops.merchant()
    admin = actors.admin()
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=admin).status_code == 401
    forged = {"Authorization": "Bearer mk_" + "x" * 43}
    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 150}, headers=forged).status_code == 401


def test_an_inactive_merchant_records_nothing(client, actors, shops):
    headers = shops.merchant()
    patched = client.patch("/api/v1/merchants/boulangerie", json={"active": False}, headers=actors.admin())
    assert patched.status_code == 200 and patched.json["active"] is False
    response = client.post("/api/v1/roundups", headers=headers,
                           json={"external_id": "t1", "basket_cents": 1230, "roundup_cents": 70})
    assert response.status_code == 403


def test_demo_loads_shops_with_statements_and_twice_duplicates_nothing(app):
    from campaigns.demo import load_organizations
    from donations.roundup.demo import load_merchants
    from donations.roundup.models import Merchant, MerchantKey, Roundup, Settlement

    def counts():
        return tuple(db.session.query(model).count() for model in (Merchant, MerchantKey, Roundup, Settlement))

    with app.app_context():
        load_organizations()
        first = load_merchants()
        db.session.commit()
        after_first = counts()
        second = load_merchants()
        db.session.commit()
        assert counts() == after_first
    assert after_first[0] == 3 and after_first[1] == 3
    assert after_first[2] > 500
    assert after_first[3] >= 9  # three full months for each shop
    keys = [line.split(": ")[1] for line in first if line.strip().startswith("boulangerie-des-blagis:")]
    assert keys and keys[0].startswith("mk_")
    assert any("roundups create-key boulangerie-des-blagis" in line for line in second)


def test_a_rule_change_or_a_revocation_applies_at_once_to_a_till_already_recording(client, actors, shops):
    admin = actors.admin()
    headers = shops.merchant()
    post = lambda external_id, basket, roundup: client.post(  # noqa: E731
        "/api/v1/roundups", headers=headers,
        json={"external_id": external_id, "basket_cents": basket, "roundup_cents": roundup})
    assert post("T1", 1230, 70).status_code == 201  # this worker now knows the rule
    client.patch("/api/v1/merchants/boulangerie", json={"max_roundup_cents": 50}, headers=admin)
    refused = post("T2", 1230, 70)
    assert refused.status_code == 422 and "maximum round-up of 50 cents" in refused.json["detail"]
    assert post("T3", 1260, 40).status_code == 201
    key_id = client.get("/api/v1/merchants/boulangerie/keys", headers=admin).json[0]["id"]
    client.post(f"/api/v1/merchants/boulangerie/keys/{key_id}/revoke", headers=admin)
    assert post("T4", 1260, 40).status_code == 401
    assert post("T3", 1260, 40).status_code == 401  # not even a replay
