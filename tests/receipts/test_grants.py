"""A partner's grant is a promise until the partner pays it: a company's payment earns a Cerfa 16216
receipt dated the day the money arrived; a public body's earns none."""
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from tests.receipts.conftest import pdf_text


def _grant(app, campaign, partner, amount_cents):
    """The administrator records the partner's grant, as the campaigns service does."""
    from campaigns import services

    with app.app_context():
        services.record_grant(services.get_campaign(campaign), services.get_partner(partner).id, amount_cents,
                              reference=f"convention-{partner}")
        db.session.commit()


def _pay(client, admin, partner, campaign, amount_cents, received_on):
    response = client.post(f"/api/v1/partners/{partner}/payments", headers=admin, json={
        "campaign": campaign, "amount_cents": amount_cents, "received_on": received_on.isoformat(),
        "method": "transfer", "reference": f"virement-{partner}"})
    assert response.status_code == 201, response.json
    return response.json


def _outcomes(app):
    from receipts.models import ReceiptRequest

    with app.app_context():
        return db.session.execute(select(ReceiptRequest.partner_payment_id, ReceiptRequest.outcome,
                                         ReceiptRequest.processed_at.isnot(None))
                                  .where(ReceiptRequest.partner_payment_id.isnot(None))).all()


def test_a_company_partners_grant_is_receipted_once_paid(app, client, actors, finance, gifts):
    admin = actors.admin()
    actors.partner("imprimerie", kind="company", name="Imprimerie Lavoisier SAS", legal_form="SAS",
                   siren="552100554", address_line1="3 avenue de la Gare", postal_code="92330", city="Sceaux")
    campaign = gifts.campaign()
    _grant(app, campaign, "imprimerie", 150_000)
    assert gifts.run_job() == 0  # a grant agreement is not money received: nothing queued
    assert gifts.receipts() == []
    received_on = date.today() - timedelta(days=1)
    _pay(client, admin, "imprimerie", campaign, 150_000, received_on)
    assert gifts.receipts() == []  # nothing is issued inside the payment's own transaction
    assert gifts.run_job() == 1
    [(number, status, amount, kind)] = gifts.receipts()
    assert (status, amount, kind) == ("issued", 150_000, "single")
    response = client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance)
    assert response.status_code == 200
    text, pages = pdf_text(response.data)
    assert pages == 1
    for mention in ["Cerfa n° 16216", "Imprimerie Lavoisier SAS", "SAS", "552 100 554",
                    "3 avenue de la Gare", "1 500,00 €", "mille cinq cents euros", "238 bis du CGI",
                    received_on.strftime("%d/%m/%Y")]:
        assert mention in text, mention
    [(_, outcome, processed)] = _outcomes(app)
    assert processed and outcome == f"issued {number}"
    assert gifts.run_job() == 0  # the row is done: a second run issues nothing


def test_a_public_bodys_grant_gets_no_receipt_and_the_queue_says_why(app, client, actors, finance, gifts):
    actors.partner("ville", kind="public_body", name="Ville de Sceaux", siren="219200714")
    campaign = gifts.campaign()
    _grant(app, campaign, "ville", 500_000)
    _pay(client, actors.admin(), "ville", campaign, 500_000, date.today())
    assert gifts.run_job() == 1
    assert gifts.receipts() == []
    [(_, outcome, processed)] = _outcomes(app)
    assert processed and outcome == "partner is a public_body: no receipt"


def test_a_grant_to_an_all_or_nothing_campaign_waits_for_its_success(app, client, actors, finance, gifts):
    actors.partner("imprimerie", kind="company", name="Imprimerie Lavoisier SAS", siren="552100554")
    campaign = gifts.campaign(funding_model="all_or_nothing", goal_cents=100_000)
    _grant(app, campaign, "imprimerie", 100_000)
    _pay(client, actors.admin(), "imprimerie", campaign, 100_000, date.today())
    gifts.run_job()
    assert gifts.receipts() == []
    assert gifts.close(campaign) == "succeeded"
    assert gifts.run_job() == 1
    assert [r[2] for r in gifts.receipts()] == [100_000]
