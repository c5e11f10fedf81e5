"""Each organization's accounting journal: a month of activity exported as a FEC file (article A. 47 A-1 LPF:
18 tab-separated fields, AAAAMMJJ dates, decimal commas, <SIREN>FEC<AAAAMMJJ>.txt) in which every entry balances."""
import csv
import io
import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import requests

from app.extensions import db
from tests.accounting.conftest import IBAN_A, last_month
from tests.roundup.conftest import record, settle

FIELDS = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
          "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
          "ValidDate", "Montantdevise", "Idevise"]
AMOUNT = re.compile(r"^\d+,\d\d$")


def _cents(amount: str) -> int:
    euros, cents = amount.split(",")
    return int(euros) * 100 + int(cents)


def _month_of_activity(app, client, actors, gifts, shops):
    """Card gifts (one refunded in part), a cheque, cash, a public body's payment, a merchant's transfer."""
    from campaigns import services

    actors.organization("asso-a", siren="552100554", bank_iban=IBAN_A, bank_account_holder="Association A")
    campaign = gifts.campaign("asso-a")
    first = date.today().replace(day=1)
    card = gifts.gift(campaign, 5_000)
    gifts.gift(campaign, 20_000, donor_type="company")
    gifts.gift(campaign, 3_000, payment_method="cheque", paid_on=first)
    gifts.gift(campaign, 1_000, payment_method="cash", paid_on=first)
    gifts.refund(card, 1_500)
    actors.partner("ville", kind="public_body", name="Ville de Sceaux", siren=None)
    with app.app_context():
        partner = services.get_partner("ville")
        services.record_grant(services.get_campaign(campaign), partner.id, 100_000)
        services.record_partner_payment(partner, services.get_campaign(campaign), amount_cents=40_000,
                                        received_on=first, method="transfer", reference="VIR-SCEAUX-1")
        db.session.commit()
    headers = shops.merchant(match_ratio_percent=50, beneficiaries=[{"organization": "asso-a",
                                                                      "share_basis_points": 10_000}])
    month = last_month()
    when = datetime(month.year, month.month, 10, 12, tzinfo=timezone.utc).isoformat()
    assert record(client, headers, "T1", 901, 99, occurred_at=when).status_code == 201
    settlement_id = settle(app, "boulangerie", month)
    finance = actors.user("finance", organization="asso-a")
    paid = client.post(f"/api/v1/settlements/{settlement_id}/payments/asso-a/paid",
                       json={"paid_on": date.today().isoformat()}, headers=finance)
    assert paid.status_code == 200, paid.json
    return finance, first


def test_a_month_of_activity_exports_as_a_balanced_fec_file(app, client, actors, gifts, shops, localstripe):
    from campaigns.services import get_organization

    finance, first = _month_of_activity(app, client, actors, gifts, shops)
    # Stripe pays the connected account's balance out to the association's bank.
    with app.app_context():
        account = get_organization("asso-a").stripe_account_id
    payout = requests.post(f"{localstripe}/_config/connect/accounts/{account}/payout", timeout=10).json()
    fees = (5_000 * 15 // 1000 + 25) + (20_000 * 15 // 1000 + 25)  # 1.5 % + 0.25 € a card gift
    assert payout["amount"] == 25_000 - 1_500 - fees
    today = date.today()
    end = today + timedelta(days=3)  # Stripe's payout reaches the bank two days after it is made
    period = f"from={first.isoformat()}&to={end.isoformat()}"
    response = client.get(f"/api/v1/organizations/asso-a/accounting.fec?{period}", headers=finance)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=iso-8859-15"
    assert response.headers["Content-Disposition"] == f'attachment; filename="552100554FEC{end:%Y%m%d}.txt"'
    text = response.data.decode("iso-8859-15")
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert lines[0].split("\t") == FIELDS
    rows = [dict(zip(FIELDS, line.split("\t"))) for line in lines[1:]]
    assert all(len(line.split("\t")) == 18 for line in lines)

    entries = defaultdict(lambda: [0, 0])
    by_account = defaultdict(lambda: [0, 0])
    numbers = defaultdict(set)
    for row in rows:
        for name in ("EcritureDate", "PieceDate", "ValidDate"):
            assert first <= datetime.strptime(row[name], "%Y%m%d").date() <= end, row
        assert AMOUNT.match(row["Debit"]) and AMOUNT.match(row["Credit"]), row
        assert row["CompteNum"][:3].isdigit() and row["CompteLib"] and row["EcritureLib"] and row["PieceRef"]
        assert (row["EcritureLet"], row["DateLet"], row["Montantdevise"], row["Idevise"]) == ("", "", "", "")
        debit, credit = _cents(row["Debit"]), _cents(row["Credit"])
        assert (debit == 0) != (credit == 0), row  # each line is a debit or a credit
        entries[(row["JournalCode"], row["EcritureNum"])][0] += debit
        entries[(row["JournalCode"], row["EcritureNum"])][1] += credit
        by_account[row["CompteNum"]][0] += debit
        by_account[row["CompteNum"]][1] += credit
        numbers[row["JournalCode"]].add(row["EcritureNum"])
    assert all(debit == credit for debit, credit in entries.values()), entries  # every entry balances
    # Numbers run without a gap in each journal.
    for journal, found in numbers.items():
        sequence = sorted(int(number.split("-")[1]) for number in found)
        assert sequence == list(range(1, len(sequence) + 1)), (journal, sequence)
    assert set(numbers) == {"ST", "BQ", "CA"}
    assert sum(1 for row in rows if row["PieceRef"] == payout["id"]) == 2
    # The accounts of the associations' chart carry the month's money to the cent.
    assert by_account["75410000"] == [1_500, 5_000 + 3_000 + 1_000 + 99]  # gifts, round-ups; a refund debited
    assert by_account["75420000"] == [0, 20_000 + 49]  # a company's gift, the merchant's top-up
    assert by_account["74000000"] == [0, 40_000]  # the town's subsidy, when its money arrived
    # The Stripe account: cards in; the refund, Stripe's fees and the payout out; nothing left on it.
    assert by_account["51250000"] == [25_000, 1_500 + fees + payout["amount"]]
    assert by_account["62700000"] == [fees, 0]
    # The bank: the cheque, the town, the merchant's transfer, Stripe's payout.
    assert by_account["51200000"] == [3_000 + 40_000 + 148 + payout["amount"], 0]
    assert by_account["53000000"] == [1_000, 0]

    csv_response = client.get(f"/api/v1/organizations/asso-a/accounting.csv?{period}", headers=finance)
    assert csv_response.status_code == 200
    table = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert table[0][:5] == ["journal", "libelle_journal", "numero_ecriture", "date", "compte"]
    assert len(table) == len(rows) + 1
    assert re.match(r"^\d\d/\d\d/\d{4}$", table[1][3]) and AMOUNT.match(table[1][11])


def test_only_the_organizations_treasurer_and_admins_read_its_journal(client, actors):
    actors.organization("asso-a", siren="552100554")
    actors.organization("asso-b")
    url = "/api/v1/organizations/asso-a/accounting.fec?from=2026-01-01&to=2026-01-31"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=actors.user("finance", organization="asso-b")).status_code == 404
    other_finance = actors.user("finance", organization="asso-b")
    assert client.get(url.replace(".fec", ".csv"), headers=other_finance).status_code == 404
    assert client.get(url, headers=actors.user("holder", organization="asso-a")).status_code == 403
    empty = client.get(url, headers=actors.admin())
    assert empty.status_code == 200 and empty.data.decode("iso-8859-15").count("\r\n") == 1  # the header alone
    backwards = client.get("/api/v1/organizations/asso-a/accounting.fec?from=2026-02-01&to=2026-01-31",
                           headers=actors.admin())
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
