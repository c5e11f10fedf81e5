"""Client retries racing each other: the database, not luck, makes them one gift."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.extensions import db
from tests.support import run_concurrently


@pytest.mark.postgres
def test_concurrent_retries_with_one_key_make_one_gift(giving, app):
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL")
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
