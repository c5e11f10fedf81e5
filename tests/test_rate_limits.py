"""Rate limits per address on what an attacker repeats: signing in, starting and confirming gifts
(card testing), guessing bearer keys. Answered 429 with Retry-After (problem+json on the API); the
checkout's hot path with a good key is never slowed nor refused. Off in the other tests."""
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from tests.donations.conftest import DONOR, giving  # noqa: F401  (fixture)
from tests.roundup.conftest import record, shops  # noqa: F401  (fixtures)
from tests.test_auth import csrf_token, make_user


@pytest.fixture
def limited(app, base_config):
    """The application with rate limits on, small ones (the `app` fixture cleans the database)."""
    return create_app({**base_config, "RATELIMIT_ENABLED": True, "RATELIMIT_SIGN_IN": "3 per minute",
                       "RATELIMIT_MERCHANT_SIGN_IN": "2 per minute", "RATELIMIT_GIFT_START": "2 per minute",
                       "RATELIMIT_GIFT_CONFIRM": "2 per minute", "RATELIMIT_KEY_FAILURES": "3 per minute"})


def assert_retry_after(response):
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # the window's end, rounded up


def test_limits_are_off_in_tests_unless_asked(app, client):
    assert app.config["RATELIMIT_ENABLED"] is False
    make_user(app)
    token = csrf_token(client.get("/connexion"))
    for _ in range(15):
        assert client.post("/connexion", data={"email": "x@y.example", "password": "faux", "csrf_token": token}
                           ).status_code == 400


def test_sign_in_attempts_are_limited_per_address(app, limited):
    make_user(app)
    client = limited.test_client()
    token = csrf_token(client.get("/connexion"))
    wrong = {"email": "tresorier@asso.example", "password": "mauvais", "csrf_token": token}
    assert [client.post("/connexion", data=wrong).status_code for _ in range(3)] == [400, 400, 400]
    refused = client.post("/connexion", data={**wrong, "password": "correct horse battery"})
    assert_retry_after(refused)
    assert "Trop de tentatives" in refused.text
    assert client.get("/connexion").status_code == 200  # the page itself is not limited
    other = limited.test_client()  # another address is not concerned
    assert other.post("/connexion", data=wrong, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 400


def test_gift_starts_are_limited_against_card_testing(app, limited, giving):  # noqa: F811
    from donations.models import Donation

    slug = giving.campaign()
    client = limited.test_client()
    body = {"amount_cents": 500, **DONOR}
    answers = [client.post(f"/api/v1/campaigns/{slug}/donations", json=body) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].mimetype == "application/problem+json" and answers[2].json["status"] == 429
    assert_retry_after(answers[2])
    with app.app_context():
        assert db.session.scalar(select(func.count(Donation.id))) == 2
    confirms = [client.post(f"/api/v1/donations/{answers[0].json['id']}/confirm",
                            json={"token": answers[0].json["token"]}) for _ in range(3)]
    assert [c.status_code for c in confirms][:2] == [409, 409]  # the card is not saved yet
    assert_retry_after(confirms[2])


def test_failed_keys_are_limited_per_address_but_a_live_key_keeps_its_hot_path(app, limited, shops, actors):  # noqa: F811
    good = shops.merchant()
    client = limited.test_client()
    assert record(client, good, "T1", 1201, 99).status_code == 201  # now known live in this worker
    bad = {"Authorization": "Bearer mk_devine"}
    assert [record(client, bad, f"X{n}", 1201, 99).status_code for n in range(3)] == [401, 401, 401]
    assert_retry_after(record(client, bad, "X9", 1201, 99))
    assert record(client, good, "T2", 1201, 99).status_code == 201  # the checkout goes on
    assert client.get("/api/v1/organizations", headers=actors.admin()).status_code == 429
    # The merchant's other key, never seen by this worker, is refused from this address for now.
    with app.app_context():
        from donations.roundup import services

        _, other_key = services.create_key(services.get_merchant("boulangerie"), "caisse 2")
        db.session.commit()
    assert_retry_after(record(client, {"Authorization": f"Bearer {other_key}"}, "T3", 1201, 99))
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.post("/api/v1/roundups", headers={"Authorization": f"Bearer {other_key}"}, environ_base=elsewhere,
                       json={"external_id": "T3", "basket_cents": 1201, "roundup_cents": 99}).status_code == 201


def test_merchant_sign_in_is_limited(app, limited, shops):  # noqa: F811
    shops.merchant()
    client = limited.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/commercant").text).group(1)
    answers = [client.post("/commercant/connexion", data={"key": "mk_faux", "csrf_token": token}) for _ in range(3)]
    assert [a.status_code for a in answers][:2] == [400, 400]
    assert_retry_after(answers[2])


def test_the_storage_comes_from_the_configuration(limited):
    from limits.storage import MemoryStorage

    assert limited.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(limited.extensions["solidaire.limiter"].storage, MemoryStorage)
