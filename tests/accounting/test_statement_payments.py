"""Merchants pay each association directly: a statement gives, per association, the amount, its IBAN and a
structured reference; each association's finance officer marks its own transfer received, and receipts follow."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from stdnum import iso11649

from app.extensions import db
from tests.accounting.conftest import IBAN_A, last_month
from tests.receipts.conftest import pdf_text
from tests.roundup.conftest import record, settle


def _statement(app, client, actors, shops):
    """Two associations (60 % / 40 %), the first with bank details; a merchant matching one for one."""
    actors.organization("asso-a", bank_iban=IBAN_A, bank_bic="AGRIFRPP882", bank_account_holder="Association A")
    actors.organization("asso-b")
    headers = shops.merchant(match_ratio_percent=100, beneficiaries=[
        {"organization": "asso-a", "share_basis_points": 6000}, {"organization": "asso-b", "share_basis_points": 4000}])
    month = last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    for external_id, roundup in (("T1", 99), ("T2", 51), ("T3", 7)):
        assert record(client, headers, external_id, 1000 - roundup, roundup, occurred_at=when).status_code == 201
    return settle(app, "boulangerie", month), headers


def test_each_association_gets_its_amount_bank_details_and_a_stable_reference(app, client, actors, shops):
    settlement_id, merchant = _statement(app, client, actors, shops)
    admin = actors.admin()
    payments = client.get(f"/api/v1/settlements/{settlement_id}/payments", headers=admin).json
    assert [(p["organization"]["slug"], p["amount_cents"], p["status"]) for p in payments] == [
        ("asso-a", 188, "due"), ("asso-b", 126, "due")]  # 157 rounded up + 157 matched = 314, split 60/40
    a, b = payments
    assert (a["iban"], a["iban_formatted"], a["bic"]) == (IBAN_A, "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP882")
    assert b["iban"] is None
    assert iso11649.is_valid(a["reference"]) and iso11649.is_valid(b["reference"]) and a["reference"] != b["reference"]
    assert a["reference_formatted"].startswith("RF") and " " in a["reference_formatted"]
    # The merchant reads the same transfers (with its key), and the statement carries them.
    again = client.get(f"/api/v1/settlements/{settlement_id}/payments", headers=merchant).json
    assert [p["reference"] for p in again] == [a["reference"], b["reference"]]
    other_shop = shops.merchant("fromagerie", beneficiaries=[{"organization": "asso-b", "share_basis_points": 10_000}])
    assert client.get(f"/api/v1/settlements/{settlement_id}/payments", headers=other_shop).status_code == 404
    statement = client.get(f"/api/v1/settlements/{settlement_id}", headers=admin).json
    assert [p["reference"] for p in statement["payments"]] == [a["reference"], b["reference"]]
    # The PDF the merchant downloads says whom to pay, on which account, with which reference.
    text, _ = pdf_text(client.get(f"/api/v1/settlements/{settlement_id}.pdf", headers=merchant).data)
    for mention in ["Virements à effectuer", "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP882", "Association A",
                    a["reference_formatted"], b["reference_formatted"], "1,88 €", "1,26 €",
                    "Coordonnées bancaires non renseignées"]:
        assert mention in text, mention


def test_each_finance_officer_marks_its_own_transfer_and_receipts_follow(app, client, actors, shops, gifts):
    from receipts.models import Receipt

    settlement_id, _ = _statement(app, client, actors, shops)
    finance_a = actors.user("finance", organization="asso-a")
    finance_b = actors.user("finance", organization="asso-b")
    actors.organization("asso-c")
    finance_c = actors.user("finance", organization="asso-c")
    today = date.today()
    url = f"/api/v1/settlements/{settlement_id}/payments"

    # Another association's officer neither sees nor marks it; nobody marks without signing in.
    assert client.get(url, headers=finance_c).status_code == 404
    assert client.post(f"{url}/asso-a/paid", json={"paid_on": today.isoformat()}, headers=finance_c).status_code == 404
    assert client.post(f"{url}/asso-a/paid", json={"paid_on": today.isoformat()}, headers=finance_b).status_code == 404
    assert client.post(f"{url}/asso-a/paid", json={"paid_on": today.isoformat()}).status_code == 401
    # A day in the future, or before the month is over, is refused by field.
    future = client.post(f"{url}/asso-a/paid", json={"paid_on": (today + timedelta(days=1)).isoformat()},
                         headers=finance_a)
    assert future.status_code == 422 and "paid_on" in future.json["errors"]
    early = client.post(f"{url}/asso-a/paid", json={"paid_on": last_month().isoformat()}, headers=finance_a)
    assert early.status_code == 422 and "paid_on" in early.json["errors"]

    assert [p["organization"]["slug"] for p in client.get(url, headers=finance_a).json] == ["asso-a"]
    paid = client.post(f"{url}/asso-a/paid", json={"paid_on": today.isoformat()}, headers=finance_a)
    assert paid.status_code == 200 and (paid.json["status"], paid.json["paid_on"]) == ("paid", today.isoformat())
    admin = actors.admin()
    assert client.get(f"/api/v1/settlements/{settlement_id}", headers=admin).json["status"] == "issued"
    # The merchant's top-up on asso-a's line is receipted now, dated the day the transfer arrived; asso-b waits.
    assert gifts.run_job() == 1
    with app.app_context():
        topups = db.session.scalars(select(Receipt).where(Receipt.source_key.like("merchant-topup:%"))).all()
        assert [(r.amount_cents, r.paid_on) for r in topups] == [(94, today)]  # 60 % of the 157 matched
    assert gifts.receipts("asso-b") == []

    # Marking again the same day changes nothing; another day is a conflict.
    assert client.post(f"{url}/asso-a/paid", json={"paid_on": today.isoformat()}, headers=finance_a).status_code == 200
    other = client.post(f"{url}/asso-a/paid", json={"paid_on": (today - timedelta(days=1)).isoformat()},
                        headers=finance_a)
    assert other.status_code == (409 if today.day > 1 else 422)

    assert client.post(f"{url}/asso-b/paid", json={"paid_on": today.isoformat()}, headers=finance_b).status_code == 200
    statement = client.get(f"/api/v1/settlements/{settlement_id}", headers=admin).json
    assert statement["status"] == "paid" and statement["paid_at"] is not None
    assert gifts.run_job() == 1 and len(gifts.receipts("asso-b")) == 1
    # The whole statement cannot be marked paid again.
    assert client.post(f"/api/v1/settlements/{settlement_id}/paid", headers=admin).status_code == 409
