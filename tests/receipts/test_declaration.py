"""Article 222 bis CGI: the gifts *received* in the year (or the financial year) for which receipts were
issued, whatever day the receipt was issued, cancelled ones excluded — reconciled with the register."""
import csv
import io
from datetime import date

from app.auth.access import session_values
from app.extensions import db


def issue_on(app, donation_id, day):
    """The receipt of a gift, issued on `day` (as the queue would have issued it that day)."""
    from donations.models import Donation
    from receipts.services.issuing import issue_receipts, single_draft

    with app.app_context():
        [receipt] = issue_receipts([single_draft(db.session.get(Donation, donation_id))], issued_on=day)
        db.session.commit()
        return receipt.number


def annual_on(app, year, day):
    """The annual receipts of `year`, issued on `day`."""
    from campaigns import services
    from receipts.services.annual import run_annual

    with app.app_context():
        return run_annual(services.get_organization("asso-test"), year, today=day)[1]


def register_rows(client, headers, year):
    response = client.get(f"/api/v1/receipts/register.csv?year={year}", headers=headers)
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def received_in(row, start, end):
    """A register line's gift date, read as the inspector reads it: a day, or "cumul <year>"."""
    received = row["Date du don"]
    if received.startswith("cumul "):
        received_day = date(int(received[6:]), 12, 31)
    else:
        d, m, y = received.split("/")
        received_day = date(int(y), int(m), int(d))
    return start <= received_day <= end


def cents(text):
    euros, _, rest = text.partition(",")
    return int(euros) * 100 + int(rest)


def test_the_figures_count_money_received_in_the_year_whatever_the_day_of_the_receipt(app, client, finance, gifts):
    campaign = gifts.campaign()
    new_year_eve = gifts.gift(campaign, 10_000, paid_on=date(2025, 12, 31), payment_method="transfer")
    june = gifts.gift(campaign, 2_500, paid_on=date(2025, 6, 15), payment_method="cheque", email="a@example.org")
    company = gifts.gift(campaign, 50_000, donor_type="company", paid_on=date(2025, 9, 9), payment_method="transfer",
                         email="compta@dupont.example")
    january = gifts.gift(campaign, 4_000, paid_on=date(2026, 1, 10), payment_method="transfer", email="b@example.org")
    gifts.gift(campaign, 3_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer",
               email="c@example.org")
    gifts.gift(campaign, 1_050, receipt_choice="annual", paid_on=date(2025, 11, 2), payment_method="cheque",
               email="d@example.org")
    issue_on(app, june, date(2025, 6, 16))
    cancelled = issue_on(app, company, date(2025, 9, 10))
    issue_on(app, new_year_eve, date(2026, 1, 2))  # a gift of 31 December receipted on 2 January
    issue_on(app, january, date(2026, 1, 11))
    assert annual_on(app, 2025, date(2026, 1, 15)) == 2  # annual receipts "cumul 2025" issued in January
    assert client.post(f"/api/v1/receipts/asso-test/{cancelled}/cancel", json={"reason": "Mauvais donateur"},
                       headers=finance).status_code == 200
    gifts.run_job()  # the queue finds every receipt already issued
    assert len(gifts.receipts()) == 6

    figures = client.get("/api/v1/organizations/asso-test/tax-declaration?year=2025", headers=finance).json
    assert (figures["period_start"], figures["period_end"], figures["calendar_year"]) == ("2025-01-01", "2025-12-31", True)
    assert figures["by_article"] == {"200": {"count": 4, "total_cents": 16_550},
                                     "238 bis": {"count": 0, "total_cents": 0},
                                     "978": {"count": 0, "total_cents": 0}}
    assert (figures["count"], figures["total_cents"], figures["cancelled_count"]) == (4, 16_550, 1)
    assert figures["to_declare"] == {"amount_eur": 166, "count": 4}
    # Article 223 CGI: 1 May 2026 is a Friday; Monday 4 and Tuesday 5 May are the working days after it.
    assert figures["deadline"] == "2026-05-05"
    assert [f["form"] for f in figures["forms"]] == ["2065-SD", "2070-SD", "démarches-simplifiées"]
    assert "cadre L" in figures["forms"][0]["where"] and "2065-bis-SD" in figures["forms"][0]["where"]
    later = client.get("/api/v1/organizations/asso-test/tax-declaration?year=2026", headers=finance).json
    assert (later["count"], later["total_cents"]) == (1, 4_000)

    # The register of each year of issue, read back: the valid lines whose money arrived in 2025 give
    # the same count and the same total, to the cent.
    rows = register_rows(client, finance, 2025) + register_rows(client, finance, 2026)
    lines = [r for r in rows if r.get("État") and r["Numéro"][:2] == "20"]
    assert len(lines) == 6
    valid_2025 = [r for r in lines if r["État"] == "Valide" and received_in(r, date(2025, 1, 1), date(2025, 12, 31))]
    assert len(valid_2025) == figures["count"]
    assert sum(cents(r["Montant (€)"]) for r in valid_2025) == figures["total_cents"]
    assert {r["Date du don"] for r in valid_2025} == {"31/12/2025", "15/06/2025", "cumul 2025"}


def test_the_finance_page_offers_the_figures_to_type_with_the_form_and_the_deadline(app, client, actors, gifts):
    actors.organization("asso-test")
    actors.user("finance", organization="asso-test")
    campaign = gifts.campaign()
    issue_on(app, gifts.gift(campaign, 12_345, paid_on=date(2025, 12, 31), payment_method="transfer"), date(2026, 1, 2))
    from app.auth.models import User

    with app.app_context():
        user_id = db.session.query(User.id).filter(User.role == "finance").scalar()
    with app.app_context(), client.session_transaction() as session:
        session.update(session_values(user_id))
    html = client.get("/finance?year=2025").get_data(as_text=True)
    for text in ["Déclaration article 222 bis", "dons reçus en 2025", "À reporter sur la déclaration",
                 "<strong>123 €</strong>", "Nombre de reçus délivrés : <strong>1</strong>", "cadre L du tableau n° 2065-bis-SD",
                 "2070-SD", "demarches-simplifiees.fr", "05/05/2026", "deuxième jour ouvré suivant le 1er mai",
                 "Aucun reçu émis en 2025.", "Registre 2025 (PDF)"]:
        assert text in html, text
    html = client.get("/finance?year=2026").get_data(as_text=True)
    assert "Séquence continue de 2026-000001 à 2026-000001." in html and "Registre 2026 (CSV)" in html


def test_a_financial_year_closing_on_30_june(app, client, actors, finance, gifts):
    admin = actors.admin()
    wrong = client.patch("/api/v1/organizations/asso-test", json={"financial_year_end": "02-30"}, headers=admin)
    assert wrong.status_code == 422 and "financial_year_end" in wrong.json["errors"]
    patched = client.patch("/api/v1/organizations/asso-test", json={"financial_year_end": "06-30"}, headers=admin)
    assert patched.status_code == 200 and patched.json["financial_year_end"] == "06-30"
    campaign = gifts.campaign()
    for amount, day in [(1_000, date(2025, 6, 30)), (2_000, date(2025, 7, 1)), (4_000, date(2026, 6, 30)),
                        (5_000, date(2026, 7, 1))]:
        issue_on(app, gifts.gift(campaign, amount, paid_on=day, payment_method="transfer", email=f"{amount}@example.org"),
                 day)
    gifts.gift(campaign, 3_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer",
               email="annuel@example.org")
    annual_on(app, 2025, date(2026, 1, 15))

    figures = client.get("/api/v1/organizations/asso-test/tax-declaration?year=2026", headers=finance).json
    assert (figures["period_start"], figures["period_end"], figures["calendar_year"]) == ("2025-07-01", "2026-06-30", False)
    # 1 July 2025, the annual receipt "cumul 2025" (its year ends inside this financial year), 30 June 2026.
    assert (figures["count"], figures["total_cents"]) == (3, 9_000)
    assert figures["deadline"] == "2026-09-30"  # three months after the closing
    before = client.get("/api/v1/organizations/asso-test/tax-declaration?year=2025", headers=finance).json
    assert (before["period_start"], before["count"], before["total_cents"]) == ("2024-07-01", 1, 1_000)
