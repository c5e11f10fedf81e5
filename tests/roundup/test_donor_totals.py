"""Yearly totals of identified round-up donors, per organization, for the annual receipts."""
from datetime import date


from .conftest import at, record, settle


def totals(app, organization, year):
    from campaigns import services as campaign_services
    from donations.roundup.services import donor_year_totals

    with app.app_context():
        return donor_year_totals(campaign_services.get_organization(organization).id, year)


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
    settle(app, "boulangerie", date(2026, 9, 1))
    client.post("/api/v1/roundups/A3/void", headers=headers)  # returned after settlement

    # Ana gave 100 cents in September (A3 voided; October not settled): half to the épicerie; a quarter to
    # the jardin and a quarter to its campaign, both of which the jardin receives.
    assert totals(app, "epicerie", 2026) == [("ana@example.org", 50), ("bob@example.org", 15)]
    assert totals(app, "jardin", 2026) == [("ana@example.org", 50), ("bob@example.org", 15)]
    assert totals(app, "jardin", 2025) == []

    settle(app, "boulangerie", date(2026, 10, 1))
    # October's 99 cents split 49.5 / 24.75 / 24.75: the two larger remainders take the spare cents (49, 25, 25).
    assert dict(totals(app, "epicerie", 2026))["ana@example.org"] == 50 + 49
    assert dict(totals(app, "jardin", 2026))["ana@example.org"] == 50 + 25 + 25


def test_no_settled_roundups_means_no_totals(client, shops, app):
    headers = shops.merchant()
    record(client, headers, "A1", 1201, 99, occurred_at=at(2026, 9, 3), donor_email="ana@example.org")
    assert totals(app, "epicerie", 2026) == []
