"""The town reviews campaigns: a holder submits a draft, an administrator approves it or sends it back
with a reason the holder reads (and is emailed); a holder can no longer publish by themselves."""
import email
from email import policy
from pathlib import Path

import pytest

from tests.campaigns.test_api import body


def new_mail(app, before):
    paths = sorted(path for path in Path(app.config["OUTBOX_DIR"]).glob("*.eml") if path not in before)
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]


def text_of(message):
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def holder(actors):
    actors.organization("jardin")
    return actors.user("holder", organization="jardin")


@pytest.fixture
def draft(client, holder):
    created = client.post("/api/v1/campaigns", json=body(), headers=holder)
    assert created.status_code == 201
    return created.json["slug"]


def outbox_now(app):
    return set(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def test_submit_then_return_with_a_reason_then_approve(app, client, actors, holder, draft):
    admin = actors.admin()
    refused = client.post(f"/api/v1/campaigns/{draft}/publish", headers=holder)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert refused.json["type"].endswith("review-required") and "submit" in refused.json["detail"]
    assert client.post(f"/api/v1/campaigns/{draft}/approve", headers=admin).status_code == 409  # not submitted

    submitted = client.post(f"/api/v1/campaigns/{draft}/submit", headers=holder)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert submitted.json["submitted_at"]
    assert client.get(f"/api/v1/campaigns/{draft}").status_code == 404  # not public while under review
    assert client.get(f"/campagnes/{draft}").status_code == 404
    assert client.get("/api/v1/campaigns?status=submitted").headers["X-Total-Count"] == "0"
    assert client.patch(f"/api/v1/campaigns/{draft}", json={"summary": "x"}, headers=holder).status_code == 409
    assert client.post(f"/api/v1/campaigns/{draft}/submit", headers=holder).status_code == 409
    assert client.post(f"/api/v1/campaigns/{draft}/approve", headers=holder).status_code == 403
    assert client.post(f"/api/v1/campaigns/{draft}/return", json={"reason": "x"}, headers=holder).status_code == 403

    no_reason = client.post(f"/api/v1/campaigns/{draft}/return", json={"reason": ""}, headers=admin)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    blank = client.post(f"/api/v1/campaigns/{draft}/return", json={"reason": "   "}, headers=admin)
    assert blank.status_code == 422 and "reason" in blank.json["errors"]
    before = outbox_now(app)
    returned = client.post(f"/api/v1/campaigns/{draft}/return", headers=admin,
                           json={"reason": "Précisez le calendrier des travaux."})
    assert returned.status_code == 200, returned.json
    assert returned.json["status"] == "draft"
    assert returned.json["return_reason"] == "Précisez le calendrier des travaux."
    [mail] = new_mail(app, before)
    assert mail["To"].startswith("holder") and "renvoyée" in mail["Subject"]
    assert "Précisez le calendrier des travaux." in text_of(mail)
    assert f"/gestion/campagnes/{draft}" in text_of(mail)

    assert client.patch(f"/api/v1/campaigns/{draft}", json={"summary": "Calendrier : avril."},
                        headers=holder).status_code == 200
    assert client.post(f"/api/v1/campaigns/{draft}/submit", headers=holder).status_code == 200
    before = outbox_now(app)
    approved = client.post(f"/api/v1/campaigns/{draft}/approve", headers=admin)
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "published"
    assert approved.json["published_at"] and approved.json["return_reason"] is None
    [mail] = new_mail(app, before)
    assert "publiée" in mail["Subject"] and f"/campagnes/{draft}" in text_of(mail)
    assert client.get(f"/api/v1/campaigns/{draft}").status_code == 200
    assert client.post(f"/api/v1/campaigns/{draft}/return", json={"reason": "Trop tard"},
                       headers=admin).status_code == 409

    with app.app_context():
        from app.audit import recent_actions

        rows, _ = recent_actions(action_prefix="campaign.")
        assert [row.action for row in rows] == ["campaign.approve", "campaign.submit", "campaign.return",
                                                "campaign.submit"]


def test_a_draft_needs_a_description_to_be_submitted(client, holder):
    slug = client.post("/api/v1/campaigns", json=body(description=""), headers=holder).json["slug"]
    refused = client.post(f"/api/v1/campaigns/{slug}/submit", headers=holder)
    assert refused.status_code == 422 and "description" in refused.json["errors"]


def test_an_administrator_may_still_publish_a_draft_directly(client, actors, draft):
    published = client.post(f"/api/v1/campaigns/{draft}/publish", headers=actors.admin())
    assert published.status_code == 200 and published.json["status"] == "published"


def test_review_of_another_organization_is_404_and_other_roles_403(client, actors, draft):
    actors.organization("epicerie")
    other = actors.user("holder", organization="epicerie")
    assert client.post(f"/api/v1/campaigns/{draft}/submit", headers=other).status_code == 404
    finance = actors.user("finance", organization="jardin")
    assert client.post(f"/api/v1/campaigns/{draft}/submit", headers=finance).status_code == 403
    assert client.post(f"/api/v1/campaigns/{draft}/submit").status_code == 401
    assert client.post("/api/v1/campaigns/nope/approve", headers=actors.admin()).status_code == 404


def test_the_openapi_document_describes_the_review(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for action in ("submit", "approve", "return"):
        operation = paths[f"/api/v1/campaigns/{{slug}}/{action}"]["post"]
        assert "default" in operation["responses"]
    publish = paths["/api/v1/campaigns/{slug}/publish"]["post"]
    assert "review-required" in publish.get("summary", "") + publish.get("description", "")
