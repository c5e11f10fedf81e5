"""Identified round-up donors get an annual receipt once they have given the name and address it needs."""
import re
from datetime import date, datetime, timezone

from app.extensions import db
from tests.receipts.conftest import pdf_text


def _roundups_for_asso_test(app, client, actors):
    from donations.roundup import services

    with app.app_context():
        merchant = services.create_merchant(
            beneficiaries=[{"organization": "asso-test", "share_basis_points": 10_000}], slug="boulangerie",
            name="Boulangerie", siret="73282932000074", address_line1="10 rue Houdan", postal_code="92330",
            city="Sceaux")
        _, key = services.create_key(merchant, "test")
        db.session.commit()
    headers = {"Authorization": f"Bearer {key}"}
    moment = datetime(2025, 5, 12, 12, tzinfo=timezone.utc).isoformat()
    for external_id, basket, roundup, email in [("A1", 1230, 70, "lea@example.org"), ("A2", 990, 10, "lea@example.org"),
                                               ("B1", 450, 50, "tom@example.org")]:
        answer = client.post("/api/v1/roundups", headers=headers, json={
            "external_id": external_id, "basket_cents": basket, "roundup_cents": roundup, "occurred_at": moment,
            "donor_email": email})
        assert answer.status_code == 201, answer.json
    with app.app_context():
        statement, _ = services.settle_month(services.get_merchant("boulangerie"), date(2025, 5, 1))
        services.mark_paid(statement)  # only round-ups of a paid statement reach the annual receipt
        db.session.commit()


def test_round_up_donors_are_invited_then_receipted_with_the_identity_they_gave(app, client, finance, actors):
    from receipts.services.links import roundup_token

    _roundups_for_asso_test(app, client, actors)
    first = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert first.json["issued"] == 0 and first.json["waiting_for_address"] == 2  # no identity, no receipt

    with app.test_request_context():
        path = f"/recus/arrondi/{roundup_token('lea@example.org')}"
    form = client.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    missing = client.post(path, data={"csrf_token": csrf, "first_name": "Léa", "last_name": "", "postal_code": "923"})
    assert missing.status_code == 400 and "obligatoire" in missing.get_data(as_text=True)
    saved = client.post(path, data={"csrf_token": csrf, "first_name": "Léa", "last_name": "Roux", "address_line1": "4 allée des Tilleuls",
                                     "postal_code": "92330", "city": "Sceaux"})
    assert saved.status_code == 302
    assert client.get(path + "x").status_code == 404  # a tampered link

    second = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert (second.json["issued"], second.json["waiting_for_address"]) == (1, 1)
    [receipt] = client.get("/api/v1/receipts", headers=finance).json
    assert (receipt["donor_name"], receipt["amount_cents"], receipt["roundup_cents"]) == ("Léa Roux", 80, 80)
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{receipt['number']}.pdf", headers=finance).data)
    for mention in ["cumul 2025", "Roux", "Léa", "4 allée des Tilleuls", "quatre-vingts centimes", "arrondis en caisse"]:
        assert mention in text, mention
