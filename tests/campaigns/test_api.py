"""Holders and administrators run campaigns through the API; the public reads them."""
import io
from datetime import timedelta

import pytest

from app.extensions import db
from app.types import utcnow
from campaigns import services


def body(**overrides):
    now = utcnow()
    values = {
        "title": "Un potager pour l'école des Blagis", "summary": "Des bacs pour les enfants.",
        "description": "Six **bacs** de culture.", "commune": "Sceaux", "insee_code": "92071",
        "category": "environment", "goal_cents": 500_000, "min_gift_cents": 500,
        "starts_at": (now - timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=30)).isoformat(),
        "funding_model": "all_or_nothing",
        "tiers": [{"title": "Un pot de miel", "min_amount_cents": 2000, "quantity_limit": 50, "fair_value_cents": 500}],
        "stretch_goals": [{"amount_cents": 800_000, "title": "Une serre"}],
    }
    values.update(overrides)
    return values


@pytest.fixture
def holder(actors):
    actors.organization("jardin")
    return actors.user("holder", organization="jardin")


@pytest.fixture
def publish(client, actors):
    """The way a holder's campaign goes live: they submit it, the town approves it."""
    admin = actors.admin()

    def publish(slug, holder):
        assert client.post(f"/api/v1/campaigns/{slug}/submit", headers=holder).status_code == 200
        approved = client.post(f"/api/v1/campaigns/{slug}/approve", headers=admin)
        assert approved.status_code == 200, approved.json
        return approved

    return publish


def test_a_holder_creates_edits_and_submits_a_campaign_the_town_publishes(client, holder, publish):
    created = client.post("/api/v1/campaigns", json=body(), headers=holder)
    assert created.status_code == 201, created.json
    slug = created.json["slug"]
    assert slug == "un-potager-pour-l-ecole-des-blagis"
    assert created.json["status"] == "draft"
    assert created.json["organization"]["slug"] == "jardin"
    assert created.json["description_html"] == "<p>Six <strong>bacs</strong> de culture.</p>"
    assert created.json["tiers"][0]["remaining"] == 50
    tier_id = created.json["tiers"][0]["id"]
    assert client.get(f"/api/v1/campaigns/{slug}").status_code == 404  # a draft is not public yet

    edited = client.patch(f"/api/v1/campaigns/{slug}", headers=holder, json={
        "goal_cents": 600_000,
        "tiers": [{"id": tier_id, "title": "Deux pots de miel", "min_amount_cents": 3000, "quantity_limit": 40},
                  {"title": "Une visite du potager", "min_amount_cents": 10_000}]})
    assert edited.status_code == 200, edited.json
    assert edited.json["goal_cents"] == 600_000
    assert [(t["title"], t["remaining"]) for t in edited.json["tiers"]] == [("Deux pots de miel", 40),
                                                                          ("Une visite du potager", None)]

    published = publish(slug, holder)
    assert published.json["status"] == "published"
    public = client.get(f"/api/v1/campaigns/{slug}")
    assert public.status_code == 200
    assert public.json["totals"]["raised_cents"] == 0
    assert public.json["days_left"] in (29, 30)


def test_after_publication_the_goal_end_date_and_funding_model_are_frozen(client, holder, publish):
    slug = client.post("/api/v1/campaigns", json=body(), headers=holder).json["slug"]
    publish(slug, holder)
    for change in ({"goal_cents": 1_000_000}, {"funding_model": "keep_it_all"},
                   {"ends_at": (utcnow() + timedelta(days=60)).isoformat()}, {"min_gift_cents": 100}):
        response = client.patch(f"/api/v1/campaigns/{slug}", json=change, headers=holder)
        assert response.status_code == 409, change
        assert list(response.json["errors"]) == list(change)
    assert client.patch(f"/api/v1/campaigns/{slug}", json={"summary": "Nouveau résumé"},
                        headers=holder).json["summary"] == "Nouveau résumé"
    assert client.get(f"/api/v1/campaigns/{slug}").json["goal_cents"] == 500_000


def test_a_claimed_tier_cannot_be_removed_or_repriced(app, client, holder, publish):
    slug = client.post("/api/v1/campaigns", json=body(), headers=holder).json["slug"]
    tier = publish(slug, holder).json["tiers"][0]
    with app.app_context():
        services.claim_tier(tier["id"], 2000)
        db.session.commit()
    removed = client.patch(f"/api/v1/campaigns/{slug}", json={"tiers": []}, headers=holder)
    assert removed.status_code == 409
    repriced = client.patch(f"/api/v1/campaigns/{slug}", headers=holder,
                            json={"tiers": [{**{k: tier[k] for k in ("id", "title")}, "min_amount_cents": 1000}]})
    assert repriced.status_code == 409
    more = client.patch(f"/api/v1/campaigns/{slug}", headers=holder,
                        json={"tiers": [{"id": tier["id"], "title": tier["title"], "min_amount_cents": 2000,
                                         "quantity_limit": 80}]})
    assert more.status_code == 200 and more.json["tiers"][0]["remaining"] == 79


@pytest.mark.parametrize("change, field", [
    ({"goal_cents": 0}, "goal_cents"),
    ({"goal_cents": 12.5}, "goal_cents"),
    ({"insee_code": "9207"}, "insee_code"),
    ({"category": "casino"}, "category"),
    ({"ends_at": "2020-01-01T00:00:00"}, "ends_at"),  # no time zone
    ({"tiers": [{"title": "Miel", "min_amount_cents": 1000, "fair_value_cents": 2000}]}, "tiers.0"),
    ({"stretch_goals": [{"amount_cents": 1000, "title": "Moins que l'objectif"}]}, "stretch_goals"),
])
def test_bad_input_is_refused_by_field_and_writes_nothing(client, holder, change, field):
    response = client.post("/api/v1/campaigns", json=body(**change), headers=holder)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert any(key == field or key.startswith(field.split(".")[0]) for key in response.json["errors"])
    assert client.get("/api/v1/campaigns", headers=holder).headers["X-Total-Count"] == "0"


def test_a_holder_of_another_organization_gets_404(client, actors, holder):
    slug = client.post("/api/v1/campaigns", json=body(), headers=holder).json["slug"]
    actors.organization("epicerie")
    other = actors.user("holder", organization="epicerie")
    assert client.get(f"/api/v1/campaigns/{slug}", headers=other).status_code == 404
    assert client.patch(f"/api/v1/campaigns/{slug}", json={"summary": "x"}, headers=other).status_code == 404
    assert client.post(f"/api/v1/campaigns/{slug}/publish", headers=other).status_code == 404
    assert client.post(f"/api/v1/campaigns/{slug}/submit", headers=other).status_code == 404
    assert client.post(f"/api/v1/campaigns/{slug}/cancel", headers=other).status_code == 404
    assert client.post(f"/api/v1/campaigns/{slug}/news", json={"title": "Bonjour", "body": "x"},
                       headers=other).status_code == 404
    assert client.post("/api/v1/campaigns", json=body(organization="jardin"), headers=other).status_code == 404
    finance = actors.user("finance", organization="jardin")
    assert client.patch(f"/api/v1/campaigns/{slug}", json={"summary": "x"}, headers=finance).status_code == 403
    assert client.post("/api/v1/campaigns", json=body()).status_code == 401
    assert client.get(f"/api/v1/campaigns/{slug}", headers=holder).status_code == 200


def test_an_admin_names_the_organization(client, actors):
    actors.organization("jardin")
    admin = actors.admin()
    missing = client.post("/api/v1/campaigns", json=body(), headers=admin)
    assert missing.status_code == 422 and "organization" in missing.json["errors"]
    created = client.post("/api/v1/campaigns", json=body(organization="jardin"), headers=admin)
    assert created.status_code == 201 and created.json["organization"]["slug"] == "jardin"


def test_cancel_follows_the_lifecycle(client, app, holder, publish):
    slug = client.post("/api/v1/campaigns", json=body(), headers=holder).json["slug"]
    publish(slug, holder)
    with app.app_context():
        services.add_contribution(services.get_campaign(slug).id, "online", 1000, donation_id=1)
        db.session.commit()
    refused = client.post(f"/api/v1/campaigns/{slug}/cancel", headers=holder)
    assert refused.status_code == 409 and "raised money" in refused.json["detail"]
    other = client.post("/api/v1/campaigns", json=body(title="Autre projet"), headers=holder).json["slug"]
    assert client.post(f"/api/v1/campaigns/{other}/cancel", headers=holder).json["status"] == "cancelled"
    again = client.post(f"/api/v1/campaigns/{other}/submit", headers=holder)
    assert again.status_code == 409
    assert again.json["type"].endswith("invalid-transition")
    assert client.patch(f"/api/v1/campaigns/{other}", json={"summary": "x"}, headers=holder).status_code == 409


def test_list_filters_and_pagination(client, build):
    build.campaign(title="Potager des Blagis", category="environment", commune="Sceaux", insee_code="92071")
    build.campaign(title="Bibliothèque de rue", category="culture", commune="Sceaux", insee_code="92071")
    build.campaign(title="Ruches du parc", category="environment", commune="Bourg-la-Reine", insee_code="92014")
    build.campaign(title="Potager en brouillon", category="environment", publish=False)
    everything = client.get("/api/v1/campaigns")
    assert everything.headers["X-Total-Count"] == "3"  # the draft is not public
    titles = lambda response: sorted(c["title"] for c in response.json)  # noqa: E731
    assert titles(client.get("/api/v1/campaigns?category=environment")) == ["Potager des Blagis", "Ruches du parc"]
    assert titles(client.get("/api/v1/campaigns?territory=92014")) == ["Ruches du parc"]
    assert titles(client.get("/api/v1/campaigns?territory=sceaux")) == ["Bibliothèque de rue", "Potager des Blagis"]
    assert titles(client.get("/api/v1/campaigns?q=POTAGER")) == ["Potager des Blagis"]
    assert titles(client.get("/api/v1/campaigns?q=%25")) == []
    assert client.get("/api/v1/campaigns?status=draft").headers["X-Total-Count"] == "0"
    page = client.get("/api/v1/campaigns?per_page=2&page=2")
    assert page.headers["X-Total-Count"] == "3" and len(page.json) == 1
    assert client.get("/api/v1/campaigns?status=unknown").status_code == 422
    assert client.get("/api/v1/campaigns?per_page=500").status_code == 422


def test_detail_shows_totals_by_source_partners_and_pledges(app, client, actors, build):
    campaign_id = build.campaign(slug="potager", goal_cents=100_000)
    build.partner_id("la-poste")
    build.partner_id("ville", kind="public_body")
    admin = actors.admin()
    pledge = client.post("/api/v1/campaigns/potager/pledges", headers=admin, json={
        "partner": "la-poste", "total_cap_cents": 20_000, "per_gift_cap_cents": 5000})
    assert pledge.status_code == 201, pledge.json
    grant = client.post("/api/v1/campaigns/potager/grants", headers=admin,
                        json={"partner": "ville", "amount_cents": 15_000, "reference": "deliberation-2026-42"})
    assert grant.status_code == 201
    assert client.post("/api/v1/campaigns/potager/grants", headers=admin, json={
        "partner": "ville", "amount_cents": 15_000, "reference": "deliberation-2026-42"}).json["id"] == grant.json["id"]
    with app.app_context():
        services.add_contribution(campaign_id, "online", 8000, donor_key="a", donation_id=1)
        services.match_gift(campaign_id, 1, 8000, donor_key="a")
        services.add_contribution(campaign_id, "offline", 2000, donor_key="b", donation_id=2)
        db.session.commit()
    detail = client.get("/api/v1/campaigns/potager").json
    assert detail["totals"]["by_source"] == {"online": 8000, "offline": 2000, "company": 0, "roundup": 0,
                                             "match": 5000, "grant": 15_000}
    assert detail["totals"]["raised_cents"] == 30_000
    assert detail["percent"] == 30 and detail["donor_count"] == 2
    assert {p["partner"]["slug"]: (p["matched_cents"], p["granted_cents"]) for p in detail["partners"]} == {
        "la-poste": (5000, 0), "ville": (0, 15_000)}
    assert detail["pledges"][0]["remaining_cents"] == 15_000
    listed = client.get("/api/v1/campaigns/potager/pledges", headers=admin)
    assert listed.status_code == 200 and listed.json[0]["matched_cents"] == 5000
    assert client.get("/api/v1/campaigns/potager/pledges", headers=actors.user("partner", partner="la-poste")).status_code == 403



def _png(size=(8, 4)):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 110, 79)).save(buffer, "PNG")
    return buffer.getvalue()


def test_cover_upload_checks_content_and_size(app, client, holder, publish):
    slug = client.post("/api/v1/campaigns", json=body(), headers=holder).json["slug"]
    upload = lambda data, name="cover.png": client.put(  # noqa: E731
        f"/api/v1/campaigns/{slug}/cover", headers=holder, content_type="multipart/form-data",
        data={"cover": (io.BytesIO(data), name)})
    assert upload(b"<svg onload=alert(1)>", "cover.png").status_code == 422
    assert upload(b"GIF89a" + b"\0" * 20, "cover.gif").status_code == 422
    assert upload(_png()[:30]).status_code == 422  # truncated
    app.config["CAMPAIGN_COVER_MAX_BYTES"] = 200
    too_big = upload(_png((400, 400)) + b"\0" * 300)
    assert too_big.status_code == 422 and "larger" in too_big.json["detail"]
    app.config["CAMPAIGN_COVER_MAX_BYTES"] = 2 * 1024 * 1024
    ok = upload(_png(), "photo.txt")
    assert ok.status_code == 200 and ok.json["cover_url"] == f"/campagnes/{slug}/couverture"
    publish(slug, holder)
    image = client.get(f"/campagnes/{slug}/couverture")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == _png()
    assert client.get(f"/campagnes/{slug}/couverture", headers={"If-None-Match": image.headers["ETag"]}).status_code == 304


def test_news_by_the_holder_are_public_and_sanitised(client, holder, publish):
    slug = client.post("/api/v1/campaigns", json=body(), headers=holder).json["slug"]
    publish(slug, holder)
    news = client.post(f"/api/v1/campaigns/{slug}/news", headers=holder, json={
        "title": "Les bacs sont posés", "body": "Merci ! <script>alert(1)</script>"})
    assert news.status_code == 201
    listed = client.get(f"/api/v1/campaigns/{slug}/news").json
    assert listed[0]["title"] == "Les bacs sont posés"
    assert "<script" not in listed[0]["body_html"] and "Merci" in listed[0]["body_html"]
    assert "Les bacs sont posés" in client.get(f"/campagnes/{slug}").get_data(as_text=True)


def test_an_admin_pauses_a_pledge(app, client, actors, build):
    campaign_id = build.campaign(slug="potager")
    build.partner_id("la-poste")
    admin = actors.admin()
    pledge = client.post("/api/v1/campaigns/potager/pledges", headers=admin,
                         json={"partner": "la-poste", "total_cap_cents": 10_000}).json
    paused = client.patch(f"/api/v1/campaigns/potager/pledges/{pledge['id']}", json={"active": False}, headers=admin)
    assert paused.status_code == 200 and paused.json["active"] is False
    with app.app_context():
        services.add_contribution(campaign_id, "online", 1000, donation_id=1)
        assert services.match_gift(campaign_id, 1, 1000) == []
    assert client.patch("/api/v1/campaigns/potager/pledges/999", json={"active": True}, headers=admin).status_code == 404
    assert client.post("/api/v1/campaigns/potager/pledges", headers=admin,
                       json={"partner": "nobody", "total_cap_cents": 10_000}).status_code == 404
