"""Partners pay the associations: a monthly call for funds per partner and campaign, with the association's bank
details and a reference; marking it received records the partner's payment, and its receipt follows."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select, update
from stdnum import iso11649

from app.extensions import db
from tests.accounting.conftest import IBAN_A, last_month
from tests.receipts.conftest import pdf_text


def _grant(app, campaign, partner, cents, on: date):
    """The partner's grant, written as if recorded at noon on `on` (the test moves it back in time)."""
    from campaigns import services
    from campaigns.models import Contribution

    with app.app_context():
        line = services.record_grant(services.get_campaign(campaign), services.get_partner(partner).id, cents)
        db.session.execute(update(Contribution).where(Contribution.id == line.id).values(
            created_at=datetime.combine(on, time(12), timezone.utc)))
        db.session.commit()


def test_a_partner_is_called_monthly_and_the_association_marks_the_money_received(app, client, actors, gifts):
    from campaigns.models import PartnerPayment

    actors.organization("asso-a", bank_iban=IBAN_A, bank_account_holder="Association A")
    actors.organization("asso-b")
    actors.partner("imprimerie", name="Imprimerie Lavoisier SAS")
    actors.partner("autre")
    campaign = gifts.campaign("asso-a")
    month = last_month()
    _grant(app, campaign, "imprimerie", 30_000, month - timedelta(days=20))  # owed from before the month
    _grant(app, campaign, "imprimerie", 12_345, month + timedelta(days=5))  # the month's
    _grant(app, campaign, "imprimerie", 5_000, date.today())  # this month: next call
    admin = actors.admin()

    issued = client.post("/api/v1/calls-for-funds", json={"month": f"{month:%Y-%m}"}, headers=admin)
    assert issued.status_code == 200, issued.json
    [call] = issued.json
    assert (call["partner"]["slug"], call["campaign"]["slug"], call["organization"]["slug"]) == (
        "imprimerie", campaign, "asso-a")
    assert (call["earlier_cents"], call["month_cents"], call["amount_cents"]) == (30_000, 12_345, 42_345)
    assert call["organization"]["iban_formatted"] == "FR76 3000 6000 0112 3456 7890 189"
    assert iso11649.is_valid(call["reference"]) and call["received_on"] is None
    again = client.post("/api/v1/calls-for-funds", json={"month": f"{month:%Y-%m}"}, headers=admin).json
    assert [(c["id"], c["amount_cents"], c["reference"]) for c in again] == [
        (call["id"], 42_345, call["reference"])]
    not_over = client.post("/api/v1/calls-for-funds", json={"month": f"{date.today():%Y-%m}"}, headers=admin)
    assert not_over.status_code == 422 and "month" in not_over.json["errors"]

    # Who reads it: the partner, the association's finance officer; nobody else.
    partner = actors.user("partner", partner="imprimerie")
    finance_a = actors.user("finance", organization="asso-a")
    url = f"/api/v1/calls-for-funds/{call['id']}"
    assert [c["id"] for c in client.get("/api/v1/calls-for-funds", headers=partner).json] == [call["id"]]
    assert client.get(url, headers=finance_a).status_code == 200
    for stranger in (actors.user("partner", partner="autre"), actors.user("finance", organization="asso-b")):
        assert client.get(url, headers=stranger).status_code == 404
        assert client.get(f"{url}.pdf", headers=stranger).status_code == 404
        assert client.get("/api/v1/calls-for-funds", headers=stranger).json == []
    assert client.get(url).status_code == 401

    text, _ = pdf_text(client.get(f"{url}.pdf", headers=partner).data)
    for mention in ["Appel de fonds", "Imprimerie Lavoisier SAS", "Association asso-a", "300,00 €", "123,45 €",
                    "423,45 €", "FR76 3000 6000 0112 3456 7890 189", call["reference_formatted"]]:
        assert mention in text, mention
    rows = list(csv.reader(io.StringIO(client.get(f"{url}.csv", headers=partner).get_data(as_text=True)),
                           delimiter=";"))
    assert rows[0][:3] == ["mois", "partenaire", "siren_partenaire"]
    assert rows[1][7:12] == ["423.45", "Association A", IBAN_A, "", call["reference"]]

    # The partner cannot say it paid; the association's finance officer marks the money received.
    today = date.today().isoformat()
    assert client.post(f"{url}/received", json={"received_on": today}, headers=partner).status_code == 403
    future = client.post(f"{url}/received", json={"received_on": (date.today() + timedelta(days=1)).isoformat()},
                         headers=finance_a)
    assert future.status_code == 422 and "received_on" in future.json["errors"]
    received = client.post(f"{url}/received", json={"received_on": today}, headers=finance_a)
    assert received.status_code == 200, received.json
    assert (received.json["received_on"], received.json["received_cents"]) == (today, 42_345)
    replay = client.post(f"{url}/received", json={"received_on": today}, headers=finance_a)
    assert replay.status_code == 200
    with app.app_context():
        payments = db.session.scalars(select(PartnerPayment)).all()
        assert [(p.amount_cents, p.reference, p.received_on.isoformat()) for p in payments] == [
            (42_345, call["reference"], today)]
    # What is left owed is this month's grant, for next month's call.
    from campaigns import services
    with app.app_context():
        assert services.owed_cents(services.get_partner("imprimerie"), services.get_campaign(campaign)) == 5_000
    # The payment is receipted as any partner payment (Cerfa 16216, dated the day it arrived).
    assert gifts.run_job() == 1
    [(_, status, amount, _)] = gifts.receipts("asso-a")
    assert (status, amount) == ("issued", 42_345)
    unreceived = client.get("/api/v1/calls-for-funds?received=false", headers=admin).json
    assert unreceived == []
