"""A gift succeeds, the job issues its receipt within the minute, the finance officer reads the PDF."""
from datetime import date

from tests.receipts.conftest import pdf_text


def download(client, headers, number, organization="asso-test"):
    response = client.get(f"/api/v1/receipts/{organization}/{number}.pdf", headers=headers)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    return response


def test_an_individual_gift_gets_a_receipt_with_every_mention_of_cerfa_11580(client, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 12_345, paid_on=date(2026, 11, 20), payment_method="transfer", address_line2="Bâtiment B")
    assert gifts.receipts() == []  # nothing is issued inside the gift's own transaction
    assert gifts.run_job() == 1
    [(number, status, amount, kind)] = gifts.receipts()
    assert (status, amount, kind) == ("issued", 12_345, "single")
    assert number == f"{date.today().year}-000001"
    text, pages = pdf_text(download(client, finance, number).data)
    assert pages == 1
    for mention in [
        "Cerfa n° 11580*05", "Numéro d'ordre du reçu", number,
        "Association asso-test", "W922000001", "1 rue Houdan", "92330 Sceaux", "Soutien aux habitants du territoire.",
        "Œuvre ou organisme d'intérêt général",
        "Curie", "Marie", "12 rue des Écoles, Bâtiment B, 92330 Sceaux",
        "123,45 €", "cent vingt-trois euros et quarante-cinq centimes", "20/11/2026",
        "200 du CGI", "978 du CGI", "Déclaration de don manuel", "Numéraire",
        "Virement, prélèvement, carte bancaire", "Fait à Sceaux", "Camille Petit", "Présidente",
        "1740 A",
    ]:
        assert mention in text, mention
    assert "/verifier/asso-test/" + number in "".join(text.split())  # the QR code's link, printed below it


def test_a_company_gift_gets_a_cerfa_16216_under_article_238_bis(client, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 250_000, donor_type="company", payment_method="transfer")
    gifts.run_job()
    [(number, _, amount, _)] = gifts.receipts()
    text, pages = pdf_text(download(client, finance, number).data)
    assert pages == 1 and amount == 250_000
    for mention in ["Cerfa n° 16216*02", "Entreprise donatrice", "Boulangerie Dupont SARL", "SARL",
                    "732 829 320", "2 500,00 €", "deux mille cinq cents euros", "238 bis du CGI"]:
        assert mention in text, mention
    assert "978 du CGI" not in text
    detail = client.get(f"/api/v1/receipts/asso-test/{number}", headers=finance).json
    assert detail["article"] == "238 bis" and detail["cerfa"] == "16216*02"


def test_a_75_percent_organization_prints_its_quality_and_the_75_percent_rule(client, actors, gifts):
    actors.organization("epicerie", receipt_regime="aid_to_people_in_difficulty", category="public_utility",
                        siren="775672272", rna=None)
    headers = actors.user("finance", organization="epicerie")
    gifts.gift(gifts.campaign("epicerie"), 30_000)
    gifts.run_job()
    [(number, *_)] = gifts.receipts("epicerie")
    text, _ = pdf_text(download(client, headers, number, "epicerie").data)
    for mention in ["775 672 272", "Association ou fondation reconnue d'utilité publique", "75 %", "300,00 €"]:
        assert mention in text, mention


def test_a_reward_is_deducted_from_the_amount_that_earns_the_reduction(client, finance, gifts):
    gifts.gift(gifts.campaign(), 10_000, fair_value_cents=2_000)
    gifts.run_job()
    [(number, _, amount, _)] = gifts.receipts()
    assert amount == 8_000
    text, _ = pdf_text(download(client, finance, number).data)
    assert "80,00 €" in text and "quatre-vingts euros" in text
    assert "100,00 €" in text and "20,00 €" in text  # gift and the reward's value, stated


def test_annual_choice_none_and_ineligible_organizations_get_no_single_receipt(gifts, actors, finance):
    gifts.gift(gifts.campaign(), 5_000, receipt_choice="annual")
    gifts.gift(gifts.campaign(), 5_000, receipt_choice="none")
    actors.organization("club", receipt_regime="not_eligible")
    gifts.gift(gifts.campaign("club"), 5_000)
    assert gifts.run_job() == 0
    assert gifts.receipts() == [] and gifts.receipts("club") == []


def test_all_or_nothing_receipts_wait_for_the_campaign_to_succeed(gifts, finance):
    campaign = gifts.campaign(funding_model="all_or_nothing", goal_cents=10_000)
    gifts.gift(campaign, 5_000)
    gifts.gift(campaign, 7_000, email="paul@example.org")
    gifts.run_job()
    assert gifts.receipts() == []
    assert gifts.close(campaign) == "succeeded"
    assert gifts.run_job() == 2
    assert [r[2] for r in gifts.receipts()] == [5_000, 7_000]


def test_a_failed_all_or_nothing_campaign_issues_nothing(gifts, finance, app):
    from donations.jobs import refund_failed_campaigns

    campaign = gifts.campaign(funding_model="all_or_nothing", goal_cents=10_000)
    gifts.gift(campaign, 5_000)
    assert gifts.close(campaign) == "failed"
    with app.app_context():
        assert refund_failed_campaigns() == 1  # the donations job gives the money back through Stripe
    gifts.run_job()
    assert gifts.receipts() == []


def test_the_job_issues_each_receipt_once_however_often_it_runs(gifts, finance):
    campaign = gifts.campaign()
    gifts.gift(campaign, 5_000)
    gifts.gift(campaign, 6_000, email="b@example.org")
    assert gifts.run_job() == 2
    assert gifts.run_job() == 0
    numbers = [r[0] for r in gifts.receipts()]
    assert [n[-6:] for n in numbers] == ["000001", "000002"]


def test_a_replayed_success_signal_queues_nothing_twice(gifts, finance, app):
    from donations.models import Donation
    from donations.signals import gift_succeeded
    from app.extensions import db

    gift = gifts.gift(gifts.campaign(), 5_000)
    with app.app_context():
        gift_succeeded.send(db.session.get(Donation, gift))
        db.session.commit()
    assert gifts.run_job() == 1
    assert len(gifts.receipts()) == 1


def test_the_donor_is_emailed_a_signed_link_to_their_receipts(client, finance, gifts, app):
    from pathlib import Path

    outbox = Path(app.config["OUTBOX_DIR"])
    before = set(outbox.glob("*.eml"))  # the outbox is shared by the whole run
    gifts.gift(gifts.campaign(), 5_000)
    gifts.run_job()
    [(number, *_)] = gifts.receipts()
    [mail] = [p for p in set(outbox.glob("*marie.curie*.eml")) - before if number in p.read_text(errors="ignore")]
    import email

    message = email.message_from_bytes(mail.read_bytes())
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/recus/" in line).strip()
    path = link.split("127.0.0.1", 1)[-1].split(":", 1)[-1]
    path = path[path.index("/recus/"):]
    page = client.get(path)
    assert page.status_code == 200 and number in page.get_data(as_text=True)
    token = path.rsplit("/", 1)[-1]
    pdf = client.get(f"/api/v1/receipts/asso-test/{number}.pdf?token={token}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert client.get(f"/api/v1/receipts/asso-test/{number}.pdf?token={token}x").status_code == 404
