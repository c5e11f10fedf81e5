"""The finance officers' back-office pages (/gestion/dons, /gestion/recus): a cheque recorded by hand
gets its receipt; a refund and a receipt's cancellation each ask for a confirmation; French messages
beside their fields; another organization's officer meets a 404 on every page, nobody signed in is sent
to /connexion; the signature and signatory that receipts need."""
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from campaigns.demo import signature_png
from tests.receipts.conftest import pdf_text
from tests.support import csrf_from, sign_in_as_latest


def _text(answer):
    return re.sub(r"\s+", " ", answer.get_data(as_text=True).replace("&#39;", "'").replace("\u202f", " ")
                  .replace("\xa0", " "))


@pytest.fixture
def books(app, actors, gifts):
    """`asso-test` with a campaign and a cheque already receipted, and `autre-asso` with its own officer."""
    actors.organization("asso-test")
    actors.organization("autre-asso")
    actors.user("finance", organization="autre-asso")
    actors.user("holder", organization="asso-test")
    actors.user("finance", organization="asso-test")
    campaign = gifts.campaign()
    gift = gifts.gift(campaign, 8_000, payment_method="cheque", email="ines@example.org", first_name="Inès",
                      last_name="Garnier")
    gifts.run_job()
    with app.app_context():
        from receipts.models import Receipt

        number = db.session.scalar(select(Receipt.number))
    return {"campaign": campaign, "gift": gift, "number": number}


def _urls(books):
    gift, number = books["gift"], books["number"]
    return [("get", "/gestion/dons"), ("get", "/gestion/dons/nouveau"), ("get", f"/gestion/dons/{gift}"),
            ("post", f"/gestion/dons/{gift}/rembourser"), ("get", f"/gestion/recus/don/{gift}"),
            ("get", f"/gestion/recus/asso-test/{number}"), ("post", f"/gestion/recus/asso-test/{number}/annuler"),
            ("get", "/gestion/recus/reglages")]


def test_every_page_asks_to_sign_in_then_hides_other_organizations(app, client, books):
    for method, path in _urls(books):
        answer = getattr(client, method)(path)
        assert answer.status_code == 302 and "/connexion" in answer.headers["Location"], path

    sign_in_as_latest(client, app, "holder")
    assert client.get("/gestion/dons").status_code == 404  # not a finance page for a project holder

    # The other organization's finance officer: its own pages work, none of asso-test's exist.
    sign_in_as_latest(client, app, "finance1")
    token = csrf_from(client.get("/gestion/dons/nouveau").text)
    assert client.get("/gestion/dons").status_code == 200
    for method, path in _urls(books)[2:-1] + [("get", "/gestion/dons?organisation=asso-test"),
                                            ("get", "/gestion/recus/reglages?organisation=asso-test")]:
        answer = getattr(client, method)(path, **({"data": {"csrf_token": token, "confirm": "1",
                                                              "reason": "Erreur", "amount": "1"}}
                                                   if method == "post" else {}))
        assert answer.status_code == 404, path
    assert "Inès" not in _text(client.get("/gestion/dons"))


def test_a_cheque_with_wrong_values_is_refused_beside_its_fields(app, client, books):
    sign_in_as_latest(client, app, "finance3")
    form = client.get("/gestion/dons/nouveau")
    assert "Campagne 1" in _text(form)
    with app.app_context():
        from app.formatting import local_today

        tomorrow = (local_today() + timedelta(days=1)).isoformat()
    values = {"csrf_token": csrf_from(form.text), "campaign": books["campaign"], "payment_method": "cheque",
              "paid_on": tomorrow, "amount": "douze", "donor_type": "individual", "first_name": "Paul",
              "last_name": "Martin", "email": "paul@example.org", "address_line1": "3 rue Houdan",
              "postal_code": "92330", "city": "Sceaux", "receipt_choice": "per_gift"}
    answer = client.post("/gestion/dons/nouveau", data=values)
    assert answer.status_code == 400
    page = _text(answer)
    assert 'id="amount" name="amount"' in page or 'aria-invalid="true"' in page
    assert "Indiquez un montant en euros, par exemple 50 ou 12,50." in page
    assert 'aria-describedby="amount-erreur"' in page
    # The amount is right now; the service refuses a day still to come, beside the date.
    answer = client.post("/gestion/dons/nouveau", data={**values, "amount": "45,50"})
    assert answer.status_code == 400
    assert "Indiquez le jour où l'argent a été reçu" in _text(answer)
    assert 'aria-describedby="paid_on-aide paid_on-erreur"' in _text(answer)
    with app.app_context():
        from donations.models import Donation

        assert db.session.scalar(select(db.func.count(Donation.id))) == 1  # nothing half-written


def test_a_refund_asks_for_confirmation_and_its_receipt_is_replaced(app, client, books, gifts):
    sign_in_as_latest(client, app, "finance3")
    gift_page = client.get(f"/gestion/dons/{books['gift']}")
    token = csrf_from(gift_page.text)
    refused = client.post(f"/gestion/dons/{books['gift']}/rembourser", data={"csrf_token": token, "amount": "81"})
    assert refused.status_code == 400 and "entre 0,01 € et 80,00 €" in _text(refused)
    asked = client.post(f"/gestion/dons/{books['gift']}/rembourser", data={"csrf_token": token, "amount": "30"})
    assert asked.status_code == 200
    assert "Rembourser <strong>30,00 €</strong> sur le don de 80,00 € (donateur : Inès Garnier) ?" in _text(asked)
    key = re.search(r'name="key" value="([0-9a-f]+)"', asked.text).group(1)
    with app.app_context():
        from campaigns import services

        assert services.get_campaign(books["campaign"]).offline_cents == 8_000  # nothing moved before the yes
    confirm = {"csrf_token": token, "amount": "30,00", "key": key, "confirm": "1"}
    done = client.post(f"/gestion/dons/{books['gift']}/rembourser", data=confirm)
    assert done.status_code == 302
    again = client.post(f"/gestion/dons/{books['gift']}/rembourser", data=confirm)  # the button pressed twice
    assert again.status_code == 302
    with app.app_context():
        assert services.get_campaign(books["campaign"]).offline_cents == 5_000
    page = _text(client.get(f"/gestion/dons/{books['gift']}"))
    assert "Remboursement de 30,00 € enregistré" in page and "Remboursé en partie" in page

    gifts.run_job()  # the receipt is corrected: cancelled and replaced by one of 50 €
    first = _text(client.get(f"/gestion/recus/asso-test/{books['number']}"))
    assert "don remboursé en partie" in first
    replacement = re.search(r"Remplacé par le reçu <a href=\"[^\"]+\">n° (\d{4}-\d{6})</a>", first).group(1)
    second = _text(client.get(f"/gestion/recus/asso-test/{replacement}"))
    assert "50,00 €" in second and "Ce reçu remplace le reçu" in second and "Valable" in second
    listed = re.findall(r"Reçu n° (\d{4}-\d{6})", _text(client.get(f"/gestion/recus/don/{books['gift']}")))
    assert listed == [books["number"], replacement]


def test_a_receipt_is_cancelled_with_a_reason_after_a_confirmation(app, client, books):
    sign_in_as_latest(client, app, "finance3")
    path = f"/gestion/recus/asso-test/{books['number']}"
    token = csrf_from(client.get(path).text)
    refused = client.post(f"{path}/annuler", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 400
    assert 'aria-describedby="motif-aide motif-erreur"' in refused.text and "Indiquez pourquoi" in _text(refused)
    asked = client.post(f"{path}/annuler", data={"csrf_token": token, "reason": "Adresse du donateur erronée"})
    assert "Confirmer l'annulation" in _text(asked) and "Valable" in _text(client.get(path))
    done = client.post(f"{path}/annuler", data={"csrf_token": token, "reason": "Adresse du donateur erronée",
                                                "confirm": "1"})
    assert done.status_code == 302
    page = _text(client.get(path))
    assert "Annulé le" in page and "Adresse du donateur erronée" in page and "Aucun reçu ne le remplace" in page
    pdf = client.get(f"/finance/recus/{books['number']}.pdf")
    assert "ANNULÉ" in pdf_text(pdf.data)[0]
    with app.app_context():
        from app.audit import recent_actions

        _, total = recent_actions(action_prefix="receipt.cancelled")
        assert total == 1


def test_the_signature_and_the_signatory(app, client, actors, books):
    actors.organization("sans-signature", signed=False, rna="W922000009")
    actors.user("finance", organization="sans-signature")
    sign_in_as_latest(client, app, "finance4")
    page = client.get("/gestion/recus/reglages")
    assert "La signature manque." in _text(page)
    token = csrf_from(page.text)
    bad = client.post("/gestion/recus/reglages", data={"signature-csrf_token": token,
                                                      "signature-signature": (io.BytesIO(b"pas une image"), "s.png")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "Choisissez une image PNG ou JPEG" in _text(bad)
    good = client.post("/gestion/recus/reglages", data={"signature-csrf_token": token,
                                                       "signature-signature": (io.BytesIO(signature_png("Zoé")), "s.png")},
                       content_type="multipart/form-data")
    assert good.status_code == 302
    assert "La signature est enregistrée." in _text(client.get("/gestion/recus/reglages"))
    empty = client.post("/gestion/recus/reglages", data={"signataire-csrf_token": token, "signataire-signatory_name": "",
                                                        "signataire-signatory_title": "Trésorière"})
    assert empty.status_code == 400 and "Indiquez le nom de la personne qui signe les reçus." in _text(empty)
    client.post("/gestion/recus/reglages", data={"signataire-csrf_token": token, "signataire-signatory_name": "Zoé Lambert",
                                                 "signataire-signatory_title": "Trésorière"})
    with app.app_context():
        from campaigns import services

        organization = services.get_organization("sans-signature")
        assert (organization.signatory_name, organization.signatory_title) == ("Zoé Lambert", "Trésorière")
        assert organization.signature_png


@pytest.mark.browser
def test_a_finance_officer_records_a_cheque_and_gets_its_receipt(app, live_server, page, actors, gifts):
    from playwright.sync_api import expect

    from tests.support import sideways, violations
    from tests.support import sign_in_browser

    actors.organization("asso-test")
    actors.user("finance", organization="asso-test")
    gifts.campaign()
    sign_in_browser(page, live_server, f"finance{actors._count}@test.example")
    page.goto(live_server + "/gestion")
    page.get_by_role("navigation", name="Menu de gestion").get_by_role("link", name="Dons reçus").click()
    page.get_by_role("link", name="Enregistrer un don hors ligne").click()
    checked = []

    def check_page():
        assert violations(page) == [], page.url
        page.set_viewport_size({"width": 320, "height": 720})
        assert sideways(page) <= 0, page.url
        page.set_viewport_size({"width": 390, "height": 844})
        checked.append(page.url)

    check_page()
    page.get_by_role("radio", name="Chèque").check()
    page.get_by_label("Montant en euros").fill("120")
    page.get_by_label("Référence").fill("Chèque n° 1234567")
    page.get_by_label("Prénom").fill("Marcel")
    page.get_by_label("Nom", exact=True).fill("Dupuis")
    page.get_by_label("Adresse e-mail").fill("marcel.dupuis@example.org")
    page.get_by_label("Adresse", exact=True).fill("8 rue du Lycée")
    page.get_by_label("Code postal").fill("92330")
    page.get_by_label("Ville").fill("Sceaux")
    page.get_by_role("button", name="Enregistrer le don").click()
    expect(page.get_by_role("status")).to_contain_text("enregistré")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Don de 120,00"))
    check_page()

    gifts.run_job()  # the scheduler's minute
    page.get_by_role("link", name="Reçus fiscaux de ce don").click()
    page.get_by_role("link", name=re.compile(r"Reçu n° \d{4}-\d{6}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Reçu n° \d{4}-\d{6}"))
    check_page()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Télécharger le reçu")).click()
    text, _ = pdf_text(Path(download.value.path()).read_bytes())
    assert "Marcel" in text and "Dupuis" in text and "120,00" in text and "chèque" in text.lower()

    # Cancelling asks twice: the reason, then the confirmation.
    page.get_by_label("Motif de l'annulation").fill("Don enregistré sur la mauvaise campagne")
    page.get_by_role("button", name="Annuler le reçu…").click()
    check_page()
    page.get_by_role("button", name="Oui, annuler le reçu").click()
    expect(page.get_by_role("status")).to_contain_text("annulé")
    expect(page.get_by_text("Don enregistré sur la mauvaise campagne")).to_be_visible()
    page.goto(live_server + "/gestion/recus/reglages")
    check_page()
    assert len(checked) == 5
