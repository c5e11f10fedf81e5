"""Every API error is application/problem+json, names the field, and never a 500 for bad input."""
import pytest


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"]
    return body


def test_malformed_json_is_a_400(client, actors):
    body = problem(client.post("/api/v1/organizations", data="{not json", headers={
        **actors.admin(), "Content-Type": "application/json"}), 400)
    assert "not valid JSON" in body["detail"]


def test_missing_and_mistyped_fields_are_named(client, actors):
    body = problem(client.post("/api/v1/organizations", json={"name": 12, "receipt_regime": "nope"},
                               headers=actors.admin()), 422)
    assert body["type"].endswith("/validation-error")
    assert "Not a valid string." in body["errors"]["name"]
    assert "receipt_regime" in body["errors"]
    for field in ("legal_form", "address_line1", "postal_code", "city", "objet", "signatory_name"):
        assert body["errors"][field] == ["Missing data for required field."]


def test_unknown_route_and_wrong_method(client):
    problem(client.get("/api/v1/nothing-here"), 404)
    problem(client.delete("/api/v1/health"), 405)


def test_body_too_large_is_a_413(app, actors):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    client = app.test_client()
    problem(client.post("/api/v1/organizations", data="x" * 4096, headers={
        **actors.admin(), "Content-Type": "application/json"}), 413)


def test_an_unexpected_failure_is_a_problem_without_internals(base_config):
    from app import create_app

    app = create_app({**base_config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    body = problem(app.test_client().get("/api/v1/boom"), 500)
    assert "secret" not in str(body)


def test_pages_get_a_french_html_error(client):
    response = client.get("/campagnes/inconnue/rien")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page introuvable" in response.text


def test_anonymous_and_wrong_role_are_refused(client, actors):
    problem(client.get("/api/v1/organizations"), 401)
    actors.organization("asso-a")
    problem(client.get("/api/v1/organizations", headers=actors.user("holder", organization="asso-a")), 403)


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=abc"])
def test_bad_pagination_is_named(client, actors, query):
    body = problem(client.get(f"/api/v1/organizations?{query}", headers=actors.admin()), 422)
    assert set(body["errors"]) <= {"page", "per_page"} and body["errors"]
