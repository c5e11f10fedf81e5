"""/gestion/tresorerie, the association treasurer's page: bank details with French messages beside their field,
transfers marked received after a confirmation, the journal downloaded; nobody else reaches it."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from app.extensions import db
from tests.accounting.conftest import IBAN_A, last_month
from tests.roundup.conftest import record, settle
from tests.support import csrf_from, sign_in_as_latest

PAGE = "/gestion/tresorerie"


def test_the_treasurer_sets_bank_details_marks_a_transfer_and_downloads_the_journal(app, client, actors, shops):
    from campaigns.models import Organization
    from donations.roundup.models import SettlementLine

    actors.organization("asso-a", siren="552100554")
    headers = shops.merchant(beneficiaries=[{"organization": "asso-a", "share_basis_points": 10_000}])
    month = last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    assert record(client, headers, "T1", 901, 99, occurred_at=when).status_code == 201
    settlement_id = settle(app, "boulangerie", month)
    actors.user("finance", organization="asso-a")
    sign_in_as_latest(client, app, "finance")

    home = client.get("/gestion")  # the treasurer's home says what it awaits, and that the IBAN is missing
    assert "Virements de commerçants attendus : <strong>1</strong>" in home.text
    assert "Coordonnées bancaires à renseigner" in home.text
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Virements des commerçants" in page.text and "Commerce boulangerie" in page.text and "0,99" in page.text

    # A wrong IBAN: a French message next to the field, linked to it; nothing saved.
    wrong = client.post(f"{PAGE}/coordonnees-bancaires", data={
        "csrf_token": csrf_from(page.text), "iban": "FR76 3000 6000 0112 3456 7890 188", "account_holder": "Asso A"})
    assert wrong.status_code == 400
    assert 'aria-invalid="true"' in wrong.text and 'aria-describedby="iban-aide iban-erreur"' in wrong.text
    assert "Cet IBAN n&#39;est pas valable : recopiez-le" in wrong.text
    saved = client.post(f"{PAGE}/coordonnees-bancaires", data={
        "csrf_token": csrf_from(page.text), "iban": IBAN_A.lower(), "bic": "", "account_holder": "Association A"},
        follow_redirects=True)
    assert saved.status_code == 200 and "Coordonnées bancaires enregistrées" in saved.text
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.slug == "asso-a"))
        assert (organization.bank_iban, organization.bank_account_holder) == (IBAN_A, "Association A")

    # Marking the transfer received asks first; only the confirmed form changes anything.
    today = date.today().isoformat()
    url = f"{PAGE}/releves/{settlement_id}/recu"
    unconfirmed = client.post(url, data={"csrf_token": csrf_from(saved.text), "day": today}, follow_redirects=True)
    assert "confirmez" in unconfirmed.text
    with app.app_context():
        assert db.session.scalar(select(SettlementLine.paid_on)) is None
    done = client.post(url, data={"csrf_token": csrf_from(saved.text), "day": today, "confirm": "1"},
                       follow_redirects=True)
    assert "marqué reçu le" in done.text and "Aucun virement de commerçant attendu" in done.text
    with app.app_context():
        assert db.session.scalar(select(SettlementLine.paid_on)) == date.today()
    home = client.get("/gestion")
    assert "Virements de commerçants attendus : <strong>0</strong>" in home.text
    assert "Coordonnées bancaires à renseigner" not in home.text

    # The journal of the month: a FEC file named after the SIREN, the transfer in it.
    first = date.today().replace(day=1).isoformat()
    fec = client.get(f"{PAGE}/ecritures?du={first}&au={today}&format=fec")
    assert fec.status_code == 200
    assert f'filename="552100554FEC{date.today():%Y%m%d}.txt"' in fec.headers["Content-Disposition"]
    assert "75410000\tDons manuels" in fec.data.decode("iso-8859-15")
    assert client.get(f"{PAGE}/ecritures").status_code == 200  # the address alone is the page
    backwards = client.get(f"{PAGE}/ecritures?du={today}&au=2020-01-01&format=csv")
    assert backwards.status_code == 400 and "Le dernier jour vient après le premier" in backwards.text


def test_nobody_else_reaches_the_treasury(app, client, actors, shops):
    actors.organization("asso-a")
    actors.organization("asso-b")
    headers = shops.merchant(beneficiaries=[{"organization": "asso-a", "share_basis_points": 10_000}])
    month = last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    assert record(client, headers, "T1", 901, 99, occurred_at=when).status_code == 201
    settlement_id = settle(app, "boulangerie", month)

    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/connexion" in anonymous.headers["Location"]
    actors.user("holder", organization="asso-a")
    sign_in_as_latest(client, app, "holder")
    assert client.get(PAGE).status_code == 404
    actors.user("finance", organization="asso-b")
    sign_in_as_latest(client, app, "finance")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Commerce boulangerie" not in page.text
    other = client.post(f"{PAGE}/releves/{settlement_id}/recu",
                        data={"csrf_token": csrf_from(page.text), "day": date.today().isoformat(), "confirm": "1"})
    assert other.status_code == 404
