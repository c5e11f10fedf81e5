"""The register for the inspector: every number of the year in order, what became of it, and whether
the sequence has a gap — as CSV and as PDF, for the organization's finance officers only."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import delete

from app.extensions import db

from tests.receipts.conftest import pdf_text


@pytest.fixture
def numbered(client, finance, gifts):
    """Three receipts of asso-test issued today; the second cancelled by the finance officer."""
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000, paid_on=date(2026, 2, 1), payment_method="transfer")
    gifts.gift(campaign, 100_000, donor_type="company", payment_method="transfer", email="compta@dupont.example")
    gifts.gift(campaign, 2_500, paid_on=date(2026, 3, 3), payment_method="cheque", email="z@example.org",
               first_name="Zoé", last_name="Zola")
    gifts.run_job()
    numbers = [r[0] for r in gifts.receipts()]
    cancelled = client.post(f"/api/v1/receipts/asso-test/{numbers[1]}/cancel", json={"reason": "Reçu en double"},
                            headers=finance)
    assert cancelled.status_code == 200
    return numbers


def _rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))


def test_the_register_lists_every_number_in_order_and_says_the_sequence_is_continuous(client, finance, numbered):
    year = numbered[0][:4]
    rows = _rows(client.get(f"/api/v1/receipts/register.csv?year={year}", headers=finance))
    header, lines, check = rows[0], rows[1:4], rows[-1]
    assert header[:8] == ["Numéro", "Date d'émission", "Date du don", "Type de reçu", "Type de donateur",
                          "Article du CGI", "Montant (€)", "État"]
    assert [line[0] for line in lines] == numbered
    first, company, last = (dict(zip(header, line)) for line in lines)
    assert (first["Date du don"], first["Montant (€)"], first["Type de donateur"], first["Article du CGI"],
            first["État"]) == ("01/02/2026", "50,00", "Particulier", "200", "Valide")
    assert (company["Type de donateur"], company["Article du CGI"], company["Montant (€)"], company["État"]) == (
        "Entreprise", "238 bis", "1000,00", "Annulé")
    assert company["Annulé par"].startswith("finance") and company["Motif d'annulation"] == "Reçu en double"
    assert company["Annulé le"].count("/") == 2
    assert last["Date du don"] == "03/03/2026" and last["Montant (€)"] == "25,00"
    assert check == [f"Séquence continue de {numbered[0]} à {numbered[2]}."]


def test_a_missing_number_is_printed(app, client, finance, numbered):
    from receipts.models import Receipt, ReceiptCounter, ReceiptGift

    year = int(numbered[0][:4])
    with app.app_context():
        lost = db.session.query(Receipt.id).filter_by(number=numbered[1]).scalar()
        db.session.execute(delete(ReceiptGift).where(ReceiptGift.receipt_id == lost))
        db.session.execute(delete(Receipt).where(Receipt.id == lost))
        db.session.query(ReceiptCounter).filter_by(year=year).update({"last_sequence": 4})
        db.session.commit()
    rows = _rows(client.get(f"/api/v1/receipts/register.csv?year={year}", headers=finance))
    assert [r[0] for r in rows[1:3]] == [numbered[0], numbered[2]]
    assert rows[-1] == [f"Séquence discontinue de {year}-000001 à {year}-000004 : 2 numéros manquants "
                        f"({numbered[1]}, {year}-000004)."]
    text, _ = pdf_text(client.get(f"/api/v1/receipts/register.pdf?year={year}", headers=finance).data)
    assert "2 numéros manquants" in text and numbered[1] in text


def test_the_register_pdf_reads_as_the_csv(client, finance, numbered):
    year = numbered[0][:4]
    response = client.get(f"/api/v1/receipts/register.pdf?year={year}", headers=finance)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, pages = pdf_text(response.data)
    assert pages == 1
    for mention in [f"Registre des reçus fiscaux émis en {year}", "Association asso-test",
                    f"Séquence continue de {numbered[0]} à {numbered[2]}.", *numbered, "01/02/2026", "50,00 €",
                    "1 000,00 €", "Annulé", "Reçu en double", "Entreprise", "238 bis",
                    "3 reçus : 2 valides pour 75,00 €, 1 annulé."]:
        assert mention in " ".join(text.split()) or mention.replace(" ", "\u202f") in text, mention


def test_only_the_organizations_finance_officers_and_admins_read_the_register(client, actors, finance, numbered):
    year = numbered[0][:4]
    actors.organization("autre")
    other = actors.user("finance", organization="autre")
    for path in [f"/api/v1/receipts/register.csv?organization=asso-test&year={year}",
                 f"/api/v1/receipts/register.pdf?organization=asso-test&year={year}"]:
        assert client.get(path, headers=other).status_code == 404
        assert client.get(path, headers=actors.admin()).status_code == 200
        assert client.get(path, headers=actors.user("holder", organization="asso-test")).status_code == 403
    own = _rows(client.get(f"/api/v1/receipts/register.csv?year={year}", headers=other))
    assert own[-1] == [f"Aucun reçu émis en {year}."]
