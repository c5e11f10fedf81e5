"""Finance officers' downloads and exports; verification; another organization's officer sees nothing."""
import csv
import hashlib
import io
import zipfile
from datetime import date

import pytest

from app.auth.access import session_values
from app.money import format_eur

from tests.receipts.conftest import pdf_text


@pytest.fixture
def issued(finance, gifts):
    """Three receipts of asso-test: two single (one of a company), one cancelled by a full refund."""
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000, paid_on=date(2026, 2, 1), payment_method="transfer")
    gifts.gift(campaign, 100_000, donor_type="company", payment_method="transfer", email="compta@dupont.example")
    refunded = gifts.gift(campaign, 2_500, email="z@example.org", first_name="Zoé", last_name="Zola")
    gifts.run_job()
    gifts.refund(refunded, 2_500)
    gifts.run_job()
    return [r[0] for r in gifts.receipts()]


def test_downloads_return_the_same_bytes_and_their_sha256(client, finance, issued):
    first = client.get(f"/api/v1/receipts/asso-test/{issued[0]}.pdf", headers=finance)
    second = client.get(f"/api/v1/receipts/asso-test/{issued[0]}.pdf", headers=finance)
    assert first.data == second.data
    digest = hashlib.sha256(first.data).hexdigest()
    assert first.headers["X-Content-SHA256"] == digest
    assert client.get(f"/api/v1/receipts/asso-test/{issued[0]}", headers=finance).json["pdf_sha256"] == digest


def test_list_filters_and_the_222_bis_figures_exclude_cancelled_receipts(client, finance, issued):
    year = date.today().year
    listing = client.get(f"/api/v1/receipts?year={year}", headers=finance)
    assert listing.headers["X-Total-Count"] == "3"
    cancelled = client.get("/api/v1/receipts?status=cancelled", headers=finance).json
    assert [r["donor_name"] for r in cancelled] == ["Zoé Zola"]
    figures = client.get(f"/api/v1/organizations/asso-test/tax-declaration?year={year}", headers=finance).json
    assert figures["count"] == 2 and figures["total_cents"] == 105_000
    assert figures["by_article"] == {"200": {"count": 1, "total_cents": 5_000},
                                     "238 bis": {"count": 1, "total_cents": 100_000},
                                     "978": {"count": 0, "total_cents": 0}}
    assert figures["cancelled_count"] == 1


def test_the_csv_export_opens_right_in_a_french_spreadsheet_and_says_what_each_receipt_covers(
        client, finance, issued, app):
    from donations.models import Donation
    from app.extensions import db

    response = client.get(f"/api/v1/receipts/export.csv?year={date.today().year}", headers=finance)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode("utf-8"))  # UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert [r["Numéro"] for r in rows] == issued
    curie, company, zola = rows
    assert (curie["Donateur"], curie["Adresse"], curie["Code postal"], curie["Montant ouvrant droit à réduction (€)"],
            curie["Article du CGI"], curie["Type de donateur"]) == (
        "Marie Curie", "12 rue des Écoles", "92330", "50,00", "200", "Particulier")
    assert curie["Date du don"] == "01/02/2026" and curie["État"] == "Valide"
    assert curie["Date d'émission"].count("/") == 2 and curie["Cerfa"].startswith("11580")
    with app.app_context():
        gifts = {d.email: d for d in db.session.query(Donation)}
    assert curie["Dons couverts"] == f"{gifts['marie.curie@example.org'].public_id} (01/02/2026, 50,00 €)"
    assert (company["Donateur"], company["Montant ouvrant droit à réduction (€)"], company["Article du CGI"]) == (
        "Boulangerie Dupont SARL", "1000,00", "238 bis")
    # A card gift: the Stripe PaymentIntent that paid it, and the day the money arrived.
    intent = gifts["z@example.org"].stripe_payment_intent_id
    assert intent and zola["Paiements"].startswith(f"{intent} (carte, ")
    assert zola["État"] == "Annulé" and "remboursé" in zola["Motif d'annulation"] and zola["Annulé le"]


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(client, finance, gifts):
    gifts.gift(gifts.campaign(), 5_000, paid_on=date(2026, 2, 1), payment_method="transfer",
               first_name="=HYPERLINK(\"http://x\")", last_name="@Curie")
    gifts.run_job()
    body = client.get(f"/api/v1/receipts/export.csv?year={date.today().year}", headers=finance).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert row["Donateur"] == "'=HYPERLINK(\"http://x\") @Curie"


def test_the_zip_holds_every_pdf_of_the_year_as_stored(client, finance, issued):
    response = client.get(f"/api/v1/receipts/archive.zip?year={date.today().year}", headers=finance)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted([f"recu-{issued[0]}.pdf", f"recu-{issued[1]}.pdf",
                                                 f"recu-{issued[2]}-annule.pdf"])
    single = client.get(f"/api/v1/receipts/asso-test/{issued[0]}.pdf", headers=finance).data
    assert archive.read(f"recu-{issued[0]}.pdf") == single


def test_verification_confirms_number_date_amount_beneficiary_and_nothing_about_the_donor(client, finance, issued, app):
    from receipts.models import Receipt
    from app.extensions import db

    with app.app_context():
        token = db.session.query(Receipt.verification_token).filter_by(number=issued[0]).scalar()
    page = client.get(f"/verifier/asso-test/{issued[0]}?k={token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert issued[0] in html and "50,00" in html and "Association asso-test" in html
    for private in ("Curie", "Marie", "rue des Écoles", "marie.curie"):
        assert private not in html
    wrong = client.get(f"/verifier/asso-test/{issued[0]}?k={token[:-2]}xx")
    assert wrong.status_code == 404 and "50,00" not in wrong.get_data(as_text=True)
    assert client.get(f"/verifier/asso-test/{issued[0]}").status_code == 404
    cancelled = client.get(f"/verifier/asso-test/{issued[2]}?k=" + _token(app, issued[2]))
    assert "annulé" in cancelled.get_data(as_text=True)


def _token(app, number):
    from receipts.models import Receipt
    from app.extensions import db

    with app.app_context():
        return db.session.query(Receipt.verification_token).filter_by(number=number).scalar()


def test_the_qr_code_link_in_the_pdf_opens_the_verification_page(client, finance, issued, app):
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{issued[0]}.pdf", headers=finance).data)
    printed = "".join(text.split())  # the long link wraps over lines
    assert f"/verifier/asso-test/{issued[0]}?k={_token(app, issued[0])}" in printed
    link = f"/verifier/asso-test/{issued[0]}?k={_token(app, issued[0])}"
    assert client.get(link).status_code == 200


def test_a_finance_officer_of_another_organization_gets_404_on_every_receipt_path(client, actors, issued):
    actors.organization("autre")
    other = actors.user("finance", organization="autre")
    number = issued[0]
    year = date.today().year
    for method, path, body in [
        ("get", f"/api/v1/receipts/asso-test/{number}", None),
        ("get", f"/api/v1/receipts/asso-test/{number}.pdf", None),
        ("post", f"/api/v1/receipts/asso-test/{number}/cancel", {"reason": "pour voir"}),
        ("get", "/api/v1/receipts?organization=asso-test", None),
        ("get", f"/api/v1/receipts/export.csv?organization=asso-test&year={year}", None),
        ("get", f"/api/v1/receipts/archive.zip?organization=asso-test&year={year}", None),
        ("post", "/api/v1/receipts/annual", {"organization": "asso-test", "year": year}),
        ("get", f"/api/v1/organizations/asso-test/tax-declaration?year={year}", None),
        ("get", f"/api/v1/receipts/register.csv?organization=asso-test&year={year}", None),
        ("get", f"/api/v1/receipts/register.pdf?organization=asso-test&year={year}", None),
    ]:
        response = getattr(client, method)(path, json=body, headers=other)
        assert response.status_code == 404, (path, response.status_code)
    own = client.get("/api/v1/receipts", headers=other)
    assert own.status_code == 200 and own.json == []
    holder = actors.user("holder", organization="asso-test")
    assert client.get(f"/api/v1/receipts/asso-test/{number}", headers=holder).status_code == 403
    assert client.get(f"/api/v1/receipts/asso-test/{number}").status_code == 401


def test_finance_pages_show_the_list_figures_and_downloads_and_hide_other_organizations(client, actors, issued, app):
    from app.auth.models import User
    from app.extensions import db

    actors.organization("autre")
    actors.user("finance", organization="autre")
    with app.app_context():
        own_id, other_id = [u.id for u in db.session.query(User).filter(User.role == "finance").order_by(User.id)]
    with app.app_context(), client.session_transaction() as session:
        session.update(session_values(own_id))
    page = client.get("/finance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in [issued[0], "Marie Curie", "Boulangerie Dupont SARL", format_eur(105_000), "Déclaration article 222 bis",
                 "Reçus annulés", "remboursé"]:
        assert text in html, text
    pdf = client.get(f"/finance/recus/{issued[0]}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert client.get(f"/finance/export.csv?year={date.today().year}").mimetype == "text/csv"
    with app.app_context(), client.session_transaction() as session:
        session.update(session_values(other_id))
    assert client.get(f"/finance/recus/{issued[0]}.pdf").status_code == 404
    assert client.get("/finance?organization=asso-test").status_code == 404
    assert issued[0] not in client.get("/finance").get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/finance").status_code == 302


@pytest.mark.parametrize("cents, words", [
    (1, "un centime"), (100, "un euro"), (8_000, "quatre-vingts euros"), (7_100, "soixante et onze euros"),
    (100_000_000, "un million d'euros"), (200_101, "deux mille un euros et un centime"),
])
def test_amounts_in_words_as_printed_on_the_receipt(client, finance, gifts, cents, words):
    gifts.gift(gifts.campaign(), cents, payment_method="transfer")  # a million euros is no card payment
    gifts.run_job()
    [(number, *_)] = gifts.receipts()
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance).data)
    assert f"Somme en toutes lettres {words}" in text
