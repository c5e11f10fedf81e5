"""Administrators onboard associations, public bodies and partners through the API."""
import pytest

VALID = {
    "name": "Les Amis du Jardin de la Ménagerie", "legal_form": "Association loi 1901",
    "rna": "W922004321", "address_line1": "3 avenue de la Gare", "postal_code": "92330",
    "city": "Sceaux", "objet": "Jardins partagés et éducation à l'environnement.",
    "receipt_regime": "general_interest", "signatory_name": "Paul Durand", "signatory_title": "Trésorier",
}


def test_admin_creates_an_organization_with_a_generated_slug(client, actors):
    admin = actors.admin()
    response = client.post("/api/v1/organizations", json=VALID, headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["slug"] == "les-amis-du-jardin-de-la-menagerie"
    assert response.json["receipt_regime"] == "general_interest"
    fetched = client.get("/api/v1/organizations/les-amis-du-jardin-de-la-menagerie", headers=admin)
    assert fetched.json["name"] == VALID["name"]


def test_siren_is_compacted_and_formatted(client, actors):
    response = client.post("/api/v1/organizations", json={**VALID, "siren": "219 200 714"}, headers=actors.admin())
    assert response.status_code == 201
    assert response.json["siren"] == "219200714"
    assert response.json["siren_formatted"] == "219 200 714"


@pytest.mark.parametrize("field, value, message", [
    ("siren", "219200715", "not a valid SIREN"),  # wrong check digit
    ("siren", "12345", "not a valid SIREN"),
    ("rna", "922004321", "not a valid RNA"),
    ("rna", "W92200432", "not a valid RNA"),
    ("postal_code", "9233", "5 digits"),
])
def test_bad_identifiers_are_refused_by_field(client, actors, field, value, message):
    response = client.post("/api/v1/organizations", json={**VALID, field: value}, headers=actors.admin())
    assert response.status_code == 422
    assert message in response.json["errors"][field][0]


def test_an_organization_needs_a_siren_or_an_rna(client, actors):
    values = {k: v for k, v in VALID.items() if k != "rna"}
    response = client.post("/api/v1/organizations", json=values, headers=actors.admin())
    assert response.status_code == 422
    assert "siren" in response.json["errors"]


def test_duplicate_slug_is_a_conflict_and_writes_nothing(client, actors):
    admin = actors.admin()
    assert client.post("/api/v1/organizations", json={**VALID, "slug": "jardin"}, headers=admin).status_code == 201
    again = client.post("/api/v1/organizations", json={**VALID, "name": "Autre", "slug": "jardin"}, headers=admin)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.json["errors"] == {"slug": ["the slug 'jardin' is taken"]}
    listing = client.get("/api/v1/organizations", headers=admin)
    assert listing.headers["X-Total-Count"] == "1"


def test_patch_changes_only_what_is_given(client, actors):
    admin = actors.admin()
    client.post("/api/v1/organizations", json={**VALID, "slug": "jardin"}, headers=admin)
    response = client.patch("/api/v1/organizations/jardin", json={"signatory_name": "Léa Roux"}, headers=admin)
    assert response.status_code == 200
    assert response.json["signatory_name"] == "Léa Roux"
    assert response.json["rna"] == "W922004321"
    bad = client.patch("/api/v1/organizations/jardin", json={"rna": None}, headers=admin)
    assert bad.status_code == 409  # it would be left without identifier


def test_list_is_paginated(client, actors):
    admin = actors.admin()
    for index in range(5):
        actors.organization(f"asso-{index}")
    page = client.get("/api/v1/organizations?page=2&per_page=2", headers=admin)
    assert page.headers["X-Total-Count"] == "5"
    assert [o["slug"] for o in page.json] == ["asso-2", "asso-3"]


def test_finance_of_another_organization_gets_404(client, actors):
    actors.organization("asso-a")
    actors.organization("asso-b")
    finance_a = actors.user("finance", organization="asso-a")
    assert client.get("/api/v1/organizations/asso-a", headers=finance_a).status_code == 200
    assert client.get("/api/v1/organizations/asso-b", headers=finance_a).status_code == 404
    holder_b = actors.user("holder", organization="asso-b")
    assert client.get("/api/v1/organizations/asso-a", headers=holder_b).status_code == 404


def test_only_admins_create_or_edit(client, actors):
    actors.organization("asso-a")
    finance = actors.user("finance", organization="asso-a")
    assert client.post("/api/v1/organizations", json=VALID, headers=finance).status_code == 403
    assert client.patch("/api/v1/organizations/asso-a", json={"city": "Bourg"}, headers=finance).status_code == 403


def test_partners_company_needs_siren_and_partner_user_sees_only_its_own(client, actors):
    admin = actors.admin()
    no_siren = client.post("/api/v1/partners", json={"name": "Boulangerie", "kind": "company"}, headers=admin)
    assert no_siren.status_code == 422 and "siren" in no_siren.json["errors"]
    created = client.post("/api/v1/partners", json={"name": "La Poste", "kind": "company", "siren": "356000000"},
                          headers=admin)
    assert created.status_code == 201 and created.json["slug"] == "la-poste"
    actors.partner("banque", siren="442306718")
    poste_user = actors.user("partner", partner="la-poste")
    assert client.get("/api/v1/partners/la-poste", headers=poste_user).status_code == 200
    assert client.get("/api/v1/partners/banque", headers=poste_user).status_code == 404
    assert client.get("/api/v1/partners/nowhere", headers=admin).status_code == 404
