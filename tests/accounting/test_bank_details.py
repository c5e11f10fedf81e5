"""Organizations' bank details: the IBAN checked and kept compact, shown grouped by four; who may set them."""
import pytest

from app.audit import AdminAction
from app.extensions import db
from campaigns.models import Organization

IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN_COMPACT = "FR7630006000011234567890189"


def test_admin_creates_an_organization_with_its_bank_details(client, actors):
    from tests.test_organizations import VALID

    response = client.post("/api/v1/organizations", headers=actors.admin(), json={
        **VALID, "bank_iban": IBAN.lower(), "bank_bic": "agri fr pp 882", "bank_account_holder": "Les Amis du Jardin"})
    assert response.status_code == 201, response.json
    assert response.json["bank_iban"] == IBAN_COMPACT
    assert response.json["bank_iban_formatted"] == IBAN
    assert response.json["bank_bic"] == "AGRIFRPP882"
    assert response.json["bank_account_holder"] == "Les Amis du Jardin"


@pytest.mark.parametrize("body, field, message", [
    ({"iban": "FR76 3000 6000 0112 3456 7890 188", "account_holder": "Asso"}, "iban", "not a valid IBAN"),
    ({"iban": "FR76 3000", "account_holder": "Asso"}, "iban", "not a valid IBAN"),
    ({"iban": IBAN, "bic": "AGRIFRPP8", "account_holder": "Asso"}, "bic", "not a valid BIC"),
    ({"iban": IBAN, "account_holder": "x" * 71}, "account_holder", "between 2 and 70"),
    ({"iban": IBAN}, "account_holder", "Missing data"),
])
def test_bad_bank_details_are_refused_by_field_and_nothing_changes(client, actors, app, body, field, message):
    actors.organization("jardin")
    finance = actors.user("finance", organization="jardin")
    response = client.put("/api/v1/organizations/jardin/bank-details", json=body, headers=finance)
    assert response.status_code == 422
    assert message in response.json["errors"][field][0]
    with app.app_context():
        assert db.session.scalar(db.select(Organization.bank_iban).where(Organization.slug == "jardin")) is None


def test_the_finance_officer_sets_its_own_bank_details_and_the_change_is_logged(client, actors, app):
    actors.organization("jardin")
    finance = actors.user("finance", organization="jardin")
    response = client.put("/api/v1/organizations/jardin/bank-details", headers=finance,
                          json={"iban": IBAN, "bic": "", "account_holder": "  Les Amis   du Jardin "})
    assert response.status_code == 200, response.json
    assert (response.json["bank_iban"], response.json["bank_bic"]) == (IBAN_COMPACT, None)
    assert response.json["bank_account_holder"] == "Les Amis du Jardin"
    with app.app_context():
        action = db.session.scalar(db.select(AdminAction).where(AdminAction.action == "organization.bank_details"))
        assert action.subject == "organization:jardin" and IBAN in action.detail


def test_nobody_else_reaches_an_organizations_bank_details(client, actors):
    actors.organization("jardin")
    actors.organization("voisine")
    body = {"iban": IBAN, "account_holder": "Autre"}
    assert client.put("/api/v1/organizations/jardin/bank-details", json=body).status_code == 401
    other_finance = actors.user("finance", organization="voisine")
    assert client.put("/api/v1/organizations/jardin/bank-details", json=body, headers=other_finance).status_code == 404
    holder = actors.user("holder", organization="jardin")
    assert client.put("/api/v1/organizations/jardin/bank-details", json=body, headers=holder).status_code == 403
    admin = actors.admin()
    assert client.get("/api/v1/organizations/jardin", headers=admin).json["bank_iban"] is None


def test_an_iban_without_its_holder_is_refused_by_patch(client, actors):
    actors.organization("jardin")
    response = client.patch("/api/v1/organizations/jardin", json={"bank_iban": IBAN}, headers=actors.admin())
    assert response.status_code == 422
    assert "bank_account_holder" in response.json["errors"]
