"""Real concurrency, on PostgreSQL and on SQLite: the database, not luck, keeps one round-up and one statement."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from tests.support import run_concurrently

from .conftest import at, record


def test_concurrent_duplicates_record_exactly_one_roundup(app, shops):
    from donations.roundup.models import Roundup

    headers = shops.merchant()

    def post(index):
        with app.test_client() as client:
            response = record(client, headers, "T-SAME", 1230, 70, occurred_at=at(2026, 11, 3))
            return response.status_code, response.json

    for attempt in range(3):
        results = run_concurrently(post, 12)
        statuses = sorted(status for status, _ in results)
        if attempt == 0:
            assert statuses == [200] * 11 + [201]
        else:
            assert statuses == [200] * 12
        assert len({body["created_at"] for _, body in results}) == 1  # every answer is the first one
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Roundup)) == 1


def test_concurrent_batches_with_the_same_rows_record_each_once(app, shops):
    from donations.roundup.models import Roundup

    headers = shops.merchant()
    rows = [{"external_id": f"B{i}", "basket_cents": 1001, "roundup_cents": 99} for i in range(500)]

    def post(index):
        with app.test_client() as client:
            return client.post("/api/v1/roundups/batch", json={"roundups": rows}, headers=headers).json

    results = run_concurrently(post, 4)
    assert sum(r["accepted"] for r in results) == 500
    assert sum(r["duplicates"] for r in results) == 1500
    assert all(r["rejected"] == [] for r in results)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Roundup)) == 500


def test_two_settlements_of_the_same_month_at_once_make_one_statement(app, shops, client):
    from donations.roundup import services
    from donations.roundup.models import Settlement

    headers = shops.merchant()
    for index in range(20):
        record(client, headers, f"T{index}", 1230, 70, occurred_at=at(2026, 9, 5))

    def run(index):
        with app.app_context():
            settlement, created = services.settle_month(services.get_merchant("boulangerie"), date(2026, 9, 1))
            db.session.commit()
            return settlement.id, created, settlement.total_cents

    results = run_concurrently(run, 4)
    assert len({settlement_id for settlement_id, _, _ in results}) == 1
    assert sorted(created for _, created, _ in results) == [False, False, False, True]
    assert {total for _, _, total in results} == {1400}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Settlement)) == 1


def test_a_void_racing_the_settlement_is_counted_once(app, shops, client):
    """Whichever commits first, the round-up is either left out or given back later, never both or neither."""
    from donations.roundup import services

    headers = shops.merchant()
    for index in range(50):
        record(client, headers, f"T{index}", 1230, 70, occurred_at=at(2026, 8, 5))

    def run(index):
        if index == 0:
            with app.app_context():
                settlement, _ = services.settle_month(services.get_merchant("boulangerie"), date(2026, 8, 1))
                db.session.commit()
                return settlement.total_cents
        with app.test_client() as own:
            return own.post(f"/api/v1/roundups/T{index}/void", headers=headers).json["adjustment"]

    results = run_concurrently(run, 11)
    august_total, adjusted = results[0], sum(1 for flag in results[1:] if flag)
    assert august_total == (50 - (10 - adjusted)) * 70
    with app.app_context():
        services.settle_month(services.get_merchant("boulangerie"), date(2026, 9, 1))
        db.session.commit()
    september = client.get("/api/v1/settlements?month=2026-09", headers=headers).json
    # September's voids are given back only once November's statement is made; none is lost.
    from donations.roundup.models import Roundup

    with app.app_context():
        pending = db.session.scalar(select(func.count()).select_from(Roundup).where(
            Roundup.voided_at.is_not(None), Roundup.settlement_id.is_not(None)))
    assert pending == adjusted
    assert september[0]["adjustments_cents"] == 0
