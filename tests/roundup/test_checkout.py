"""A merchant's till records round-ups: once, whatever it retries; in batches; and voids them."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from .conftest import at, record, settle


def count_roundups(app):
    from donations.roundup.models import Roundup

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Roundup))


def test_record_then_replay_answers_the_first_answer(client, shops, app):
    headers = shops.merchant()
    first = record(client, headers, "T-0001", 1230, 70, occurred_at=at(2026, 11, 3))
    assert first.status_code == 201, first.json
    assert first.json == {**first.json, "external_id": "T-0001", "basket_cents": 1230, "roundup_cents": 70,
                          "total_cents": 1300, "status": "recorded"}
    replay = record(client, headers, "T-0001", 1230, 70, occurred_at=at(2026, 11, 3))
    assert replay.status_code == 200
    assert replay.json == first.json
    assert count_roundups(app) == 1


def test_a_replay_with_other_amounts_is_a_conflict(client, shops, app):
    headers = shops.merchant()
    record(client, headers, "T-0001", 1230, 70)
    conflict = record(client, headers, "T-0001", 1240, 60)
    assert conflict.status_code == 409
    assert conflict.mimetype == "application/problem+json"
    assert "basket_cents=1230" in conflict.json["detail"]
    assert count_roundups(app) == 1


def test_a_roundup_the_rule_refuses_is_422_and_says_why(client, shops, app):
    headers = shops.merchant(max_roundup_cents=50)
    refused = record(client, headers, "T-0002", 1230, 70)
    assert refused.status_code == 422
    assert "maximum round-up of 50 cents" in refused.json["errors"]["roundup_cents"][0]
    wrong = record(client, headers, "T-0003", 1280, 30)
    assert "allows a round-up of 20 cents, not 30" in wrong.json["detail"]
    assert count_roundups(app) == 0


def test_bad_input_never_writes(client, shops, app):
    headers = shops.merchant()
    cases = [
        {"external_id": "T 1", "basket_cents": 1230, "roundup_cents": 70},  # space in the id
        {"external_id": "T1", "basket_cents": "12.30", "roundup_cents": 70},
        {"external_id": "T1", "basket_cents": 1230, "roundup_cents": 70, "occurred_at": "2026-11-03T10:00:00"},
        {"external_id": "T1", "basket_cents": 1230, "roundup_cents": 70, "occurred_at": "2099-01-01T10:00:00Z"},
        {"external_id": "T1", "basket_cents": 1230, "roundup_cents": 70, "donor_email": "pas-un-email"},
        {"basket_cents": 1230, "roundup_cents": 70},
    ]
    for body in cases:
        response = client.post("/api/v1/roundups", json=body, headers=headers)
        assert response.status_code == 422, (body, response.json)
        assert response.json["errors"]
    broken = client.post("/api/v1/roundups", data="{", headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 400
    assert count_roundups(app) == 0


def test_batch_keeps_valid_rows_reports_invalid_ones_and_counts_duplicates(client, shops, app):
    headers = shops.merchant()
    record(client, headers, "T-0001", 1230, 70)
    rows = [
        {"external_id": "T-0001", "basket_cents": 1230, "roundup_cents": 70},  # 0: recorded before
        {"external_id": "T-0002", "basket_cents": 990, "roundup_cents": 10, "donor_email": "Ana@Example.org"},
        {"external_id": "T-0003", "basket_cents": 990, "roundup_cents": 20},  # 2: the rule says 10
        {"external_id": "T-0004", "basket_cents": 1500, "roundup_cents": 100},  # 3: on the step
        {"external_id": "T-0002", "basket_cents": 990, "roundup_cents": 10},  # 4: repeats row 1
        "not a row",  # 5
        {"external_id": "T-0005", "basket_cents": 101, "roundup_cents": 99, "occurred_at": at(2026, 11, 2)},
        {"external_id": "T-0001", "basket_cents": 1210, "roundup_cents": 90},  # 7: recorded with other amounts
        {"external_id": "T-0006", "basket_cents": 210, "roundup_cents": 90},
        {"external_id": "T-0006", "basket_cents": 220, "roundup_cents": 80},  # 9: repeats row 8, other amounts
    ]
    response = client.post("/api/v1/roundups/batch", json={"roundups": rows}, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["accepted"] == 3
    assert response.json["duplicates"] == 2
    assert [r["index"] for r in response.json["rejected"]] == [2, 3, 5, 7, 9]
    assert "roundup_cents" in response.json["rejected"][0]["errors"]
    assert count_roundups(app) == 4

    again = client.post("/api/v1/roundups/batch", json={"roundups": rows}, headers=headers)
    assert (again.json["accepted"], again.json["duplicates"]) == (0, 5)
    assert count_roundups(app) == 4


def test_batch_limits(client, shops):
    headers = shops.merchant()
    empty = client.post("/api/v1/roundups/batch", json={"roundups": []}, headers=headers)
    assert empty.status_code == 422
    rows = [{"external_id": f"B{i}", "basket_cents": 1001, "roundup_cents": 99} for i in range(10_001)]
    too_many = client.post("/api/v1/roundups/batch", json={"roundups": rows}, headers=headers)
    assert too_many.status_code == 422
    full = client.post("/api/v1/roundups/batch", json={"roundups": rows[:10_000]}, headers=headers)
    assert full.json["accepted"] == 10_000


def test_void_before_settlement_leaves_it_out_of_the_statement(client, shops, app):
    headers = shops.merchant()
    record(client, headers, "T-0001", 1230, 70, occurred_at=at(2026, 9, 3))
    record(client, headers, "T-0002", 1250, 50, occurred_at=at(2026, 9, 4))
    voided = client.post("/api/v1/roundups/T-0001/void", headers=headers)
    assert voided.status_code == 200
    assert voided.json["status"] == "voided" and voided.json["adjustment"] is False
    assert client.post("/api/v1/roundups/T-0001/void", headers=headers).status_code == 200  # twice: harmless
    statement = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', date(2026, 9, 1))}", headers=headers)
    assert (statement.json["roundup_count"], statement.json["total_cents"]) == (1, 50)


def test_void_after_settlement_is_given_back_on_the_next_statement(client, shops, app):
    headers = shops.merchant()
    record(client, headers, "T-0001", 1230, 70, occurred_at=at(2026, 9, 3))
    record(client, headers, "T-0002", 1250, 50, occurred_at=at(2026, 9, 4))
    september = settle(app, "boulangerie", date(2026, 9, 1))
    voided = client.post("/api/v1/roundups/T-0001/void", headers=headers)
    assert voided.json["adjustment"] is True
    # A void made in November is given back on November's statement; October has nothing of it.
    record(client, headers, "T-0003", 1290, 10, occurred_at=at(2026, 10, 5))
    october = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', date(2026, 10, 1))}", headers=headers)
    assert (october.json["roundups_cents"], october.json["adjustments_cents"], october.json["total_cents"]) == (10, 0, 10)
    first = client.get(f"/api/v1/settlements/{september}", headers=headers).json
    assert first["total_cents"] == 120  # a settled statement never moves


def test_void_of_an_unknown_roundup_is_404(client, shops):
    headers = shops.merchant()
    assert client.post("/api/v1/roundups/nope/void", headers=headers).status_code == 404


def test_summary_per_day_and_beneficiary(client, shops, actors, app):
    actors.organization("epicerie")
    actors.organization("jardin")
    headers = shops.merchant(beneficiaries=[{"organization": "epicerie", "share_basis_points": 5000},
                                            {"organization": "jardin", "share_basis_points": 5000}])
    record(client, headers, "A", 1230, 70, occurred_at=at(2026, 11, 2))
    record(client, headers, "B", 1201, 99, occurred_at=at(2026, 11, 2))
    record(client, headers, "C", 1299, 1, occurred_at=at(2026, 11, 3))
    record(client, headers, "D", 1299, 1, occurred_at="2026-11-03T23:30:00+00:00")  # 4 November in Sceaux
    record(client, headers, "E", 1290, 10, occurred_at=at(2026, 11, 3))
    client.post("/api/v1/roundups/E/void", headers=headers)
    response = client.get("/api/v1/merchant/summary?from=2026-11-01&to=2026-11-30", headers=headers)
    assert response.status_code == 200
    assert response.json["roundups_cents"] == 171
    assert response.json["days"] == [
        {"day": "2026-11-02", "roundup_count": 2, "roundups_cents": 169},
        {"day": "2026-11-03", "roundup_count": 1, "roundups_cents": 1},
        {"day": "2026-11-04", "roundup_count": 1, "roundups_cents": 1},
    ]
    assert [b["roundups_cents"] for b in response.json["beneficiaries"]] == [86, 85]


def test_a_merchant_never_reaches_another_merchants_roundups(client, shops, actors):
    actors.organization("epicerie")
    beneficiaries = [{"organization": "epicerie", "share_basis_points": 10_000}]
    boulangerie = shops.merchant("boulangerie", beneficiaries=beneficiaries)
    librairie = shops.merchant("librairie", beneficiaries=beneficiaries)
    record(client, boulangerie, "T-0001", 1230, 70)
    assert client.post("/api/v1/roundups/T-0001/void", headers=librairie).status_code == 404
    # The same transaction id at another shop is another round-up.
    assert record(client, librairie, "T-0001", 1240, 60).status_code == 201
    summary = client.get("/api/v1/merchant/summary", headers=librairie).json
    assert summary["roundups_cents"] == 60
