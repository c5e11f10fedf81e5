"""No receipt leaves unsigned: the queue waits for the organization's signature and the finance page
says why. A cancelled receipt is visibly cancelled: its download carries the "ANNULÉ" mark, the donor
is told, and the verification page says so."""
import email
import email.policy
import hashlib
import io
import re
from pathlib import Path

import pdfplumber
from PIL import Image
from sqlalchemy import select

from app.auth.access import session_values
from app.extensions import db
from tests.receipts.conftest import pdf_text


def _session_of(client, app, email_prefix="finance"):
    from app.auth.models import User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email.like(f"{email_prefix}%"))
                                    .order_by(User.id.desc()))
    with app.app_context(), client.session_transaction() as session:
        session.update(session_values(user_id))


def _requests(app, organization):
    from campaigns import services
    from donations.models import Donation
    from receipts.models import ReceiptRequest

    with app.app_context():
        org = services.get_organization(organization)
        rows = db.session.execute(select(ReceiptRequest.outcome, ReceiptRequest.processed_at)
                                  .join(Donation, Donation.id == ReceiptRequest.donation_id)
                                  .where(Donation.organization_id == org.id)).all()
        return [(outcome, processed is not None) for outcome, processed in rows]


def test_no_receipt_is_issued_before_the_signature_and_the_finance_page_says_why(app, client, actors, gifts):
    actors.organization("sans-signature", signed=False)
    headers = actors.user("finance", organization="sans-signature")
    campaign = gifts.campaign("sans-signature")
    gifts.gift(campaign, 2_000)
    gifts.gift(campaign, 3_000)
    gifts.run_job()
    assert gifts.receipts("sans-signature") == []
    assert _requests(app, "sans-signature") == [("en attente de la signature de l'organisme", False)] * 2
    gifts.run_job()  # a second run changes nothing while the signature is missing
    assert gifts.receipts("sans-signature") == []

    _session_of(client, app)
    html = client.get("/finance").get_data(as_text=True)
    for text in ["Aucun reçu ne peut être émis : signature manquante", "2 reçus en attente",
                 "de la signature de l'organisme", "Que faire : déposez ci-dessous l'image de la signature"]:
        assert text in html, text

    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 30, 90)).save(buffer, "JPEG")
    uploaded = client.put("/api/v1/organizations/sans-signature/signature", headers=headers,
                          data={"signature": (io.BytesIO(buffer.getvalue()), "signature.jpg")},
                          content_type="multipart/form-data")
    assert uploaded.status_code == 200, uploaded.json
    gifts.run_job()
    issued = gifts.receipts("sans-signature")
    assert [(status, amount) for _, status, amount, _ in issued] == [("issued", 2_000), ("issued", 3_000)]
    assert all(processed for _, processed in _requests(app, "sans-signature"))
    assert "signature manquante" not in client.get("/finance").get_data(as_text=True)
    pdf = client.get(f"/api/v1/receipts/sans-signature/{issued[0][0]}.pdf", headers=headers).data
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages[0].images) >= 2  # the QR code and the signature


def test_the_finance_page_takes_the_signature_itself(app, client, actors, gifts):
    actors.organization("sans-signature", signed=False)
    actors.user("finance", organization="sans-signature")
    gifts.gift(gifts.campaign("sans-signature"), 2_000)
    gifts.run_job()
    _session_of(client, app)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (20, 30, 90)).save(buffer, "PNG")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/finance").get_data(as_text=True)).group(1)
    refused = client.post("/finance/signature", content_type="multipart/form-data", follow_redirects=True,
                          data={"csrf_token": token, "signature": (io.BytesIO(b"pas une image"), "s.png")})
    assert "Image refusée" in refused.get_data(as_text=True)
    assert gifts.run_job() == 0 or gifts.receipts("sans-signature") == []
    done = client.post("/finance/signature", content_type="multipart/form-data", follow_redirects=True,
                       data={"csrf_token": token, "signature": (io.BytesIO(buffer.getvalue()), "s.png")})
    assert "Signature enregistrée" in done.get_data(as_text=True)
    gifts.run_job()
    assert [status for _, status, _, _ in gifts.receipts("sans-signature")] == ["issued"]


def _stored(app, number):
    from receipts.models import Receipt

    with app.app_context():
        receipt = db.session.scalar(select(Receipt).where(Receipt.number == number))
        return receipt.pdf, receipt.pdf_sha256, receipt.verification_token


def _mail_to(app, email, number, before):
    outbox = Path(app.config["OUTBOX_DIR"])
    return [p.read_bytes() for p in set(outbox.glob(f"*{email}*.eml")) - before
            if number in p.read_text(errors="ignore") and "annul" in p.read_text(errors="ignore")]


def test_a_cancelled_receipt_downloads_with_its_mark_and_the_donor_is_told(app, client, finance, gifts):
    gifts.gift(gifts.campaign(), 6_000, email="leon.blum@example.org", first_name="Léon", last_name="Blum")
    gifts.run_job()
    [(number, *_)] = gifts.receipts()
    issued = client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance).data
    before = set(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))

    cancelled = client.post(f"/api/v1/receipts/asso-test/{number}/cancel", headers=finance,
                            json={"reason": "nom du donateur mal orthographié"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    first = client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance)
    second = client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance)
    assert first.data == second.data != issued  # rendered once, the same bytes every time
    assert first.headers["X-Content-SHA256"] == hashlib.sha256(first.data).hexdigest()
    text, pages = pdf_text(first.data)
    assert pages == 1
    from app.formatting import local_today

    with app.app_context():
        today = local_today().strftime("%d/%m/%Y")
    for mention in ["ANNULÉ", f"REÇU ANNULÉ le {today}", "Motif : nom du donateur mal orthographié",
                    "remplacé par aucun autre", number, "Blum"]:
        assert mention in text, mention
    pdf, sha256, token = _stored(app, number)
    assert pdf == issued and sha256 == hashlib.sha256(issued).hexdigest()  # the receipt as issued, unchanged

    [mail] = _mail_to(app, "leon.blum", number, before)
    message = email.message_from_bytes(mail, policy=email.policy.default)
    assert message["To"] == "leon.blum@example.org"
    assert message["Subject"] == f"Votre reçu fiscal n° {number} est annulé — Association asso-test"
    body = message.get_body(("plain",)).get_content()
    assert "Motif : nom du donateur mal orthographié" in body and "ANNULÉ" in body
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == f"recu-{number}-annule.pdf" and attachment.get_content() == first.data

    page = client.get(f"/verifier/asso-test/{number}?k={token}").get_data(as_text=True)
    assert "Ce reçu a été annulé" in page and today in page
    assert "Reçu émis par Association asso-test" in page


def test_a_refund_names_the_replacing_receipt_on_the_cancelled_one(app, client, finance, gifts):
    gift = gifts.gift(gifts.campaign(), 10_000)
    gifts.run_job()
    gifts.refund(gift, 4_000)
    gifts.run_job()
    (old, old_status, _, _), (new, new_status, new_amount, _) = gifts.receipts()
    assert (old_status, new_status, new_amount) == ("cancelled", "issued", 6_000)
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{old}.pdf", headers=finance).data)
    for mention in ["ANNULÉ", "Motif : don remboursé en partie (40,00 € rendus)", f"Remplacé par le reçu n° {new}"]:
        assert mention in text, mention
    _, _, token = _stored(app, old)
    page = client.get(f"/verifier/asso-test/{old}?k={token}").get_data(as_text=True)
    assert "annulé" in page and f"remplacé par le reçu n° {new}" in page
