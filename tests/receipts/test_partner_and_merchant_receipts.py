"""Company receipts (Cerfa 16216) for partners and merchants, issued for money received and dated
when it arrived: a partner's payment of its matches and grants, a merchant's top-up on a paid statement."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.money import format_eur
from tests.receipts.conftest import pdf_text
from tests.roundup.conftest import Shops, record

IMPRIMERIE = dict(kind="company", name="Imprimerie Lavoisier SAS", legal_form="SAS", siren="552100554",
                  address_line1="3 avenue de la Gare", postal_code="92330", city="Sceaux")


@pytest.fixture
def shops(app, actors):
    return Shops(app, actors)


@pytest.fixture
def admin(actors):
    return actors.admin()


def _pledge(app, campaign, partner, **values):
    """The administrator records the partner's promise to match citizens' gifts one for one."""
    from campaigns import services

    with app.app_context():
        services.create_pledge(services.get_campaign(campaign), services.get_partner(partner).id, **values)
        db.session.commit()


def _owed(app, partner, campaign):
    from campaigns import services

    with app.app_context():
        return services.owed_cents(services.get_partner(partner), services.get_campaign(campaign))


def _pay(client, admin, partner, campaign, amount_cents, reference="VIR-2026-0001", received_on=None,
         method="transfer"):
    received_on = received_on or date.today() - timedelta(days=2)
    return client.post(f"/api/v1/partners/{partner}/payments", headers=admin, json={
        "campaign": campaign, "amount_cents": amount_cents, "received_on": received_on.isoformat(),
        "method": method, "reference": reference})


def _receipt(app, number, organization="asso-test"):
    from campaigns import services
    from receipts.models import Receipt

    with app.app_context():
        receipt = db.session.scalar(select(Receipt).where(
            Receipt.organization_id == services.get_organization(organization).id, Receipt.number == number))
        db.session.expunge(receipt)
        return receipt


def _payment_requests(app):
    from receipts.models import ReceiptRequest

    with app.app_context():
        return db.session.execute(select(ReceiptRequest.outcome, ReceiptRequest.processed_at.isnot(None))
                                  .where(ReceiptRequest.partner_payment_id.isnot(None))
                                  .order_by(ReceiptRequest.id)).all()


def test_a_partners_match_is_receipted_when_its_payment_is_recorded(app, client, actors, finance, admin, gifts):
    actors.partner("imprimerie", **IMPRIMERIE)
    campaign = gifts.campaign()
    _pledge(app, campaign, "imprimerie", total_cap_cents=100_000)
    gifts.gift(campaign, 3_000, payment_method="cheque", receipt_choice="none")
    gifts.gift(campaign, 2_000, payment_method="cheque", receipt_choice="none", email="paul@example.org")

    # The match is owed, not received: nothing to receipt yet.
    assert _owed(app, "imprimerie", campaign) == 5_000
    gifts.run_job()
    assert gifts.receipts() == []

    received_on = date.today() - timedelta(days=3)
    response = _pay(client, admin, "imprimerie", campaign, 5_000, received_on=received_on)
    assert response.status_code == 201, response.json
    assert [line["amount_cents"] for line in response.json["contributions"]] == [3_000, 2_000]
    assert _owed(app, "imprimerie", campaign) == 0
    assert gifts.run_job() == 1
    [(number, status, amount, kind)] = gifts.receipts()
    assert (status, amount, kind) == ("issued", 5_000, "single")
    receipt = _receipt(app, number)
    assert (receipt.article, receipt.donor_type, receipt.form_number) == ("238 bis", "company", "16216")
    assert receipt.paid_on == received_on and receipt.payment_method == "virement"

    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance).data)
    for mention in ["Cerfa n° 16216", "Imprimerie Lavoisier SAS", "552 100 554", "3 avenue de la Gare",
                    "50,00 €", "cinquante euros", received_on.strftime("%d/%m/%Y"),
                    "☒ Virement, prélèvement, carte", "☐ Chèque"]:
        assert mention in text, mention

    # The partner reads its payments.
    listed = client.get("/api/v1/partners/imprimerie/payments", headers=admin)
    assert listed.status_code == 200 and [p["reference"] for p in listed.json] == ["VIR-2026-0001"]


def test_partial_payments_are_exact_and_an_overpayment_or_a_replay_changes_nothing(app, client, actors, finance,
                                                                                    admin, gifts):
    actors.partner("imprimerie", **IMPRIMERIE)
    campaign = gifts.campaign()
    _pledge(app, campaign, "imprimerie", total_cap_cents=100_000)
    gifts.gift(campaign, 3_000, payment_method="cheque", receipt_choice="none")
    gifts.gift(campaign, 2_000, payment_method="cheque", receipt_choice="none", email="paul@example.org")

    first = _pay(client, admin, "imprimerie", campaign, 3_500, reference="VIR-A")
    assert first.status_code == 201
    # Oldest first: the first match in full, then 5 € of the second.
    assert [line["amount_cents"] for line in first.json["contributions"]] == [3_000, 500]
    refused = _pay(client, admin, "imprimerie", campaign, 1_501, reference="VIR-B")
    assert refused.status_code == 422 and "amount_cents" in refused.json["errors"], refused.json
    assert format_eur(1_500) in refused.json["errors"]["amount_cents"][0]

    replay = _pay(client, admin, "imprimerie", campaign, 3_500, reference="VIR-A")
    assert replay.status_code == 200 and replay.json["id"] == first.json["id"]
    other = _pay(client, admin, "imprimerie", campaign, 1_000, reference="VIR-A")
    assert other.status_code == 409

    second = _pay(client, admin, "imprimerie", campaign, 1_500, reference="VIR-B", method="cheque")
    assert [line["amount_cents"] for line in second.json["contributions"]] == [1_500]
    assert gifts.run_job() == 2
    assert [r[2] for r in gifts.receipts()] == [3_500, 1_500]
    assert _receipt(app, gifts.receipts()[1][0]).payment_method == "chèque"
    assert gifts.run_job() == 0  # the replay queued nothing


def test_a_partner_without_a_siren_waits_for_it_then_gets_its_receipt(app, client, actors, finance, admin, gifts):
    from campaigns import services

    actors.partner("mecene", kind="company", name="Mécène du Coin SARL", siren=None, legal_form="SARL")
    campaign = gifts.campaign()
    with app.app_context():
        services.record_grant(services.get_campaign(campaign), services.get_partner("mecene").id, 20_000,
                              reference="convention-2026")
        db.session.commit()
    assert _pay(client, admin, "mecene", campaign, 20_000).status_code == 201
    gifts.run_job()
    assert gifts.receipts() == []
    assert _payment_requests(app) == [("SIREN du partenaire manquant", False)]
    assert gifts.run_job() == 0  # the row waits; the job does not take it again and again

    patched = client.patch("/api/v1/partners/mecene", headers=admin, json={"siren": "552 100 554"})
    assert patched.status_code == 200 and patched.json["siren"] == "552100554"
    assert gifts.run_job() == 1
    [(number, _, amount, _)] = gifts.receipts()
    assert amount == 20_000
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{number}.pdf", headers=finance).data)
    assert "Mécène du Coin SARL" in text and "552 100 554" in text and "deux cents euros" in text


def test_a_public_bodys_payment_gets_no_receipt_and_the_queue_says_why(app, client, actors, finance, admin, gifts):
    from campaigns import services

    actors.partner("ville", kind="public_body", name="Ville de Sceaux", siren="219200714")
    campaign = gifts.campaign()
    with app.app_context():
        services.record_grant(services.get_campaign(campaign), services.get_partner("ville").id, 50_000)
        db.session.commit()
    assert _pay(client, admin, "ville", campaign, 50_000).status_code == 201
    assert gifts.run_job() == 1
    assert gifts.receipts() == []
    assert _payment_requests(app) == [("partner is a public_body: no receipt", True)]


def test_only_admins_record_payments_and_a_partner_reads_only_its_own(app, client, actors, finance, gifts):
    actors.partner("imprimerie", **IMPRIMERIE)
    actors.partner("autre", **{**IMPRIMERIE, "name": "Autre SA"})
    campaign = gifts.campaign()
    assert _pay(client, finance, "imprimerie", campaign, 100).status_code in (403, 404)
    own = actors.user("partner", partner="imprimerie")
    assert client.get("/api/v1/partners/imprimerie/payments", headers=own).status_code == 200
    assert client.get("/api/v1/partners/autre/payments", headers=own).status_code == 404


# --- merchants' top-ups -----------------------------------------------------------------------------

def _last_month():
    first = date.today().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _settle(app, slug, month):
    from donations.roundup import services

    with app.app_context():
        settlement, _ = services.settle_month(services.get_merchant(slug), month)
        db.session.commit()
        return settlement.id, settlement.match_cents, [(line.recipient_organization_id, line.match_cents)
                                                      for line in settlement.lines]


def test_a_merchants_top_up_is_receipted_per_beneficiary_once_its_statement_is_paid(app, client, actors, admin,
                                                                                     shops, gifts):
    from campaigns import services
    from receipts.models import Receipt

    for slug in ("asso-a", "asso-b", "asso-c"):
        actors.organization(slug)
    finance_b = actors.user("finance", organization="asso-b")
    headers = shops.merchant(match_ratio_percent=50, beneficiaries=[
        {"organization": "asso-a", "share_basis_points": 3333},
        {"organization": "asso-b", "share_basis_points": 3333},
        {"organization": "asso-c", "share_basis_points": 3334}])
    month = _last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    for external_id, basket, roundup in (("T1", 1201, 99), ("T2", 1201, 99), ("T3", 1299, 1)):
        assert record(client, headers, external_id, basket, roundup, occurred_at=when).status_code == 201
    settlement_id, match_cents, lines = _settle(app, "boulangerie", month)
    assert match_cents == 99  # half of 1,99 €, floored to the cent
    assert sum(cents for _, cents in lines) == match_cents

    gifts.run_job()
    for slug in ("asso-a", "asso-b", "asso-c"):
        assert gifts.receipts(slug) == []  # a statement not paid is money not received

    paid = client.post(f"/api/v1/settlements/{settlement_id}/paid", headers=admin)
    assert paid.status_code == 200 and [line["match_cents"] for line in paid.json["lines"]] == [33, 33, 33]
    assert gifts.run_job() == 3
    with app.app_context():
        receipts = db.session.scalars(select(Receipt).where(Receipt.source_key.like("merchant-topup:%"))
                                      .order_by(Receipt.organization_id)).all()
        by_organization = {r.organization_id: r.amount_cents for r in receipts}
        assert by_organization == {organization_id: cents for organization_id, cents in lines}
        assert sum(by_organization.values()) == match_cents
        assert {(r.article, r.donor_type, r.form_number, r.payment_method) for r in receipts} == {
            ("238 bis", "company", "16216", "virement")}
        paid_on = receipts[0].paid_on
        number_b = next(r.number for r in receipts
                        if r.organization_id == services.get_organization("asso-b").id)
    last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-b/{number_b}.pdf", headers=finance_b).data)
    for mention in ["Cerfa n° 16216", "Commerce boulangerie", "732 829 320", "10 rue Houdan", "0,33 €",
                    "trente-trois centimes",
                    f"période du {month:%d/%m/%Y} au {last_day:%d/%m/%Y} (versement reçu le {paid_on:%d/%m/%Y})"]:
        assert mention in text, mention
    assert gifts.run_job() == 0


def test_no_receipt_for_a_statement_without_top_up(app, client, actors, admin, shops, gifts):
    headers = shops.merchant()  # match_ratio_percent 0
    month = _last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    record(client, headers, "T1", 1201, 99, occurred_at=when)
    settlement_id, match_cents, _ = _settle(app, "boulangerie", month)
    assert match_cents == 0
    assert client.post(f"/api/v1/settlements/{settlement_id}/paid", headers=admin).status_code == 200
    assert gifts.run_job() == 0
    assert gifts.receipts("epicerie") == []


# --- round-ups on annual receipts: paid statements only, the till's payment mode --------------------

def test_annual_receipt_counts_only_paid_statements_and_prints_cash(app, client, actors, admin, shops, gifts):
    from campaigns import services
    from receipts.jobs import issue_annual
    from receipts.models import Receipt
    from receipts.services.roundup_donors import save_roundup_identity

    headers = shops.merchant()  # everything to the épicerie
    finance_epicerie = actors.user("finance", organization="epicerie")
    year = date.today().year - 1
    november = datetime(year, 11, 14, 12, tzinfo=timezone.utc).isoformat()
    december = datetime(year, 12, 20, 12, tzinfo=timezone.utc).isoformat()
    record(client, headers, "N1", 1201, 99, occurred_at=november, donor_email="ana@example.org", payment_method="cash")
    record(client, headers, "D1", 1250, 50, occurred_at=december, donor_email="ana@example.org")
    paid_november, _, _ = _settle(app, "boulangerie", date(year, 11, 1))
    unpaid_december, _, _ = _settle(app, "boulangerie", date(year, 12, 1))
    assert client.post(f"/api/v1/settlements/{paid_november}/paid", headers=admin).status_code == 200
    with app.app_context():
        save_roundup_identity("ana@example.org", {"first_name": "Ana", "last_name": "Lopez",
                                                  "address_line1": "4 rue du Four", "postal_code": "92330",
                                                  "city": "Sceaux"})
        db.session.commit()
        issue_annual(services.get_organization("epicerie"), year, notify=False)

    [(number, _, amount, kind)] = gifts.receipts("epicerie")
    assert (amount, kind) == (99, "annual")  # December's statement is not paid: not received, not receipted
    text, _ = pdf_text(client.get(f"/api/v1/receipts/epicerie/{number}.pdf", headers=finance_epicerie).data)
    for mention in ["Ana", "Lopez", "0,99 €", "☒ Remise d'espèces", "☐ Virement, prélèvement, carte"]:
        assert mention in text, mention

    # December's statement is paid later: its round-ups get a complementary receipt.
    assert client.post(f"/api/v1/settlements/{unpaid_december}/paid", headers=admin).status_code == 200
    with app.app_context():
        issue_annual(services.get_organization("epicerie"), year, notify=False)
        late = db.session.scalar(select(Receipt).where(Receipt.number != number,
                                                       Receipt.organization_id == services.get_organization(
                                                           "epicerie").id))
        assert (late.amount_cents, late.roundup_cents) == (50, 50)
        # The modes are the year's round-ups' (cash in November, card in December).
        assert "carte bancaire" in late.payment_method
