"""Yearly totals of identified round-up donors, per organization, for the annual receipts: only
round-ups of statements the merchant has paid, with the payment modes the tills recorded."""
from datetime import date

from app.extensions import db

from .conftest import at, record, settle


def totals(app, organization, year, with_methods=False):
    from campaigns import services as campaign_services
    from donations.roundup.services import donor_year_totals

    with app.app_context():
        found = donor_year_totals(campaign_services.get_organization(organization).id, year)
        return found if with_methods else [(t.email, t.cents) for t in found]


def pay(app, settlement_id):
    """The city's team sees the merchant's transfer arrive."""
    from donations.roundup import services

    with app.app_context():
        services.mark_paid(services.get_settlement(settlement_id))
        db.session.commit()


def test_a_donor_gets_their_share_of_settled_roundups_of_the_year(client, shops, actors, app):
    actors.organization("epicerie")
    actors.organization("jardin")
    campaign = shops.campaign("jardin")
    headers = shops.merchant(match_ratio_percent=100, beneficiaries=[
        {"organization": "epicerie", "share_basis_points": 5000},
        {"organization": "jardin", "share_basis_points": 2500},
        {"campaign": campaign, "share_basis_points": 2500}])
    record(client, headers, "A1", 1201, 99, occurred_at=at(2026, 9, 3), donor_email="Ana@Example.org")
    record(client, headers, "A2", 1299, 1, occurred_at=at(2026, 9, 4), donor_email="ana@example.org")
    record(client, headers, "A3", 1201, 99, occurred_at=at(2026, 9, 5), donor_email="ana@example.org")
    record(client, headers, "B1", 1270, 30, occurred_at=at(2026, 9, 5), donor_email="bob@example.org")
    record(client, headers, "X1", 1201, 99, occurred_at=at(2026, 9, 6))  # anonymous
    record(client, headers, "O1", 1201, 99, occurred_at=at(2026, 10, 6), donor_email="ana@example.org")
    september = settle(app, "boulangerie", date(2026, 9, 1))
    client.post("/api/v1/roundups/A3/void", headers=headers)  # returned after settlement
    assert totals(app, "epicerie", 2026) == []  # September's statement is not paid yet
    pay(app, september)

    # Ana gave 100 cents in September (A3 voided; October not settled): half to the épicerie; a quarter to
    # the jardin and a quarter to its campaign, both of which the jardin receives.
    assert totals(app, "epicerie", 2026) == [("ana@example.org", 50), ("bob@example.org", 15)]
    assert totals(app, "jardin", 2026) == [("ana@example.org", 50), ("bob@example.org", 15)]
    assert totals(app, "jardin", 2025) == []

    october = settle(app, "boulangerie", date(2026, 10, 1))
    assert dict(totals(app, "epicerie", 2026))["ana@example.org"] == 50  # October not paid yet
    pay(app, october)
    # October's 99 cents split 49.5 / 24.75 / 24.75: the two larger remainders take the spare cents (49, 25, 25).
    assert dict(totals(app, "epicerie", 2026))["ana@example.org"] == 50 + 49
    assert dict(totals(app, "jardin", 2026))["ana@example.org"] == 50 + 25 + 25


def test_no_settled_roundups_means_no_totals(client, shops, app):
    headers = shops.merchant()
    record(client, headers, "A1", 1201, 99, occurred_at=at(2026, 9, 3), donor_email="ana@example.org")
    assert totals(app, "epicerie", 2026) == []


def test_the_tills_payment_modes_follow_the_donors_roundups(client, shops, app):
    headers = shops.merchant()
    assert record(client, headers, "A1", 1201, 99, occurred_at=at(2026, 9, 3), donor_email="ana@example.org",
                  payment_method="cash").json["payment_method"] == "cash"
    record(client, headers, "A2", 1201, 99, occurred_at=at(2026, 9, 4), donor_email="ana@example.org")
    record(client, headers, "B1", 1201, 99, occurred_at=at(2026, 9, 4), donor_email="bob@example.org")
    refused = record(client, headers, "C1", 1201, 99, payment_method="cheque")
    assert refused.status_code == 422 and "payment_method" in refused.json["errors"]
    pay(app, settle(app, "boulangerie", date(2026, 9, 1)))
    assert totals(app, "epicerie", 2026, with_methods=True) == [
        ("ana@example.org", 198, ("card", "cash")), ("bob@example.org", 99, ("card",))]


def test_a_batch_carries_each_rows_payment_mode(client, shops, app):
    from sqlalchemy import select

    from donations.roundup.models import Roundup

    headers = shops.merchant()
    rows = [{"external_id": "T1", "basket_cents": 1201, "roundup_cents": 99, "payment_method": "cash"},
            {"external_id": "T2", "basket_cents": 1201, "roundup_cents": 99},
            {"external_id": "T3", "basket_cents": 1201, "roundup_cents": 99, "payment_method": "bitcoin"}]
    response = client.post("/api/v1/roundups/batch", headers=headers, json={"roundups": rows})
    assert response.status_code == 200
    assert response.json["accepted"] == 2
    assert [(r["index"], list(r["errors"])) for r in response.json["rejected"]] == [(2, ["payment_method"])]
    with app.app_context():
        modes = dict(db.session.execute(select(Roundup.external_id, Roundup.payment_method)).all())
    assert {k: v.value for k, v in modes.items()} == {"T1": "cash", "T2": "card"}
