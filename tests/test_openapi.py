"""The OpenAPI document is valid OpenAPI 3.0.3, and says what the API really does: numeric bounds are
numbers, errors are problem+json, and every operation states who may call it."""
from openapi_spec_validator import validate


def walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}/{index}")


def test_the_document_validates_and_states_errors_and_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for where, node in walk(spec):
        for bound in ("minimum", "maximum"):
            if bound in node and where.split("/")[-1] != "properties":
                assert isinstance(node[bound], (int, float)), f"{where}/{bound} = {node[bound]!r}"
    assert spec["security"] == [{"bearer": []}]
    assert spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/problem+json"]
    public = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], f"{method.upper()} {path} documents no error"
            if operation.get("security") is not None and {} in operation["security"] or operation.get("security") == []:
                public.add(f"{method.upper()} {path}")
    assert {"GET /api/v1/campaigns", "POST /api/v1/campaigns/{slug}/donations", "POST /api/v1/stripe/webhook",
            "GET /api/v1/tax-reduction"} <= public
    assert "POST /api/v1/campaigns" not in public


def test_nullable_fields_are_marked_nullable(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["OrganizationOut"]["properties"]["siren"].get("nullable") is True
    assert schemas["CampaignOut"]["properties"]["published_at"].get("nullable") is True
    assert schemas["DonationOut"]["properties"]["paid_on"].get("nullable") is True
