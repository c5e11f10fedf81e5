"""Periods are whole days in Europe/Paris, inclusive; a failed campaign stays in the report."""
from datetime import datetime, timezone

from sqlalchemy import update

from app.extensions import db
from campaigns.models import Contribution


def move_gift(app, donation_id, moment):
    """Date a gift and its match as if they had been made at `moment` (the ledger's created_at)."""
    with app.app_context():
        db.session.execute(update(Contribution).where(Contribution.donation_id == donation_id)
                           .values(created_at=moment))
        db.session.commit()


def test_the_days_of_the_period_are_paris_days(app, client, actors, territory):
    actors.organization("asso-jardin")
    actors.partner("la-poste")
    garden = territory.campaign("asso-jardin", "potager")
    territory.pledge(garden, "la-poste", total_cap_cents=100_000)
    territory.gift(garden, 1, 1_000, "alice")
    territory.gift(garden, 2, 3_000, "bob")
    # 31 January, 23:30 in Paris (22:30 UTC), and 1 February, 00:30 in Paris (still 31 January in UTC).
    move_gift(app, 1, datetime(2026, 1, 31, 22, 30, tzinfo=timezone.utc))
    move_gift(app, 2, datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc))
    admin = actors.admin()

    january = client.get("/api/v1/partners/la-poste/summary?from=2026-01-01&to=2026-01-31", headers=admin).json
    february = client.get("/api/v1/partners/la-poste/summary?from=2026-02-01&to=2026-02-28", headers=admin).json
    one_day = client.get("/api/v1/partners/la-poste/summary?from=2026-02-01&to=2026-02-01", headers=admin).json
    everything = client.get("/api/v1/partners/la-poste/summary", headers=admin).json
    assert (january["matched_cents"], january["citizens_cents"], january["donors_reached"]) == (1_000, 1_000, 1)
    assert (february["matched_cents"], february["citizens_cents"]) == (3_000, 3_000)
    assert one_day["matched_cents"] == 3_000
    assert everything["matched_cents"] == 4_000 and everything["period"] == {"from": None, "to": None}
    assert january["period"] == {"from": "2026-01-01", "to": "2026-01-31"}
    march = client.get("/api/v1/partners/la-poste/summary?from=2026-03-01&to=2026-03-31", headers=admin).json
    assert march["campaigns"] == [] and march["partner_cents"] == 0


def test_a_failed_all_or_nothing_campaign_is_reported_with_nothing_paid(app, client, actors, territory):
    from campaigns import services

    actors.organization("asso-jardin")
    actors.partner("la-poste")
    garden = territory.campaign("asso-jardin", "potager", goal_cents=1_000_000, funding_model="all_or_nothing")
    territory.pledge(garden, "la-poste", total_cap_cents=100_000)
    territory.gift(garden, 1, 5_000, "alice")
    with app.app_context():
        services.close_campaign(services.get_campaign(garden))
        db.session.commit()

    body = client.get("/api/v1/partners/la-poste/summary", headers=actors.user("partner", partner="la-poste")).json
    (line,) = body["campaigns"]
    assert (line["slug"], line["status"], line["status_label"]) == ("potager", "failed", "Objectif non atteint")
    assert line["matched_cents"] == 0 and line["matched_gifts"] == 0
    assert body["leverage"]["ratio"] is None
