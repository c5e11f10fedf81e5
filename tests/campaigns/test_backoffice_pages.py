"""The holders' and the town's campaign pages under /gestion/campagnes: write a draft with its tiers,
preview its Markdown, submit it; the administrator sends it back with a reason, then publishes it;
news are posted, corrected and deleted. Every page: sign-in first, 404 for another organization."""
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from tests.support import csrf_from, sign_in_as_latest


@pytest.fixture
def jardin(actors):
    actors.organization("jardin")
    actors.user("holder", organization="jardin")
    return "jardin"


def draft_form(csrf, **overrides):
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    data = {
        "csrf_token": csrf, "title": "Un potager pour l'école des Blagis", "summary": "Des bacs pour les enfants.",
        "description": "Six **bacs** de culture.", "commune": "Sceaux", "insee_code": "92071",
        "category": "environment", "goal": "5 000", "min_gift": "5", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(), "funding_model": "keep_it_all",
        "tiers-0-id": "", "tiers-0-title": "Un pot de miel", "tiers-0-description": "Du rucher de l'école",
        "tiers-0-min_amount": "20", "tiers-0-quantity_limit": "50", "tiers-0-fair_value": "5",
        "tiers-1-id": "", "tiers-1-title": "", "tiers-1-min_amount": "", "tiers-1-quantity_limit": "",
        "tiers-1-fair_value": "",
        "stretch_goals-0-title": "", "stretch_goals-0-amount": "", "stretch_goals-0-description": "",
    }
    data.update(overrides)
    return data


def create_draft(client, **overrides):
    page = client.get("/gestion/campagnes/nouvelle")
    assert page.status_code == 200
    return client.post("/gestion/campagnes/nouvelle", data=draft_form(csrf_from(page.text), **overrides))


def test_a_holder_writes_a_draft_the_town_returns_it_then_publishes_it(app, client, actors, jardin):
    sign_in_as_latest(client, app, "holder")
    refused = create_draft(client, goal="cinq mille", **{"tiers-0-fair_value": "30"})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text and "Un montant en euros" in refused.text
    assert 'value="Un pot de miel"' in refused.text  # what was typed is kept

    created = create_draft(client)
    assert created.status_code == 302, created.text
    slug = "un-potager-pour-l-ecole-des-blagis"
    assert created.headers["Location"] == f"/gestion/campagnes/{slug}"
    follow = client.get(created.headers["Location"])
    assert "Le brouillon est enregistré" in follow.text and "Brouillon" in follow.text
    assert "Un pot de miel" in follow.text and "50" in follow.text

    edit = client.get(f"/gestion/campagnes/{slug}/modifier")
    assert 'value="5000"' in edit.text and "<strong>bacs</strong>" in edit.text  # the preview, server-side
    csrf = csrf_from(edit.text)
    preview = client.post("/gestion/campagnes/apercu", json={"text": "**Miel** <script>x</script>"},
                          headers={"X-CSRFToken": csrf})
    assert preview.json["html"] == "<p><strong>Miel</strong> </p>" or "<script" not in preview.json["html"]
    assert "<strong>Miel</strong>" in preview.json["html"]
    assert client.post("/gestion/campagnes/apercu", json={"text": "x"}).status_code == 400  # no CSRF token

    tier_id = edit.text.split('name="tiers-0-id" type="hidden" value="')[1].split('"')[0]
    saved = client.post(f"/gestion/campagnes/{slug}/modifier", data=draft_form(
        csrf, **{"tiers-0-id": tier_id, "tiers-0-title": "Deux pots de miel", "tiers-1-title": "Une visite",
                 "tiers-1-min_amount": "100", "stretch_goals-0-title": "Une serre",
                 "stretch_goals-0-amount": "8 000"}))
    assert saved.status_code == 302, saved.text
    follow = client.get(f"/gestion/campagnes/{slug}").text
    assert "Deux pots de miel" in follow and "Une visite" in follow

    submitted = client.post(f"/gestion/campagnes/{slug}/soumettre", data={"csrf_token": csrf, "confirm": "1"},
                            follow_redirects=True)
    assert "La campagne est soumise à la Ville" in submitted.text and "En examen par la Ville" in submitted.text
    assert client.get(f"/gestion/campagnes/{slug}/modifier", follow_redirects=True).text.count("Cette campagne ne se modifie plus") == 1

    actors.admin()
    sign_in_as_latest(client, app, "admin")
    queue = client.get("/gestion/campagnes/examen")
    assert f'href="/gestion/campagnes/{slug}"' in queue.text
    assert "1 campagne attend votre examen" in client.get("/gestion").text
    review = client.get(f"/gestion/campagnes/{slug}")
    csrf = csrf_from(review.text)
    empty = client.post(f"/gestion/campagnes/{slug}/renvoyer", data={"csrf_token": csrf, "reason": "", "confirm": "1"})
    assert empty.status_code == 400 and "Dites au porteur ce qu'il doit changer." in unescape(empty.text)
    unconfirmed = client.post(f"/gestion/campagnes/{slug}/renvoyer", data={"csrf_token": csrf, "reason": "Non"})
    assert unconfirmed.status_code == 400  # the form comes back, nothing sent
    returned = client.post(f"/gestion/campagnes/{slug}/renvoyer", follow_redirects=True, data={
        "csrf_token": csrf, "reason": "Précisez le calendrier des travaux.", "confirm": "1"})
    assert "est renvoyée à ses porteurs" in returned.text

    sign_in_as_latest(client, app, "holder")
    follow = client.get(f"/gestion/campagnes/{slug}").text
    assert "La Ville vous a renvoyé cette campagne" in follow and "Précisez le calendrier des travaux." in follow
    csrf = csrf_from(follow)
    assert client.post(f"/gestion/campagnes/{slug}/publier", data={"csrf_token": csrf, "confirm": "1"}).status_code == 404
    client.post(f"/gestion/campagnes/{slug}/soumettre", data={"csrf_token": csrf, "confirm": "1"})

    sign_in_as_latest(client, app, "admin")
    again = client.get(f"/gestion/campagnes/{slug}").text
    assert "Déjà renvoyée" in again and "Précisez le calendrier des travaux." in again  # the town's last word
    csrf = csrf_from(again)
    approved = client.post(f"/gestion/campagnes/{slug}/approuver", data={"csrf_token": csrf, "confirm": "1"},
                           follow_redirects=True)
    assert "est publiée" in approved.text
    assert client.get(f"/campagnes/{slug}").status_code == 200


def test_news_are_posted_corrected_and_deleted_with_confirmation(app, client, build, actors, jardin):
    build.campaign(organization="jardin", slug="potager")
    sign_in_as_latest(client, app, "holder")
    page = client.get("/gestion/campagnes/potager/actualites")
    csrf = csrf_from(page.text)
    short = client.post("/gestion/campagnes/potager/actualites", data={"csrf_token": csrf, "title": "x", "body": ""})
    assert short.status_code == 400 and short.text.count('aria-invalid="true"') == 2
    posted = client.post("/gestion/campagnes/potager/actualites", follow_redirects=True,
                         data={"csrf_token": csrf, "title": "Les bacs sont posés", "body": "Merci **à tous**"})
    assert "L'actualité est publiée" in unescape(posted.text)
    news_id = posted.text.split("/gestion/campagnes/potager/actualites/")[1].split('"')[0]
    corrected = client.post(f"/gestion/campagnes/potager/actualites/{news_id}", follow_redirects=True,
                            data={"csrf_token": csrf, "title": "Les bacs sont installés", "body": "Merci !"})
    assert "L'actualité est corrigée" in unescape(corrected.text)
    assert "Les bacs sont installés" in client.get("/campagnes/potager").text
    client.post(f"/gestion/campagnes/potager/actualites/{news_id}/supprimer", data={"csrf_token": csrf})
    assert "Les bacs sont installés" in client.get("/gestion/campagnes/potager/actualites").text  # not confirmed
    client.post(f"/gestion/campagnes/potager/actualites/{news_id}/supprimer", data={"csrf_token": csrf, "confirm": "1"})
    assert "Les bacs sont installés" not in client.get("/campagnes/potager").text


URLS = ["/gestion/campagnes/{slug}", "/gestion/campagnes/{slug}/modifier", "/gestion/campagnes/{slug}/actualites",
        "/gestion/campagnes/{slug}/actualites/{news}"]
POSTS = ["/gestion/campagnes/{slug}/soumettre", "/gestion/campagnes/{slug}/couverture",
         "/gestion/campagnes/{slug}/actualites/{news}/supprimer", "/gestion/campagnes/{slug}/modifier"]
ADMIN_ONLY = ["/gestion/campagnes/examen"]
ADMIN_POSTS = ["/gestion/campagnes/{slug}/approuver", "/gestion/campagnes/{slug}/renvoyer",
               "/gestion/campagnes/{slug}/publier"]


def test_every_page_asks_to_sign_in_and_is_404_for_another_organization(app, client, build, actors, jardin):
    from app.extensions import db
    from campaigns import services

    build.campaign(organization="jardin", slug="potager", publish=False)
    with app.app_context():
        news = services.add_news(services.get_campaign("potager"), "Bonjour", "Texte").id
        db.session.commit()
    fill = lambda url: url.format(slug="potager", news=news)
    for url in URLS + ADMIN_ONLY + ["/gestion/campagnes", "/gestion/campagnes/nouvelle"]:
        response = client.get(fill(url))
        assert response.status_code == 302 and response.headers["Location"].startswith("/connexion?next="), url
    for url in POSTS + ADMIN_POSTS + ["/gestion/campagnes/apercu"]:
        assert client.post(fill(url)).status_code == 302, url

    actors.organization("epicerie")
    actors.user("holder", organization="epicerie")
    sign_in_as_latest(client, app, "holder")  # the latest holder: epicerie's
    csrf = csrf_from(client.get("/gestion/campagnes").text)
    assert "potager" not in client.get("/gestion/campagnes").text
    for url in URLS + ADMIN_ONLY:
        assert client.get(fill(url)).status_code == 404, url
    for url in POSTS + ADMIN_POSTS:
        assert client.post(fill(url), data={"csrf_token": csrf, "confirm": "1"}).status_code == 404, url

    actors.user("finance", organization="jardin")
    sign_in_as_latest(client, app, "finance")
    for url in URLS + ["/gestion/campagnes"]:
        assert client.get(fill(url)).status_code == 404, url


def test_a_published_campaign_keeps_what_donors_relied_on_when_its_texts_change(app, client, build, jardin):
    from campaigns import services

    build.campaign(organization="jardin", slug="potager", goal_cents=500_000)
    sign_in_as_latest(client, app, "holder")
    page = client.get("/gestion/campagnes/potager/modifier")
    assert page.status_code == 200 and 'name="goal" readonly' in page.text.replace('readonly=""', "readonly")
    saved = client.post("/gestion/campagnes/potager/modifier", data=draft_form(
        csrf_from(page.text), title="Le potager des Blagis", summary="Nouveau résumé", goal="9 000"))
    assert saved.status_code == 302, saved.text
    with app.app_context():
        campaign = services.get_campaign("potager")
        assert (campaign.title, campaign.summary, campaign.goal_cents) == ("Le potager des Blagis", "Nouveau résumé",
                                                                          500_000)
