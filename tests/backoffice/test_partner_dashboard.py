"""/gestion/partenaire/<slug>: a partner's own dashboard — pledges, paid and due, its summary on screen
with its chart, and the PDF and CSV downloads — and nobody else's."""
import csv
import io

import pdfplumber

from app.extensions import db
from app.formatting import local_today
from campaigns import services
from tests.support import sign_in_as_latest


def test_partner_dashboard_pages_need_the_partner_or_an_administrator(app, client, actors):
    mine = actors.partner("banque")
    other = actors.partner("assureur")
    actors.user("partner", partner=mine)
    actors.user("partner", partner=other)
    organization = actors.organization()
    actors.user("finance", organization=organization)
    paths = ["/gestion/partenaire", f"/gestion/partenaire/{mine}", f"/gestion/partenaire/{mine}/bilan.pdf",
             f"/gestion/partenaire/{mine}/bilan.csv"]
    for path in paths:
        assert client.get(path).headers["Location"].startswith("/connexion?next="), path
    sign_in_as_latest(client, app, "partner")  # the latest: the other partner's user
    assert client.get("/gestion/partenaire").headers["Location"] == f"/gestion/partenaire/{other}"
    for path in paths[1:]:
        assert client.get(path).status_code == 404, path
    sign_in_as_latest(client, app, "finance")
    for path in paths:
        assert client.get(path).status_code == 404, path
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    assert client.get(f"/gestion/partenaire/{mine}").status_code == 200


def test_a_partner_reads_its_pledges_dues_and_summary_and_downloads_it(app, client, actors, money):
    organization = actors.organization()
    partner = actors.partner("banque")
    garden = money.campaign(organization)
    stage = money.campaign(organization, title="Une scène pour le théâtre")
    money.pledge(garden, partner, 100_000)
    money.gift(garden, 4_000)
    money.grant(garden, partner, 20_000, reference="CONV-7")
    money.pledge(stage, partner, 30_000)  # nothing matched yet
    with app.app_context():
        services.record_partner_payment(services.get_partner(partner), services.get_campaign(garden),
                                        amount_cents=5_000, received_on=local_today(), method="transfer",
                                        reference="VIR-1")
        db.session.commit()
    actors.user("partner", partner=partner)
    sign_in_as_latest(client, app, "partner")

    home = client.get("/gestion").text
    assert "Vos engagements" in home and "190,00" in home  # 40 + 200 - 50 due
    page = client.get(f"/gestion/partenaire/{partner}")
    assert page.status_code == 200
    text = page.text
    assert "Une scène pour le théâtre" in text and "300,00" in text  # the stage's pledge, all of it left
    assert "960,00" in text  # 1 000 € cap, 40 € used
    assert "<svg" in text and 'role="img"' in text
    assert "1 € de votre part a mobilisé 0,17 € de citoyens." in text  # 40 € for 240 €

    bad = client.get(f"/gestion/partenaire/{partner}?du=2026-12-31&au=2026-01-01")
    assert bad.status_code == 400 and "La période finit avant de commencer." in bad.text
    assert 'aria-invalid="true"' in bad.text

    pdf = client.get(f"/gestion/partenaire/{partner}/bilan.pdf")
    assert pdf.mimetype == "application/pdf"
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        pdf_text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "Bilan de financement — Partenaire banque" in pdf_text and "Une scène pour le théâtre" in pdf_text
    csv_rows = list(csv.DictReader(io.StringIO(client.get(f"/gestion/partenaire/{partner}/bilan.csv")
                                               .data.decode("utf-8-sig")), delimiter=";"))
    assert [row["campaign_title"] for row in csv_rows][-1] == "Partenaire banque"
    assert {row["pledge_left_cents"] for row in csv_rows[:-1]} == {"96000", "30000"}
    assert client.get(f"/gestion/partenaire/{partner}/bilan.csv?du=pas-une-date").status_code == 400
