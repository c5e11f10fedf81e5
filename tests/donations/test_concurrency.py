"""Client retries racing each other: the database, not luck, makes them one gift."""
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.extensions import db


@pytest.mark.postgres
def test_concurrent_retries_with_one_key_make_one_gift(giving, app):
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL")
    from donations.models import Donation

    slug = giving.campaign()
    barrier = threading.Barrier(6)
    answers = []

    def retry():
        client = app.test_client()
        barrier.wait()
        answers.append(client.post(f"/api/v1/campaigns/{slug}/donations", headers={"Idempotency-Key": "same-key"},
                                   json={"amount_cents": 2500, "email": "a@example.org", "receipt_choice": "none"}))

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201], [a.json for a in answers]
    assert len({a.json["id"] for a in answers}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Donation.id))) == 1
