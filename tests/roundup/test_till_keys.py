"""Till keys: a device at the counter may quote, record, void and read today's figures, nothing more."""
from datetime import date

from tests.roundup.conftest import at, record, settle


def _till_key(client, admin, slug="boulangerie", label="caisse 1"):
    response = client.post(f"/api/v1/merchants/{slug}/keys", json={"kind": "till", "label": label}, headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["kind"] == "till"
    return {"Authorization": f"Bearer {response.json['key']}"}


def test_a_till_key_records_quotes_voids_and_reads_today_only(client, shops, actors, app):
    admin = actors.admin()
    api = shops.merchant("boulangerie")
    till = _till_key(client, admin)

    assert client.post("/api/v1/roundups/quote", json={"basket_cents": 1260}, headers=till).json["roundup_cents"] == 40
    assert record(client, till, "t-1", 1260, 40).status_code == 201
    assert record(client, till, "t-2", 990, 10, payment_method="cash").status_code == 201
    assert client.post("/api/v1/roundups/t-2/void", headers=till).json["status"] == "voided"
    today = client.get("/api/v1/merchant/today", headers=till).json
    assert (today["roundup_count"], today["roundups_cents"]) == (1, 40)
    setup = client.get("/api/v1/merchant/till", headers=till).json
    assert setup["merchant"]["name"] == "Commerce boulangerie"
    assert setup["rule"]["rounding_step_cents"] == 100 and setup["key_kind"] == "till"
    assert setup["beneficiaries"] == ["Association epicerie"]
    assert setup["today"]["roundups_cents"] == 40

    # What an api key (a checkout's back end) does and a till key may not.
    batch = {"roundups": [{"external_id": "b-1", "basket_cents": 1260, "roundup_cents": 40}]}
    refused = client.post("/api/v1/roundups/batch", json=batch, headers=till)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["type"].endswith("till-key-refused")
    assert client.get("/api/v1/merchant/summary", headers=till).status_code == 403
    assert record(client, api, "october-1", 1260, 40, occurred_at=at(2026, 10, 5)).status_code == 201
    settlement_id = settle(app, "boulangerie", date(2026, 10, 1))
    for path in ("/api/v1/settlements", f"/api/v1/settlements/{settlement_id}",
                 f"/api/v1/settlements/{settlement_id}.pdf", f"/api/v1/settlements/{settlement_id}.csv"):
        assert client.get(path, headers=till).status_code == 403, path
        assert client.get(path, headers=api).status_code == 200, path
    # The api key still does all of it.
    assert client.post("/api/v1/roundups/batch", json=batch, headers=api).json["accepted"] == 1
    assert client.get("/api/v1/merchant/summary", headers=api).status_code == 200
    assert client.get("/api/v1/merchant/today", headers=api).json["roundup_count"] == 2


def test_keys_are_api_by_default_and_the_kind_is_checked(client, shops, actors):
    admin = actors.admin()
    shops.merchant("boulangerie")
    created = client.post("/api/v1/merchants/boulangerie/keys", json={"label": "site"}, headers=admin)
    assert created.json["kind"] == "api"
    wrong = client.post("/api/v1/merchants/boulangerie/keys", json={"kind": "caisse"}, headers=admin)
    assert wrong.status_code == 422 and "kind" in wrong.json["errors"]
    kinds = [key["kind"] for key in client.get("/api/v1/merchants/boulangerie/keys", headers=admin).json]
    assert kinds == ["api", "api"]
    # Another merchant's key, and no key, read nothing of today's figures.
    assert client.get("/api/v1/merchant/today").status_code == 401


def test_the_cli_issues_a_till_key_that_cannot_open_the_dashboard(client, shops, app, runner):
    shops.merchant("boulangerie")
    result = runner.invoke(args=["roundups", "create-key", "boulangerie", "--kind", "till", "--label", "comptoir"])
    assert result.exit_code == 0, result.output
    key, setup_line = result.output.strip().splitlines()
    assert setup_line.endswith(f"/caisse#cle={key}")
    till = {"Authorization": f"Bearer {key}"}
    assert record(client, till, "cli-1", 1260, 40).status_code == 201
    page = client.get("/commercant")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/commercant/connexion", data={"key": key, "csrf_token": token})
    assert refused.status_code == 400
    assert "clé de caisse" in refused.text and 'aria-invalid="true"' in refused.text
    assert "Relevés" not in client.get("/commercant").text


def test_a_till_key_made_on_the_dashboard_comes_with_its_set_up_link_and_qr_code(client, shops, app):
    import re

    from tests.roundup.test_pages import csrf_token, sign_in

    shops.merchant("boulangerie")
    sign_in(client, shops.keys["boulangerie"])
    page = client.post("/commercant/cles", data={"kind": "till", "label": "comptoir",
                                                 "csrf_token": csrf_token(client.get("/commercant"))})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = re.search(r'id="nouvelle-cle">(mk_[^<]+)<', html).group(1)
    link = re.search(r'href="([^"]+)" id="lien-installation"', html).group(1)
    assert link == app.config["PUBLIC_URL"].rstrip("/") + f"/caisse#cle={key}"
    assert 'src="data:image/svg+xml' in html
    assert record(client, {"Authorization": f"Bearer {key}"}, "c-1", 1260, 40).status_code == 201
    api = client.post("/commercant/cles", data={"kind": "api", "csrf_token": csrf_token(client.get("/commercant"))})
    assert "lien-installation" not in api.get_data(as_text=True)
