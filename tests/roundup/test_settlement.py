"""Monthly statements: counted and split to the cent, the match within its cap, never settled twice."""
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import select

from app.extensions import db
from app.money import split_largest_remainder

from .conftest import at, record, settle

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def two_beneficiaries(actors, first=6667, second=3333):
    actors.organization("epicerie")
    actors.organization("jardin")
    return [{"organization": "epicerie", "share_basis_points": first},
            {"organization": "jardin", "share_basis_points": second}]


def test_statement_counts_sums_and_splits_to_the_cent(client, shops, actors, app):
    headers = shops.merchant(beneficiaries=two_beneficiaries(actors))
    for index, (basket, roundup) in enumerate([(1230, 70), (1201, 99), (1299, 1), (1250, 50)]):
        record(client, headers, f"T{index}", basket, roundup, occurred_at=at(2026, 9, 10 + index))
    record(client, headers, "late", 1290, 10, occurred_at="2026-09-30T22:30:00+00:00")  # 1 October in Sceaux
    statement = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', SEPTEMBER)}", headers=headers).json
    assert statement["month"] == "2026-09"
    assert (statement["roundup_count"], statement["roundups_cents"], statement["total_cents"]) == (4, 220, 220)
    assert [(line["label"], line["amount_cents"]) for line in statement["lines"]] == [
        ("Association epicerie", 147), ("Association jardin", 73)]  # 146.67 and 73.33: one cent to the larger rest


def test_match_is_added_within_its_monthly_cap(client, shops, actors, app):
    headers = shops.merchant(match_ratio_percent=50, match_monthly_cap_cents=60)
    for index in range(3):
        record(client, headers, f"S{index}", 1230, 70, occurred_at=at(2026, 9, 5))  # 210 cents
    september = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', SEPTEMBER)}", headers=headers).json
    assert (september["roundups_cents"], september["match_cents"], september["total_cents"]) == (210, 60, 270)
    record(client, headers, "O1", 1270, 30, occurred_at=at(2026, 10, 5))
    october = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', OCTOBER)}", headers=headers).json
    assert (october["match_cents"], october["total_cents"]) == (15, 45)  # half of 30, under the cap


def test_match_ratio_floors_to_the_cent():
    from types import SimpleNamespace

    from donations.roundup.services import match_for

    assert match_for(SimpleNamespace(match_ratio_percent=150, match_monthly_cap_cents=None), 33) == 49
    assert match_for(SimpleNamespace(match_ratio_percent=0, match_monthly_cap_cents=None), 1000) == 0
    assert match_for(SimpleNamespace(match_ratio_percent=100, match_monthly_cap_cents=0), 1000) == 0


def test_rerunning_a_month_changes_nothing(client, shops, actors, app, runner):
    headers = shops.merchant()
    record(client, headers, "T1", 1230, 70, occurred_at=at(2026, 9, 5))
    first = runner.invoke(args=["roundups", "settle", "--month", "2026-09"])
    assert first.exit_code == 0, first.output
    assert "boulangerie: settled, 1 round-ups, total 70 cents" in first.output
    record(client, headers, "T2", 1280, 20, occurred_at=at(2026, 9, 6))  # uploaded late
    second = runner.invoke(args=["roundups", "settle", "--month", "2026-09"])
    assert "Nothing to settle" in second.output or "already settled" in second.output
    listing = client.get("/api/v1/settlements?month=2026-09", headers=actors.admin())
    assert listing.headers["X-Total-Count"] == "1"
    assert listing.json[0]["total_cents"] == 70
    # The late round-up is not lost: October's statement collects it.
    october = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', OCTOBER)}", headers=headers).json
    assert (october["roundup_count"], october["total_cents"]) == (1, 20)


def test_a_month_not_over_or_before_a_settled_one_is_refused(client, shops, app, runner):
    headers = shops.merchant()
    record(client, headers, "T1", 1230, 70, occurred_at=at(2026, 9, 5))
    now_month = runner.invoke(args=["roundups", "settle", "--month", "2099-01"])
    assert now_month.exit_code != 0 and "not over yet" in now_month.output
    settle(app, "boulangerie", OCTOBER)
    from app.errors import Conflict
    with pytest.raises(Conflict):
        settle(app, "boulangerie", SEPTEMBER)


def test_voids_larger_than_a_month_are_carried_as_a_credit(client, shops, app):
    headers = shops.merchant()
    for index in range(3):
        record(client, headers, f"S{index}", 1230, 70, occurred_at=at(2026, 8, 5))
    settle(app, "boulangerie", date(2026, 8, 1))
    from donations.roundup.models import Roundup, Settlement
    from app.types import utcnow

    # Returns in September of August's round-ups (the void times are set as they would have been).
    with app.app_context():
        for roundup in db.session.scalars(select(Roundup)):
            roundup.voided_at = utcnow().replace(year=2026, month=9, day=10)
        db.session.commit()
    record(client, headers, "S9", 1280, 20, occurred_at=at(2026, 9, 12))
    september = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', SEPTEMBER)}", headers=headers).json
    assert (september["adjustments_cents"], september["total_cents"], september["carry_out_cents"]) == (210, 0, 190)
    record(client, headers, "O1", 1230, 70, occurred_at=at(2026, 10, 12))
    october = client.get(f"/api/v1/settlements/{settle(app, 'boulangerie', OCTOBER)}", headers=headers).json
    assert (october["carried_in_cents"], october["total_cents"], october["carry_out_cents"]) == (190, 0, 120)
    with app.app_context():
        assert db.session.query(Settlement).count() == 3


def test_settled_money_joins_the_campaign_totals(client, shops, actors, app):
    actors.organization("jardin")
    actors.organization("epicerie")
    campaign = shops.campaign("jardin")
    headers = shops.merchant(beneficiaries=[{"campaign": campaign, "share_basis_points": 2500},
                                            {"organization": "epicerie", "share_basis_points": 7500}])
    record(client, headers, "T1", 1201, 99, occurred_at=at(2026, 9, 5))
    record(client, headers, "T2", 1201, 99, occurred_at=at(2026, 9, 6))
    settle(app, "boulangerie", SEPTEMBER)
    settle(app, "boulangerie", SEPTEMBER)  # a re-run credits nothing twice
    from campaigns.models import Campaign

    with app.app_context():
        found = db.session.scalar(select(Campaign).where(Campaign.slug == campaign))
        assert (found.roundup_cents, found.raised_cents) == (50, 50)  # 25 % of 198 = 49.5 -> 50


def test_statements_are_read_by_their_merchant_admins_and_beneficiaries_only(client, shops, actors, app):
    beneficiaries = two_beneficiaries(actors, 5000, 5000)
    boulangerie = shops.merchant("boulangerie", beneficiaries=beneficiaries)
    actors.organization("autre")
    librairie = shops.merchant("librairie", beneficiaries=[{"organization": "autre", "share_basis_points": 10_000}])
    record(client, boulangerie, "T1", 1201, 99, occurred_at=at(2026, 9, 5))
    record(client, librairie, "L1", 1201, 99, occurred_at=at(2026, 9, 5))
    mine = settle(app, "boulangerie", SEPTEMBER)
    theirs = settle(app, "librairie", SEPTEMBER)

    assert client.get(f"/api/v1/settlements/{theirs}", headers=boulangerie).status_code == 404
    assert client.get(f"/api/v1/settlements/{theirs}.pdf", headers=boulangerie).status_code == 404
    assert client.get(f"/api/v1/settlements/{theirs}.csv", headers=boulangerie).status_code == 404
    assert [s["id"] for s in client.get("/api/v1/settlements", headers=boulangerie).json] == [mine]

    jardin_finance = actors.user("finance", organization="jardin")
    assert client.get(f"/api/v1/settlements/{theirs}", headers=jardin_finance).status_code == 404
    own_share = client.get(f"/api/v1/settlements/{mine}", headers=jardin_finance).json
    assert [(line["label"], line["amount_cents"]) for line in own_share["lines"]] == [("Association jardin", 49)]
    assert client.get("/api/v1/settlements", headers=actors.user("holder", organization="jardin")).status_code == 403
    assert client.get("/api/v1/settlements").status_code == 401
    assert client.get("/api/v1/settlements", headers=actors.admin()).headers["X-Total-Count"] == "2"


def test_statement_as_csv_and_pdf(client, shops, actors, app):
    import io

    import pdfplumber

    headers = shops.merchant(beneficiaries=two_beneficiaries(actors), match_ratio_percent=100)
    record(client, headers, "T1", 1201, 99, occurred_at=at(2026, 9, 5))
    statement = settle(app, "boulangerie", SEPTEMBER)
    csv_response = client.get(f"/api/v1/settlements/{statement}.csv", headers=headers)
    assert csv_response.mimetype == "text/csv"
    rows = csv_response.get_data(as_text=True).splitlines()
    assert rows[0].split(";")[7:] == ["iban", "reference_paiement", "recu_le"]
    assert rows[1].split(";")[3:7] == ["Association epicerie", "organisme", "66.67", "1.32"]
    assert rows[1].split(";")[8].startswith("RF")  # the transfer's reference, beside the amount
    assert rows[-1].split(";")[3:7] == ["total_du", "total", "", "1.98"]

    pdf = client.get(f"/api/v1/settlements/{statement}.pdf", headers=headers)
    assert pdf.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        text = "\n".join(page.extract_text() for page in document.pages)
    assert "septembre 2026" in text
    assert "Commerce boulangerie" in text
    assert "1,98" in text and "1,32" in text and "0,66" in text


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**12),
       shares=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=10))
def test_any_split_adds_up_exactly_and_follows_the_shares(total, shares):
    parts = split_largest_remainder(total, shares)
    assert sum(parts) == total
    weight = sum(shares)
    for part, share in zip(parts, shares):
        exact = total * share / weight
        assert abs(part - exact) < 1  # never more than one cent away from the exact share


def test_the_monthly_job_settles_the_month_just_ended(client, shops, app, runner):
    from app.formatting import local_today
    from donations.roundup.services.settlement import previous_month

    headers = shops.merchant()
    with app.app_context():
        last_month = previous_month(local_today().replace(day=1))
    record(client, headers, "T1", 1230, 70, occurred_at=at(last_month.year, last_month.month, 15))
    result = runner.invoke(args=["scheduler", "run-job", "roundup.monthly_settlement"])
    assert result.exit_code == 0, result.output
    twice = runner.invoke(args=["scheduler", "run-job", "roundup.monthly_settlement"])
    assert twice.exit_code == 0
    statements = client.get(f"/api/v1/settlements?month={last_month:%Y-%m}", headers=headers).json
    assert [(s["roundup_count"], s["total_cents"], s["status"]) for s in statements] == [(1, 70, "issued")]


def test_an_administrator_marks_a_statement_paid_once(client, shops, actors, app):
    headers = shops.merchant()
    record(client, headers, "T1", 1230, 70, occurred_at=at(2026, 9, 5))
    statement = settle(app, "boulangerie", SEPTEMBER)
    admin = actors.admin()
    assert client.post(f"/api/v1/settlements/{statement}/paid", headers=headers).status_code == 401
    paid = client.post(f"/api/v1/settlements/{statement}/paid", headers=admin)
    assert paid.status_code == 200 and paid.json["status"] == "paid"
    again = client.post(f"/api/v1/settlements/{statement}/paid", headers=admin)
    assert again.status_code == 409


@st.composite
def shares_of_100_percent(draw):
    """2 to 6 shares in basis points that add up to exactly 10 000."""
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=9_999), min_size=1, max_size=5)))
    bounds = [0, *cuts, 10_000]
    return [high - low for low, high in zip(bounds, bounds[1:])]


@settings(max_examples=300, deadline=None)
@given(shares=shares_of_100_percent(), roundups=st.integers(min_value=0, max_value=10**10),
       ratio=st.integers(min_value=0, max_value=1000), cap=st.one_of(st.none(), st.integers(0, 10**8)))
def test_statement_lines_always_add_up_to_the_total(shares, roundups, ratio, cap):
    """Whatever the shares, the match and its cap, the lines of a statement add up to its total exactly,
    and their parts of the merchant's match to the match."""
    from types import SimpleNamespace

    from donations.roundup.models import Settlement
    from donations.roundup.services.settlement import _lines, match_for

    merchant = SimpleNamespace(slug="m", match_ratio_percent=ratio, match_monthly_cap_cents=cap, beneficiaries=[
        SimpleNamespace(organization_id=index + 1, campaign_id=None, share_basis_points=share)
        for index, share in enumerate(shares)])
    organizations = {index + 1: SimpleNamespace(id=index + 1, name=f"Org {index}") for index in range(len(shares))}
    match = match_for(merchant, roundups)
    assert 0 <= match <= roundups * ratio / 100 and (cap is None or match <= cap)
    settlement = Settlement(total_cents=roundups + match, match_cents=match)
    lines = _lines(merchant, settlement, (organizations, {}))
    assert sum(line.amount_cents for line in lines) == settlement.total_cents
    # The merchant's top-up, receipted per line, adds up to its match exactly too.
    assert sum(line.match_cents for line in lines) == match
    for line, share in zip(lines, shares):
        assert abs(line.amount_cents - settlement.total_cents * share / 10_000) < 1
