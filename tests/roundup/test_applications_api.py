"""The applications' JSON API: administrators only, the same services as the back office."""
from tests.roundup.test_merchant_backoffice import an_application


def test_administrators_list_approve_and_refuse_applications(app, client, actors):
    actors.organization("epicerie")
    first = an_application(app, "api1@blagis.example")
    second = an_application(app, "api2@fleurs.example", name="Fleurs de Sceaux", siret="73282932000017")
    admin = actors.admin()

    listed = client.get("/api/v1/merchant-applications?status=pending", headers=admin)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert {row["name"] for row in listed.json} == {"Boulangerie des Blagis", "Fleurs de Sceaux"}
    one = client.get(f"/api/v1/merchant-applications/{first}", headers=admin).json
    assert one["beneficiaries"] == [{"organization": "epicerie", "campaign": None, "share_basis_points": 10_000}]
    assert (one["status"], one["merchant"], one["siret_formatted"]) == ("pending", None, "732 829 320 00074")

    approved = client.post(f"/api/v1/merchant-applications/{first}/approve", headers=admin)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert approved.json["merchant"] == "boulangerie-des-blagis"
    assert client.get("/api/v1/merchants/boulangerie-des-blagis", headers=admin).json["rounding_step_cents"] == 50
    again = client.post(f"/api/v1/merchant-applications/{first}/approve", headers=admin)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"

    no_reason = client.post(f"/api/v1/merchant-applications/{second}/refuse", json={"reason": ""}, headers=admin)
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    refused = client.post(f"/api/v1/merchant-applications/{second}/refuse", json={"reason": "Hors territoire."},
                          headers=admin)
    assert (refused.json["status"], refused.json["refusal_reason"]) == ("refused", "Hors territoire.")
    assert client.get("/api/v1/merchant-applications/999999", headers=admin).status_code == 404


def test_only_administrators_may_call_it(app, client, actors):
    actors.organization("epicerie")
    application = an_application(app, "api3@blagis.example")
    finance = actors.user("finance", organization="epicerie")
    for method, path in (("get", "/api/v1/merchant-applications"),
                         ("get", f"/api/v1/merchant-applications/{application}"),
                         ("post", f"/api/v1/merchant-applications/{application}/approve")):
        assert getattr(client, method)(path).status_code == 401
        assert getattr(client, method)(path, headers=finance).status_code == 403
