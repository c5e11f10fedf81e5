"""Statements collected by SEPA Direct Debit: the merchant signs a mandate per association on its dashboard,
each association debits what the statement owes it on its own Stripe account, and Stripe's answer (the
association's account's events, from the fake after 2 s) marks its lines paid, so receipts follow; a refused
debit leaves the line due, with the refusal shown to the merchant and the treasurer."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.accounting.conftest import IBAN_A, last_month
from tests.donations.conftest import deliver, served  # noqa: F401  (signed events; the app served to localstripe)
from tests.roundup.conftest import record, settle
from tests.support import sign_in_as_latest

GOOD_IBAN, REFUSED_IBAN = "FR1420041010050500013M02606", "DE62370400440532013001"  # the fake refuses the second


def _csrf(response):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _sign_in(client, key):
    client.post("/commercant/connexion", data={"key": key, "csrf_token": _csrf(client.get("/commercant"))})


def _statement(app, client, actors, shops, slug="boulangerie"):
    actors.organization("asso-a", bank_iban=IBAN_A, bank_bic="AGRIFRPP882", bank_account_holder="Association A")
    actors.organization("asso-b")
    headers = shops.merchant(slug, match_ratio_percent=100, beneficiaries=[
        {"organization": "asso-a", "share_basis_points": 6000}, {"organization": "asso-b", "share_basis_points": 4000}])
    month = last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=UTC).isoformat()
    for external_id, roundup, email in (("T1", 99, "ana@example.org"), ("T2", 51, None), ("T3", 7, None)):
        assert record(client, headers, external_id, 1000 - roundup, roundup, occurred_at=when,
                      **({"donor_email": email} if email else {})).status_code == 201
    return settle(app, slug, month)


def _sign(client, organization, iban, holder="Boulangerie Durand SARL"):
    page = client.get("/commercant/prelevement")
    return client.post("/commercant/prelevement", data={
        "csrf_token": _csrf(page), "organization": organization, "account_holder": holder, "iban": iban,
        "email": "compta@boulangerie.example", "accepted": "y"})


def _collect(app, days_after_issue):
    from app.formatting import local_today
    from donations.roundup.services.debits import collect_statements

    with app.app_context():
        return collect_statements(local_today() + timedelta(days=days_after_issue))


def _debits(app, settlement_id):
    from donations.roundup.debit_models import StatementDebit

    with app.app_context():
        return {d.organization.slug: (d.status.value, d.amount_cents, d.failure_reason) for d in db.session.scalars(
            select(StatementDebit).where(StatementDebit.settlement_id == settlement_id))}


def _payments(client, actors, settlement_id):
    admin = actors.admin()
    return {p["organization"]["slug"]: (p["status"], p["paid_on"])
            for p in client.get(f"/api/v1/settlements/{settlement_id}/payments", headers=admin).json}


def _wait(predicate, timeout=15.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.2)
    return predicate()


def test_a_statement_is_debited_per_association_and_each_line_paid_by_stripes_answer(
        app, client, actors, shops, gifts, served):  # noqa: F811
    from app.formatting import local_today
    from campaigns import services as campaign_services
    from donations.roundup.services import donor_year_totals
    from receipts.models import Receipt

    settlement_id = _statement(app, client, actors, shops)
    _sign_in(client, shops.keys["boulangerie"])
    dashboard = client.get("/commercant").get_data(as_text=True)
    assert "Prélèvement automatique des relevés" in dashboard and "huit semaines" in dashboard
    # A wrong IBAN or an unticked mandate is said next to its field; nothing is signed.
    wrong = _sign(client, "asso-a", "FR76 3000 6000 0112 3456 7890 180")  # one digit off
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert "Cet IBAN n&#39;est pas valide" in wrong.get_data(as_text=True)
    # Both associations get their mandate, on their own Stripe accounts.
    assert _sign(client, "asso-a", "FR14 2004 1010 0505 0001 3M02 606").status_code == 302
    assert _sign(client, "asso-b", GOOD_IBAN).status_code == 302
    dashboard = client.get("/commercant").get_data(as_text=True)
    assert dashboard.count("IBAN se terminant par 2606") == 2
    again = _sign(client, "asso-a", GOOD_IBAN)  # one active mandate per association
    assert again.status_code == 400

    # Not before STATEMENT_DEBIT_DAYS (5) after the statement: it is the debit's advance notice.
    assert _collect(app, 4) == {}
    assert _debits(app, settlement_id) == {}
    assert _collect(app, 5) == {"debited": 1}
    assert _debits(app, settlement_id) == {"asso-a": ("processing", 188, None), "asso-b": ("processing", 126, None)}
    assert _collect(app, 6) == {"nothing": 1}  # a second run (or scheduler) debits nothing twice
    assert _payments(client, actors, settlement_id) == {"asso-a": ("due", None), "asso-b": ("due", None)}
    # The API says a debit is on its way (the merchant's key reads it too).
    shop = {"Authorization": f"Bearer {shops.keys['boulangerie']}"}
    debits = {p["organization"]["slug"]: p["debit"]
              for p in client.get(f"/api/v1/settlements/{settlement_id}/payments", headers=shop).json}
    assert {slug: (d["status"], d["amount_cents"]) for slug, d in debits.items()} == {
        "asso-a": ("processing", 188), "asso-b": ("processing", 126)}
    with app.app_context():
        year = last_month().year
        assert donor_year_totals(campaign_services.get_organization("asso-a").id, year) == []

    # The bank accepts (the fake answers after 2 s): each association's line is paid the day it succeeded.
    with app.app_context():
        today = local_today().isoformat()
    assert _wait(lambda: _payments(client, actors, settlement_id) == {"asso-a": ("paid", today),
                                                                      "asso-b": ("paid", today)})
    assert {slug: status for slug, (status, _, _) in _debits(app, settlement_id).items()} == {
        "asso-a": "succeeded", "asso-b": "succeeded"}
    assert client.get(f"/api/v1/settlements/{settlement_id}", headers=actors.admin()).json["status"] == "paid"
    # Receipts follow as for a transfer marked by hand: the merchant's top-up, and Ana's round-up in her year.
    assert gifts.run_job() == 2
    with app.app_context():
        topups = db.session.scalars(select(Receipt).where(Receipt.source_key.like("merchant-topup:%"))
                                    .order_by(Receipt.amount_cents)).all()
        assert sorted((r.amount_cents, r.paid_on.isoformat()) for r in topups) == [(63, today), (94, today)]
        totals = donor_year_totals(campaign_services.get_organization("asso-a").id, year)
        assert [(t.email, t.cents) for t in totals] == [("ana@example.org", 59)]  # 60 % of 99, largest remainder
    assert "payé" in client.get("/commercant").get_data(as_text=True)


def test_a_refused_debit_leaves_the_line_due_and_is_shown(app, client, actors, shops, served):  # noqa: F811
    from app.formatting import local_today

    settlement_id = _statement(app, client, actors, shops)
    _sign_in(client, shops.keys["boulangerie"])
    assert _sign(client, "asso-a", REFUSED_IBAN).status_code == 302
    assert _collect(app, 5) == {"debited": 1}
    assert _wait(lambda: _debits(app, settlement_id).get("asso-a", ("",))[0] == "failed")
    assert _payments(client, actors, settlement_id) == {"asso-a": ("due", None), "asso-b": ("due", None)}
    assert "asso-b" not in _debits(app, settlement_id)  # no mandate: paid by transfer
    dashboard = client.get("/commercant").get_data(as_text=True)
    assert "refusé" in dashboard and "Réglez ce montant par virement" in dashboard
    # The association's treasurer reads the refusal on its /gestion home, and still marks the transfer by hand.
    finance = actors.user("finance", organization="asso-a")
    sign_in_as_latest(client, app, "finance")
    home = client.get("/gestion").get_data(as_text=True)
    assert "prélèvement refusé" in home and "Commerce boulangerie" in home
    with app.app_context():
        today = local_today().isoformat()
    paid = client.post(f"/api/v1/settlements/{settlement_id}/payments/asso-a/paid", headers=finance,
                       json={"paid_on": today})
    assert paid.status_code == 200 and paid.json["status"] == "paid"
    assert "prélèvement refusé" not in client.get("/gestion").get_data(as_text=True)  # settled by the transfer
    # The town sees the shop's mandate on its back-office page.
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    town = client.get("/gestion/commercants/boulangerie").get_data(as_text=True)
    assert "Mandats de prélèvement SEPA" in town and "IBAN se terminant par 3001" in town
    assert "actif, signé le" in town


def test_another_merchants_mandate_is_not_found(app, client, actors, shops, localstripe):
    _statement(app, client, actors, shops)
    shops.merchant("fromagerie", beneficiaries=[{"organization": "asso-b", "share_basis_points": 10_000}])
    _sign_in(client, shops.keys["boulangerie"])
    assert _sign(client, "asso-a", GOOD_IBAN).status_code == 302
    from donations.roundup.debit_models import MerchantMandate

    with app.app_context():
        mandate_id = db.session.scalar(select(MerchantMandate.id))
    page = client.get("/commercant/prelevement")
    client.post("/commercant/deconnexion", data={"csrf_token": _csrf(page)})
    _sign_in(client, shops.keys["fromagerie"])
    page = client.get("/commercant/prelevement")
    assert "IBAN se terminant" not in page.get_data(as_text=True)
    revoke = client.post(f"/commercant/prelevement/{mandate_id}/revoquer",
                         data={"csrf_token": _csrf(page), "confirm": "1"})
    assert revoke.status_code == 404
    # Nor may it sign for an association it does not pay.
    assert _sign(client, "asso-a", GOOD_IBAN).status_code == 400
    # Signed out, the page sends to the sign-in.
    client.post("/commercant/deconnexion", data={"csrf_token": _csrf(page)})
    assert client.get("/commercant/prelevement").status_code == 302


def test_a_shops_staff_member_signing_and_revoking_a_mandate_is_in_the_action_log(app, client, actors, shops,
                                                                                   localstripe):
    from app.audit import AdminAction
    from app.auth.services import create_user
    from donations.roundup.debit_models import MerchantMandate
    from donations.roundup.models import Merchant

    _statement(app, client, actors, shops)
    with app.app_context():
        merchant_id = db.session.scalar(select(Merchant.id).where(Merchant.slug == "boulangerie"))
        create_user("compta@boulangerie.example", "merchant", merchant_id=merchant_id,
                    password="correct horse battery")
        db.session.commit()
    sign_in_as_latest(client, app, "compta@")
    assert _sign(client, "asso-a", GOOD_IBAN).status_code == 302
    with app.app_context():
        mandate_id = db.session.scalar(select(MerchantMandate.id))
    page = client.get("/commercant/prelevement")
    assert client.post(f"/commercant/prelevement/{mandate_id}/revoquer",
                       data={"csrf_token": _csrf(page), "confirm": "1"}).status_code == 302
    with app.app_context():
        lines = db.session.execute(select(AdminAction.user_email, AdminAction.action, AdminAction.detail)
                                   .order_by(AdminAction.id)).all()
    assert [(email, action) for email, action, _ in lines] == [
        ("compta@boulangerie.example", "merchant.mandate_sign"),
        ("compta@boulangerie.example", "merchant.mandate_revoke")]
    assert all(detail.startswith("asso-a IBAN …2606") for _, _, detail in lines)


def test_a_lost_event_is_recovered_and_repeated_events_change_nothing(app, client, actors, shops, deliver, localstripe):  # noqa: F811
    """No webhook reaches the app here: the daily job re-reads the debits still processing from Stripe;
    Stripe's later (or repeated) events then find nothing left to do."""
    from datetime import timedelta as delta

    import stripe as stripe_lib

    from donations.roundup.debit_models import StatementDebit
    from donations.roundup.services.debits import reconcile_debits

    settlement_id = _statement(app, client, actors, shops)
    _sign_in(client, shops.keys["boulangerie"])
    assert _sign(client, "asso-a", GOOD_IBAN).status_code == 302
    assert _collect(app, 5) == {"debited": 1}
    with app.app_context():
        debit = db.session.scalar(select(StatementDebit))
        intent_id, account = debit.stripe_payment_intent_id, debit.mandate.stripe_account_id
    stripe_client = stripe_lib.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    assert _wait(lambda: stripe_client.v1.payment_intents.retrieve(
        intent_id, options={"stripe_account": account}).status == "succeeded")
    with app.app_context():
        assert reconcile_debits(older_than=delta(hours=1)) == {}  # too recent: the event may still come
        assert reconcile_debits(older_than=delta(0)) == {"succeeded": 1}
    assert _payments(client, actors, settlement_id)["asso-a"][0] == "paid"
    late = deliver("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"},
                   event_id="evt_late_debit", account=account)
    assert (late.status_code, late.json["outcome"]) == (200, "unchanged")
    again = deliver("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"},
                    event_id="evt_late_debit", account=account)
    assert again.json["outcome"] == "duplicate"
    with app.app_context():
        assert reconcile_debits(older_than=delta(0)) == {}
    assert _debits(app, settlement_id)["asso-a"][0] == "succeeded"


def test_the_daily_job_runs_from_the_scheduler(app, client, actors, shops, runner, localstripe):
    _statement(app, client, actors, shops)
    _sign_in(client, shops.keys["boulangerie"])
    assert _sign(client, "asso-a", GOOD_IBAN).status_code == 302
    result = runner.invoke(args=["scheduler", "run-job", "roundup.statement_debits"])
    assert result.exit_code == 0, result.output
    assert _debits(app, _statement_id(app)) == {}  # issued today: its debit waits STATEMENT_DEBIT_DAYS


def _statement_id(app):
    from donations.roundup.models import Settlement

    with app.app_context():
        return db.session.scalar(select(Settlement.id))


def test_two_signatures_at_once_leave_one_active_mandate(app, client, actors, shops, localstripe, monkeypatch):
    """The second of two tabs signing at the same moment passes the check before the first commits: the
    database's partial unique index refuses it as a Conflict, never a second active mandate."""
    from app.errors import Conflict
    from donations.roundup import services
    from donations.roundup.debit_models import MerchantMandate
    from donations.roundup.services import mandates

    _statement(app, client, actors, shops)
    _sign_in(client, shops.keys["boulangerie"])
    assert _sign(client, "asso-a", GOOD_IBAN).status_code == 302
    monkeypatch.setattr(mandates, "active_mandate", lambda merchant_id, organization_id: None)
    with app.app_context():
        with pytest.raises(Conflict):
            mandates.sign_mandate(services.get_merchant("boulangerie"), "asso-a", iban=GOOD_IBAN,
                                  account_holder="Boulangerie", email="compta@boulangerie.example", accepted=True)
        db.session.rollback()
        assert len(db.session.scalars(select(MerchantMandate)).all()) == 1


def test_the_demo_has_one_shop_paying_by_debit_however_often_it_loads(app, localstripe):
    from app.demo import load_all
    from donations.roundup.debit_models import MerchantMandate

    with app.app_context():
        load_all(app)
        load_all(app)
        mandates = db.session.scalars(select(MerchantMandate)).all()
        assert [(m.merchant.slug, m.organization.slug, m.iban_last4, m.active) for m in mandates] == [
            ("epicerie-fine-houdan", "epicerie-solidaire-sceaux", "2606", True)]
