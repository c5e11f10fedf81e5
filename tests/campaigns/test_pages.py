"""What a visitor sees on the territory's pages, and what a holder does on the news page."""
import html
import re
from datetime import timedelta

from sqlalchemy import event, insert, update

from app.auth.access import session_values
from app.extensions import db
from app.types import utcnow
from campaigns import services
from campaigns.models import Campaign, Contribution, ContributionSource, WallEntry


def text_of(response):
    """The page's text as a reader sees it: entities decoded, any run of spaces as one."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(without_tags)).replace(" )", ")")


def test_home_lists_live_campaigns_with_filters(client, build):
    build.campaign(title="Potager des Blagis", category="environment", commune="Sceaux", insee_code="92071",
                   summary="Des bacs pour les enfants.")
    build.campaign(title="Fresque du marché", category="culture", commune="Bourg-la-Reine", insee_code="92014")
    build.campaign(title="Brouillon secret", publish=False)
    page = text_of(client.get("/"))
    assert "Potager des Blagis" in page and "Fresque du marché" in page and "Brouillon secret" not in page
    assert "2 campagnes en cours" in page
    assert "0,00 € collectés sur 5 000,00 €" in page
    culture = text_of(client.get("/?categorie=culture"))
    assert "Fresque du marché" in culture and "Potager des Blagis" not in culture
    bourg = text_of(client.get("/?commune=Bourg-la-Reine"))
    assert "Fresque du marché" in bourg and "Potager des Blagis" not in bourg
    assert "Aucune campagne" in text_of(client.get("/?commune=Antony"))
    assert client.get("/?categorie=nimporte&page=abc").status_code == 200


def test_home_is_paginated(client, build):
    for index in range(14):
        build.campaign(title=f"Projet numéro {index:02d}", ends_at=utcnow() + timedelta(days=10 + index))
    first, second = text_of(client.get("/")), text_of(client.get("/?page=2"))
    assert "Projet numéro 00" in first and "Projet numéro 12" not in first and "Page 1 sur 2" in first
    assert "Projet numéro 12" in second and "Projet numéro 13" in second


def test_campaign_page_shows_progress_tiers_partners_and_days_left(app, client, build):
    campaign_id = build.campaign(
        slug="potager", goal_cents=100_000, ends_at=utcnow() + timedelta(days=12, hours=1),
        tiers=[{"title": "Pot de miel", "min_amount_cents": 2000, "quantity_limit": 3},
               {"title": "Merci", "min_amount_cents": 500}],
        stretch_goals=[{"amount_cents": 150_000, "title": "Une serre"}])
    poste = build.partner_id("la-poste")
    build.pledge(campaign_id, poste, total_cap_cents=20_000)
    ville = build.partner_id("ville-de-sceaux", kind="public_body")
    with app.app_context():
        campaign = services.get_campaign_by_id(campaign_id)
        services.add_contribution(campaign_id, "online", 10_000, donor_key="a", donation_id=1)
        services.match_gift(campaign_id, 1, 10_000, donor_key="a")
        services.record_grant(campaign, ville, 5000)
        for _ in range(3):
            services.claim_tier(campaign.tiers[0].id, 2000)
        db.session.commit()
    response = client.get("/campagnes/potager")
    page = text_of(response)
    assert "250,00 € collectés sur un objectif de 1 000,00 € (25 %)" in page
    assert "dont 150,00 € apportés par les partenaires" in page
    assert 'aria-valuenow="25"' in response.get_data(as_text=True)
    assert "Jours restants 12" in page
    assert "Pot de miel" in page and "Épuisée" in page and "Quantité illimitée" in page
    assert "Partenaire la-poste" in page and "Abonde 1 € pour 1 €" in page and "100,00 € d'abondement" in page
    assert "Partenaire ville-de-sceaux" in page and "50,00 € de soutien direct" in page
    assert "Une serre" in page


def test_draft_pages_are_only_for_their_organization(app, client, actors, build):
    build.campaign(slug="brouillon", publish=False, organization=actors.organization("jardin"))
    assert client.get("/campagnes/brouillon").status_code == 404
    assert client.get("/campagnes/nulle-part").status_code == 404
    assert "Page introuvable" in client.get("/campagnes/nulle-part").get_data(as_text=True)


def _sign_in(app, client, actors, role, organization):
    actors.user(role, organization=organization, password="mot de passe du test")
    from app.auth.models import User

    with app.app_context():
        user = db.session.scalars(db.select(User).order_by(User.id.desc())).first()
        with client.session_transaction() as session:
            session.update(session_values(user.id))


def test_the_old_news_page_leads_to_the_back_office(app, client, actors, build):
    """News are written in /gestion/campagnes/<slug>/actualites (tests/campaigns/test_backoffice_pages.py)."""
    build.campaign(slug="potager", organization=actors.organization("jardin"))
    moved = client.get("/campagnes/potager/actualites")
    assert moved.status_code == 301 and moved.headers["Location"] == "/gestion/campagnes/potager/actualites"
    assert client.get(moved.headers["Location"]).status_code == 302  # sign in first
    _sign_in(app, client, actors, "holder", "jardin")
    assert 'href="/gestion/campagnes/potager">Gérer la campagne</a>' in client.get("/campagnes/potager").text


def count_statements(app, client, path):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    app.extensions.pop("campaigns.page_cache", None)  # the statements of a rendering, not of a cached copy
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements), response


def test_a_campaign_page_costs_the_same_queries_with_100000_gifts_as_with_one(app, client, build):
    campaign_id = build.campaign(slug="potager", goal_cents=100_000_000,
                                 tiers=[{"title": "Merci", "min_amount_cents": 500}])
    build.pledge(campaign_id, build.partner_id("la-poste"), total_cap_cents=10_000_000)
    with app.app_context():
        services.add_contribution(campaign_id, "online", 1000, donor_key="d0", donation_id=1)
        services.match_gift(campaign_id, 1, 1000, donor_key="d0")
        services.add_wall_entry(campaign_id, 1, "Camille", "Bravo")
        db.session.commit()
    client.get("/campagnes/potager")  # warm-up: first-request work is not the page's
    with_one, _ = count_statements(app, client, "/campagnes/potager")

    count = 100_000
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(Contribution.__table__), [
            {"campaign_id": campaign_id, "source": ContributionSource.online.value, "amount_cents": 1000,
             "reversed_cents": 0, "donation_id": 10 + i, "donor_key": f"d{i + 1}", "created_at": now}
            for i in range(count)])
        db.session.execute(insert(WallEntry.__table__), [
            {"campaign_id": campaign_id, "donation_id": 10 + i, "display_name": f"Donateur {i}", "message": "",
             "created_at": now} for i in range(count)])
        # The totals as the ledger would have moved them, gift by gift.
        db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(
            online_cents=Campaign.online_cents + 1000 * count, raised_cents=Campaign.raised_cents + 1000 * count,
            donor_count=Campaign.donor_count + count))
        db.session.commit()
    with_many, response = count_statements(app, client, "/campagnes/potager")
    assert with_many == with_one, (with_one, with_many)
    page = text_of(response)
    assert "1 000 020,00 € collectés" in page  # 100,000 gifts of 10 € + the first gift and its match
    assert page.count("Donateur ") <= 30


def test_a_holder_changes_the_cover_from_the_back_office(app, client, actors, build):
    import io

    from PIL import Image

    build.campaign(slug="potager", organization=actors.organization("jardin"))
    _sign_in(app, client, actors, "holder", "jardin")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/gestion/campagnes/potager/modifier").get_data(as_text=True)).group(1)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), (200, 100, 0)).save(buffer, "JPEG")
    sent = client.post("/gestion/campagnes/potager/couverture", follow_redirects=True,
                       content_type="multipart/form-data",
                       data={"csrf_token": token, "cover": (io.BytesIO(buffer.getvalue()), "photo.jpg")})
    assert "La nouvelle image de la campagne est enregistrée." in sent.get_data(as_text=True)
    image = client.get("/campagnes/potager/couverture")
    assert image.mimetype == "image/jpeg" and image.data == buffer.getvalue()
    refused = client.post("/gestion/campagnes/potager/couverture", content_type="multipart/form-data",
                          data={"csrf_token": token, "cover": (io.BytesIO(b"%PDF-1.7 not an image"), "photo.jpg")})
    assert refused.status_code == 400 and "Choisissez une image PNG, JPEG ou WebP" in refused.get_data(as_text=True)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="cover"', refused.text)  # said beside the field
    assert client.get("/campagnes/potager/couverture").data == buffer.getvalue()
    actors.organization("epicerie")
    other = app.test_client()
    _sign_in(app, other, actors, "holder", "epicerie")
    assert other.post("/gestion/campagnes/potager/couverture", content_type="multipart/form-data",
                      data={"csrf_token": token, "cover": (io.BytesIO(buffer.getvalue()), "x.jpg")}).status_code == 404


def test_the_home_page_also_shows_the_campaigns_that_have_ended(client, build, app):
    ended_id = build.campaign(slug="ruches", title="Des ruches au parc")
    build.campaign(slug="en-cours", title="Un projet en cours")
    with app.app_context():
        campaign = services.get_campaign_by_id(ended_id)
        campaign.ends_at = campaign.starts_at + (campaign.ends_at - campaign.starts_at) / 1000
        services.close_campaign(campaign)
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    live, _, archive = page.partition("Campagnes terminées")
    assert "Un projet en cours" in live and "Des ruches au parc" not in live
    assert "Des ruches au parc" in archive
