"""Client retries racing each other: the database, not luck, makes them one gift."""
from sqlalchemy import func, select

from app.extensions import db
from tests.support import run_concurrently


def test_concurrent_retries_with_one_key_make_one_gift(giving, app):
    from donations.models import Donation

    slug = giving.campaign()

    def retry(index):
        return app.test_client().post(f"/api/v1/campaigns/{slug}/donations", headers={"Idempotency-Key": "same-key"},
                                      json={"amount_cents": 2500, "email": "a@example.org", "receipt_choice": "none"})

    answers = run_concurrently(retry, 6)
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201], [a.json for a in answers]
    assert len({a.json["id"] for a in answers}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Donation.id))) == 1
