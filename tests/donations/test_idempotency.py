"""An Idempotency-Key on a gift is bound to the request that used it: the same request replays the
same gift; another body with the key is a 409 that hands out nothing of the first gift."""
from sqlalchemy import func, select

from app.extensions import db


def gifts_count(app):
    from donations.models import Donation

    with app.app_context():
        return db.session.scalar(select(func.count(Donation.id)))


def test_a_replay_with_the_same_body_returns_the_same_gift(app, giving):
    slug = giving.campaign()
    first = giving.start(slug, key="cle-1", amount_cents=3000)
    again = giving.start(slug, key="cle-1", amount_cents=3000)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert again.json["client_secret"] == first.json["client_secret"]
    assert gifts_count(app) == 1


def test_the_same_key_with_another_amount_or_donor_is_a_conflict(app, giving):
    slug = giving.campaign()
    first = giving.start(slug, key="cle-partagee", amount_cents=3000)
    assert first.status_code == 201
    for other in ({"amount_cents": 9000}, {"amount_cents": 3000, "email": "autre@example.org"},
                  {"amount_cents": 3000, "first_name": "Dominique"}):
        answer = giving.start(slug, key="cle-partagee", **other)
        assert answer.status_code == 409, other
        assert answer.mimetype == "application/problem+json"
        body = answer.get_data(as_text=True)
        assert first.json["client_secret"] not in body and "client_secret" not in body
        assert first.json["token"] not in body and str(first.json["id"]) not in answer.json.get("detail", "")
        assert "Idempotency-Key" in answer.json["errors"]
    assert gifts_count(app) == 1


def test_keys_stay_scoped_per_campaign(app, giving):
    one, two = giving.campaign("un"), giving.campaign("deux")
    first = giving.start(one, key="cle")
    other = giving.start(two, key="cle", amount_cents=4000)
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.json["id"] != other.json["id"]


def test_a_gift_made_before_the_binding_is_not_replayed_to_a_stranger(app, giving):
    from donations.models import Donation

    slug = giving.campaign()
    first = giving.start(slug, key="ancienne-cle")
    with app.app_context():
        db.session.get(Donation, first.json["id"]).idempotency_fingerprint = None  # as migrated rows are
        db.session.commit()
    assert giving.start(slug, key="ancienne-cle").status_code == 409
    assert gifts_count(app) == 1
