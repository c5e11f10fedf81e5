"""A campaign page that survives going viral: every anonymous visitor gets the same page, served from
the web worker's copy, revalidated by its ETag (browsers each time) and kept a few seconds by a
reverse proxy; signed-in users never get a shared copy; a gift shows within the freshness bound."""
import re

import pytest
from sqlalchemy import event

from app.extensions import db
from campaigns import pages, services
from tests.campaigns.test_pages import text_of
from tests.support import csrf_from


class Clock:
    """The page cache's clock, moved by the test instead of waited for."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(pages, "time", clock)
    return clock


@pytest.fixture
def potager(app, build):
    campaign_id = build.campaign(slug="potager", goal_cents=100_000,
                                 tiers=[{"title": "Pot de miel", "min_amount_cents": 2000, "quantity_limit": 3}])
    build.pledge(campaign_id, build.partner_id("la-poste"), total_cap_cents=20_000)
    return campaign_id


def give(app, campaign_id, number, cents=1000, name=None):
    """A gift as the webhook counts it: the ledger, the partner's match and the donor wall."""
    with app.app_context():
        services.add_contribution(campaign_id, "online", cents, donor_key=f"d{number}", donation_id=number)
        services.match_gift(campaign_id, number, cents, donor_key=f"d{number}")
        services.add_wall_entry(campaign_id, number, name or f"Donateur {number}", "")
        db.session.commit()


def statements_of(app, call):
    """(what `call()` returned, how many SQL statements it ran, not counting SQLite's explicit BEGIN)."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        return call(), len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)


def sign_in(app, client, actors, organization):
    """A holder of `organization` signs in through /connexion."""
    from app.auth.models import User

    actors.user("holder", organization=organization, password="mot de passe du test")
    with app.app_context():
        email = db.session.scalars(db.select(User.email).order_by(User.id.desc())).first()
    token = csrf_from(client.get("/connexion").text)
    answer = client.post("/connexion", data={"email": email, "password": "mot de passe du test", "csrf_token": token})
    assert answer.status_code == 302


def test_an_anonymous_page_is_public_for_a_few_seconds_and_answers_304_to_its_etag(app, client, potager, clock):
    first = client.get("/campagnes/potager")
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=5"
    assert "Cookie" in first.headers["Vary"]  # a proxy keeps apart what a session cookie may change
    assert "csrf_token" not in first.get_data(as_text=True)  # nobody's token in a shared page
    again = client.get("/campagnes/potager", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    stale = client.get("/campagnes/potager", headers={"If-None-Match": '"an-older-page"'})
    assert stale.status_code == 200 and stale.data == first.data
    assert client.head("/campagnes/potager").headers["ETag"] == first.headers["ETag"]
    # Another anonymous visitor (a session cookie from the sign-in page, but nobody signed in) gets the same page.
    other = app.test_client()
    assert other.get("/connexion").status_code == 200
    assert other.get("/campagnes/potager").headers["ETag"] == first.headers["ETag"]


def test_signed_in_users_and_flashed_messages_get_a_fresh_private_page(app, client, actors, build, clock):
    build.campaign(slug="potager", organization=actors.organization("jardin"))
    anonymous = client.get("/campagnes/potager")  # the worker now holds the anonymous copy
    assert "Gérer la campagne" not in anonymous.get_data(as_text=True)

    holder = app.test_client()
    sign_in(app, holder, actors, "jardin")
    page = holder.get("/campagnes/potager", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert page.status_code == 200 and "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-cache"
    body = page.get_data(as_text=True)
    assert "Gérer la campagne" in body and re.search(r'name="csrf_token" value="[^"]+"', body)

    flashed = app.test_client()
    with flashed.session_transaction() as session:
        session["_flashes"] = [("success", "Votre message est bien parti.")]
    page = flashed.get("/campagnes/potager")
    assert page.headers["Cache-Control"] == "private, no-cache" and "ETag" not in page.headers
    assert "Votre message est bien parti." in page.get_data(as_text=True)
    # The flash was for that visitor alone: the shared copy does not carry it.
    assert "Votre message est bien parti." not in client.get("/campagnes/potager").get_data(as_text=True)

    # A sign-in that no longer holds (here: a user who does not exist) leaves a visitor who sees the shared
    # page; if forgetting it sends a new cookie, that answer is not for a proxy to keep.
    expired = app.test_client()
    with expired.session_transaction() as session:
        session.update({"user_id": 10**6, "session_version": 1, "signed_in_at": 1})
    page = expired.get("/campagnes/potager")
    assert page.headers["ETag"] == anonymous.headers["ETag"]
    assert page.headers["Cache-Control"] == ("private, no-cache" if "Set-Cookie" in page.headers
                                             else "public, max-age=0, s-maxage=5")


def test_a_gift_shows_within_the_freshness_bound(app, client, potager, clock):
    give(app, potager, 1)
    first = client.get("/campagnes/potager")
    assert "20,00 € collectés" in text_of(first)  # the gift and its match
    give(app, potager, 2, cents=2500, name="Camille")
    clock.now += app.config["CAMPAIGN_PAGE_RECHECK_SECONDS"] - 0.1
    assert "20,00 € collectés" in text_of(client.get("/campagnes/potager"))  # the worker's copy, still
    clock.now += 0.1
    fresh = client.get("/campagnes/potager", headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != first.headers["ETag"]
    page = text_of(fresh)
    assert "70,00 € collectés sur un objectif de 1 000,00 €" in page and "Donateurs 2" in page and "Camille" in page


def test_news_show_within_the_copy_s_lifetime(app, client, potager, clock):
    client.get("/campagnes/potager")
    with app.app_context():
        services.add_news(services.get_campaign_by_id(potager), "Les bacs sont posés", "Merci **à tous**")
        db.session.commit()
    clock.now += app.config["CAMPAIGN_PAGE_RECHECK_SECONDS"]
    assert "Les bacs sont posés" not in text_of(client.get("/campagnes/potager"))  # the row did not change
    clock.now += app.config["CAMPAIGN_PAGE_CACHE_SECONDS"]
    assert "Les bacs sont posés" in text_of(client.get("/campagnes/potager"))


def test_a_copy_costs_no_statement_a_recheck_one_and_a_rendering_the_same_as_before(app, client, potager, clock):
    give(app, potager, 1)
    client.get("/campagnes/potager")  # warm-up: first-request work is not the page's
    app.extensions.pop(pages.PAGE_CACHE_KEY, None)
    rendered, rendering = statements_of(app, lambda: client.get("/campagnes/potager"))
    copy, none = statements_of(app, lambda: client.get("/campagnes/potager"))
    assert none == 0 and copy.data == rendered.data
    clock.now += app.config["CAMPAIGN_PAGE_RECHECK_SECONDS"]
    rechecked, one = statements_of(app, lambda: client.get("/campagnes/potager"))
    assert one == 1 and rechecked.data == rendered.data
    for number in range(2, 12):
        give(app, potager, number)
    clock.now += app.config["CAMPAIGN_PAGE_RECHECK_SECONDS"]
    again, statements = statements_of(app, lambda: client.get("/campagnes/potager"))
    assert statements == rendering and "220,00 € collectés" in text_of(again)


def test_drafts_and_unknown_campaigns_are_never_shared(app, client, actors, build, clock):
    build.campaign(slug="brouillon", publish=False, organization=actors.organization("jardin"))
    holder = app.test_client()
    sign_in(app, holder, actors, "jardin")
    assert holder.get("/campagnes/brouillon").status_code == 200
    assert client.get("/campagnes/brouillon").status_code == 404
    assert client.get("/campagnes/nulle-part").status_code == 404
    assert app.extensions.get(pages.PAGE_CACHE_KEY, {}) == {}


def test_a_published_campaign_s_copy_goes_when_it_is_cancelled(app, client, potager, clock):
    assert client.get("/campagnes/potager").status_code == 200
    with app.app_context():
        services.cancel_campaign(services.get_campaign_by_id(potager))
        db.session.commit()
    clock.now += app.config["CAMPAIGN_PAGE_RECHECK_SECONDS"]
    assert "Annulée" in text_of(client.get("/campagnes/potager"))
