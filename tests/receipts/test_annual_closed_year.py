"""Annual receipts only for a year that has ended; money of the year that arrives later gets a
complementary receipt, once."""
from datetime import date

from datetime import datetime
from zoneinfo import ZoneInfo

from app.extensions import db

from tests.receipts.conftest import pdf_text


def local_today():
    return datetime.now(ZoneInfo("Europe/Paris")).date()


def test_the_api_and_the_command_refuse_a_year_that_has_not_ended(client, runner, finance, gifts):
    year = local_today().year
    gifts.gift(gifts.campaign(), 2_000, receipt_choice="annual", paid_on=date(year, 1, 10), payment_method="transfer")
    refused = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": year},
                          headers=finance)
    assert refused.status_code == 422
    assert f"01/01/{year + 1}" in refused.json["errors"]["year"][0]
    result = runner.invoke(args=["receipts", "annual", "--year", str(year), "--organization", "asso-test",
                                 "--workers", "1"])
    assert result.exit_code != 0
    assert f"the year {year} has not ended" in result.output and f"01/01/{year + 1}" in result.output
    assert gifts.receipts() == []


def test_the_yearly_job_works_on_the_year_before(app, finance, gifts):
    from receipts.jobs import annual_receipts_job

    last_year = local_today().year - 1
    gifts.gift(gifts.campaign(), 2_000, receipt_choice="annual", paid_on=date(last_year, 6, 1),
               payment_method="transfer")
    with app.app_context():
        annual_receipts_job()
    [(_, status, amount, kind)] = gifts.receipts()
    assert (status, amount, kind) == ("issued", 2_000, "annual")


def test_a_late_gift_of_the_year_gets_a_complementary_receipt_once(app, client, runner, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 2_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer")
    gifts.gift(campaign, 3_000, receipt_choice="annual", paid_on=date(2025, 6, 1), payment_method="cheque")
    first = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert first.json["issued"] == 1 and first.json["complementary"] == 0
    # A cheque of December, recorded in January after the annual receipt was issued.
    gifts.gift(campaign, 1_550, receipt_choice="annual", paid_on=date(2025, 12, 20), payment_method="cheque")
    second = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025},
                         headers=finance)
    assert second.status_code == 200, second.json
    assert (second.json["issued"], second.json["complementary"], second.json["already_issued"]) == (1, 1, 0)
    # Re-running (API, command, job) issues nothing more.
    again = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert (again.json["issued"], again.json["already_issued"]) == (0, 1)
    result = runner.invoke(args=["receipts", "annual", "--year", "2025", "--organization", "asso-test",
                                 "--workers", "1"])
    assert "0 issued, 1 already issued, 0 complementary" in result.output, result.output

    (main, _, main_amount, _), (extra, status, extra_amount, kind) = gifts.receipts()
    assert (main_amount, extra_amount, status, kind) == (5_000, 1_550, "issued", "annual")
    detail = client.get(f"/api/v1/receipts/asso-test/{extra}", headers=finance).json
    assert [g["amount_cents"] for g in detail["gifts"]] == [1_550]
    text, pages = pdf_text(client.get(f"/api/v1/receipts/asso-test/{extra}.pdf", headers=finance).data)
    assert pages == 1
    for mention in ["Reçu complémentaire", f"reçu n° {main}", "cumul 2025", "15,50 €",
                    "quinze euros et cinquante centimes", "Curie"]:
        assert mention in text, mention
    main_text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{main}.pdf", headers=finance).data)
    assert "complémentaire" not in main_text and "50,00 €" in main_text


def test_late_round_ups_get_a_complementary_receipt_for_the_cents_not_yet_receipted(app, client, finance, gifts,
                                                                                      monkeypatch):
    """What a donor's round-ups of the year total (from paid statements) is the round-up package's
    answer, tested there; here it grows after the annual receipt, as when a statement is paid late."""
    from campaigns import services
    from donations.roundup.services.reporting import DonorRoundups
    from receipts.models import Receipt
    from receipts.services import annual

    campaign = gifts.campaign()
    gifts.gift(campaign, 2_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer")
    client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    with app.app_context():
        organization = services.get_organization("asso-test")
        # A statement paid in February: 7,40 € of the donor's 2025 round-ups.
        late = DonorRoundups("marie.curie@example.org", 740, ("card",))
        monkeypatch.setattr(annual, "donor_year_totals", lambda organization_id, year: [late])
        plan, issued = annual.run_annual(organization, 2025, today=date(2026, 2, 15))
        again, issued_again = annual.run_annual(organization, 2025, today=date(2026, 3, 15))
        assert (issued, plan.complementary, issued_again, again.already_issued) == (1, 1, 0, 1)
        complement = db.session.query(Receipt).filter(Receipt.complements_id.is_not(None)).one()
        assert (complement.roundup_cents, complement.amount_cents, complement.donor_name) == (740, 740, "Marie Curie")
        assert complement.source_key.endswith(":2")


def test_a_refunded_complementary_receipt_is_replaced_and_still_completes_the_first(client, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 2_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer")
    client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    late = gifts.gift(campaign, 3_000, receipt_choice="annual", paid_on=date(2025, 12, 30), payment_method="transfer")
    client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    gifts.refund(late, 1_000)
    gifts.run_job()
    (first, *_), (extra, s2, *_), (replacement, s3, amount, _) = gifts.receipts()
    assert (s2, s3, amount) == ("cancelled", "issued", 2_000)
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{replacement}.pdf", headers=finance).data)
    assert f"annule et remplace le reçu n° {extra}" in text and "Reçu complémentaire" in text and first in text
    again = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert again.json["issued"] == 0
