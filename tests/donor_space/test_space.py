"""The donor's page: gifts and receipts at every organization, a year's ZIP, monthly gifts changed and
stopped on Stripe, the address of future receipts, the data export and erasure; another donor's
gift or receipt is a 404, and without a donor session every page leads to the sign-in page."""
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.donor_space.conftest import pdf_text
from tests.support import csrf_from

MARIE = "marie.curie@example.org"
PIERRE = "pierre@example.org"


def post(client, path, data=None, page="/espace-donateur/mon-espace"):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_from(client.get(page).text)})


def receipt_links(html):
    return re.findall(r'href="(/espace-donateur/recus/[^"]+\.pdf)"', html)


def test_receipts_of_every_organization_and_a_years_zip(app, client, actors, donors):
    actors.organization("asso-deux", name="Les Amis du Jardin")
    first, second = donors.campaign(), donors.campaign(organization="asso-deux")
    donors.gift(first, 5_000, email=MARIE)
    donors.gift(second, 2_000, email=MARIE)
    donors.gift(first, 7_000, email=PIERRE, first_name="Pierre", last_name="Martin")
    donors.run_job()
    home = donors.sign_in(client, MARIE)
    assert "Les Amis du Jardin" in home.text and "50,00" in home.text and "20,00" in home.text
    assert "70,00" not in home.text  # Pierre's gift
    links = receipt_links(home.text)
    assert len(links) == 2
    for link in links:
        pdf = client.get(link)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        text, _ = pdf_text(pdf.data)
        assert "Curie" in text and "Marie" in text and "Martin" not in text

    year = re.search(r'href="/espace-donateur/recus/(\d{4})\.zip"', home.text).group(1)
    archive = client.get(f"/espace-donateur/recus/{year}.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        names = sorted(zipped.namelist())
        assert [name.split("-recu-")[0] for name in names] == ["asso-deux", "asso-test"]
        for name in names:
            text, _ = pdf_text(zipped.read(name))
            assert name.split("-recu-")[1].removesuffix(".pdf") in text and "Curie" in text
    assert client.get(f"/espace-donateur/recus/{int(year) - 1}.zip").status_code == 404

    # Pierre's receipt, by its real number and organization, is a 404 for Marie.
    pierre = app.test_client()
    pierres = receipt_links(donors.sign_in(pierre, PIERRE).text)
    assert len(pierres) == 1 and pierres[0] not in links
    assert client.get(pierres[0]).status_code == 404
    assert pierre.get(pierres[0]).status_code == 200


def test_without_a_donor_session_every_page_leads_to_sign_in(app, client, donors):
    donors.gift(donors.campaign(), email=MARIE)
    donors.run_job()
    for path in ("/espace-donateur/mon-espace", "/espace-donateur/recus/asso-test/2026-000001.pdf",
                 "/espace-donateur/recus/2026.zip", "/espace-donateur/mes-donnees.json",
                 "/espace-donateur/effacement", "/espace-donateur/mensuel/x/arreter"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/espace-donateur"), path
    refused = post(client, "/espace-donateur/adresse", {"address_line1": "1 rue X"}, page="/espace-donateur")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/espace-donateur")


def test_a_monthly_gift_changed_then_stopped_on_stripe(app, client, donors):
    campaign = donors.campaign()
    mine = donors.monthly(campaign, 1_500, email=MARIE)
    theirs = donors.monthly(campaign, 3_000, email=PIERRE)
    home = donors.sign_in(client, MARIE)
    assert "15,00" in home.text and f"/espace-donateur/mensuel/{theirs}/" not in home.text

    wrong = post(client, f"/espace-donateur/mensuel/{mine}/montant", {"amount": "quinze"})
    assert wrong.status_code == 400
    assert f'id="amount-{mine}-error">Indiquez un montant en euros entre' in wrong.text
    assert re.search(rf'id="amount-{mine}"[^>]*aria-invalid="true"', wrong.text.replace("\n", " "))
    assert post(client, f"/espace-donateur/mensuel/{mine}/montant", {"amount": "0,10"}).status_code == 400

    changed = post(client, f"/espace-donateur/mensuel/{mine}/montant", {"amount": "20,50"})
    assert changed.status_code == 302
    subscription = donors.subscription(mine)
    assert subscription["items"]["data"][0]["plan"]["amount"] == 2_050 and subscription.status == "active"
    assert "20,50" in client.get("/espace-donateur/mon-espace").text

    # Another donor's monthly gift: 404, and it runs on.
    assert client.get(f"/espace-donateur/mensuel/{theirs}/arreter").status_code == 404
    assert post(client, f"/espace-donateur/mensuel/{theirs}/arreter").status_code == 404
    assert post(client, f"/espace-donateur/mensuel/{theirs}/montant", {"amount": "5"}).status_code == 404
    assert donors.subscription(theirs).status == "active"

    confirm = client.get(f"/espace-donateur/mensuel/{mine}/arreter")
    assert confirm.status_code == 200 and "Oui, arrêter mon don mensuel" in confirm.text
    assert donors.subscription(mine).status == "active"  # asking is not stopping
    stopped = client.post(f"/espace-donateur/mensuel/{mine}/arreter", data={"csrf_token": csrf_from(confirm.text)})
    assert stopped.status_code == 302
    assert donors.subscription(mine).status == "canceled"
    assert "Arrêté le" in client.get("/espace-donateur/mon-espace").text


def test_the_address_of_future_receipts_leaves_issued_ones_unchanged(app, client, donors):
    from donations.models import Donation
    from receipts.models import Receipt

    campaign = donors.campaign()
    receipted = donors.gift(campaign, 5_000, email=MARIE)
    donors.run_job()
    later = donors.gift(campaign, 3_000, email=MARIE, receipt_choice="annual")
    with app.app_context():
        before = db.session.scalar(select(Receipt).where(Receipt.donor_email == MARIE))
        before = (before.donor, before.pdf_sha256)
    donors.sign_in(client, MARIE)

    bad = post(client, "/espace-donateur/adresse", {"address_line1": "", "postal_code": "9233", "city": "Antony",
                                                    "country": "France"})
    assert bad.status_code == 400
    assert 'id="postal_code-error">Indiquez un code postal à 5 chiffres.' in bad.text
    assert 'aria-invalid="true" aria-describedby="address_line1-error"' in bad.text
    good = post(client, "/espace-donateur/adresse", {"address_line1": "3 avenue Lully", "postal_code": "92160",
                                                     "city": "Antony", "country": "France"})
    assert good.status_code == 302
    with app.app_context():
        assert db.session.get(Donation, later).city == "Antony"
        assert db.session.get(Donation, receipted).city == "Sceaux"  # what its receipt attests
        receipt = db.session.scalar(select(Receipt).where(Receipt.donor_email == MARIE))
        assert (receipt.donor, receipt.pdf_sha256) == before
    assert 'value="3 avenue Lully"' in client.get("/espace-donateur/mon-espace").text


def test_export_then_erasure_keeps_what_receipts_must_keep(app, client, donors):
    from donations.models import Donation
    from receipts.donor_space.models import DonorErasure
    from receipts.models import Receipt

    campaign = donors.campaign()
    receipted = donors.gift(campaign, 5_000, email=MARIE)
    donors.run_job()
    unreceipted = donors.gift(campaign, 2_500, email=MARIE, receipt_choice="annual")  # January's receipt
    monthly = donors.monthly(campaign, 1_000, email=MARIE)
    donors.sign_in(client, MARIE)

    exported = client.get("/espace-donateur/mes-donnees.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    data = json.loads(exported.data)
    assert data["email"] == MARIE
    assert sorted(g["amount_cents"] for g in data["gifts"]) == [1_000, 2_500, 5_000]
    assert [r["amount_cents"] for r in data["receipts"]] == [5_000]
    assert data["receipts"][0]["donor"]["last_name"] == "Curie"

    # A monthly gift still running needs the donor's details: stop it first.
    plan = client.get("/espace-donateur/effacement")
    assert "arrêtez-les d'abord" in plan.text and "Oui, effacer mes données" not in plan.text
    # (the page offers no button; a forged POST is refused all the same)
    assert post(client, "/espace-donateur/effacement").status_code == 302
    with app.app_context():
        assert db.session.get(Donation, unreceipted).email == MARIE  # nothing erased
    post(client, f"/espace-donateur/mensuel/{monthly}/arreter", page=f"/espace-donateur/mensuel/{monthly}/arreter")

    plan = client.get("/espace-donateur/effacement")
    assert "art. L102 B" in plan.text and "art. 17, paragraphe 3, b" in plan.text
    with app.app_context():
        number = db.session.scalar(select(Receipt.number).where(Receipt.donor_email == MARIE))
    assert f"le reçu n° {number}" in plan.text and "jusqu'au" in plan.text
    erased = post(client, "/espace-donateur/effacement", page="/espace-donateur/effacement")
    assert erased.status_code == 302
    with app.app_context():
        gone = db.session.get(Donation, unreceipted)
        assert (gone.email, gone.first_name, gone.last_name, gone.address_line1) == ("", "", "", "")
        assert gone.amount_cents == 2_500 and gone.status.value == "succeeded"
        assert gone.receipt_choice.value == "none"  # no annual receipt made out to nobody
        kept = db.session.get(Donation, receipted)
        assert (kept.email, kept.last_name) == (MARIE, "Curie")
        receipt = db.session.scalar(select(Receipt).where(Receipt.number == number))
        assert receipt.donor["last_name"] == "Curie" and receipt.personal_data_erased_at is None
        erasure = db.session.scalar(select(DonorErasure))
        # The monthly gift's first month waits for its receipt (queued, not yet issued): it is kept too.
        assert (erasure.gifts_erased, erasure.gifts_kept, erasure.receipts_kept) == (1, 2, 1)
        assert MARIE not in erasure.email_hash
    # The session ended with the erasure.
    assert client.get("/espace-donateur/mon-espace").status_code == 302


@pytest.mark.parametrize("choice", ["per_gift"])
def test_the_thank_you_page_links_the_receipt_once_issued(app, client, donors, choice):
    from donations.models import Donation
    from donations.services import donor_token

    gift = donors.gift(donors.campaign(), 5_000, email=MARIE, receipt_choice=choice)
    with app.app_context():
        token = donor_token(db.session.get(Donation, gift))
    thanks = client.get(f"/dons/{token}/merci")
    poll = re.search(r'data-receipt-poll="([^"]+)"', thanks.text).group(1)
    assert "receipt-link.js" in thanks.text
    assert 'href="/espace-donateur"' in thanks.text
    assert client.get(poll).json == {"receipt_url": None}
    assert client.get(poll.replace(token, token[:-2] + "xx")).status_code == 404
    donors.run_job()
    mailed = [m for m in donors.mails_to(MARIE) if "reçu fiscal" in m["Subject"]][-1]
    assert "/espace-donateur" in mailed.get_body(("plain",)).get_content()
    url = client.get(poll).json["receipt_url"]
    pdf = client.get(url)
    assert pdf.status_code == 200 and "Curie" in pdf_text(pdf.data)[0]
    again = client.get(f"/dons/{token}/merci")
    assert f'href="{url}"' in again.text and "data-receipt-poll" not in again.text
