"""Refunds cancel receipts (and reissue for what remains); annual receipts cover a donor's year."""
from datetime import date

from tests.receipts.conftest import pdf_text


def test_a_partial_refund_cancels_and_reissues_with_a_new_number_referring_to_the_old(client, finance, gifts):
    gift = gifts.gift(gifts.campaign(), 10_000)
    gifts.run_job()
    gifts.refund(gift, 4_000)
    gifts.run_job()
    (first, status1, amount1, _), (second, status2, amount2, _) = gifts.receipts()
    assert (status1, amount1) == ("cancelled", 10_000)
    assert (status2, amount2) == ("issued", 6_000)
    old = client.get(f"/api/v1/receipts/asso-test/{first}", headers=finance).json
    assert old["replaced_by"] == second and "remboursé" in old["cancel_reason"]
    new = client.get(f"/api/v1/receipts/asso-test/{second}", headers=finance).json
    assert new["replaces"] == first
    text, pages = pdf_text(client.get(f"/api/v1/receipts/asso-test/{second}.pdf", headers=finance).data)
    assert pages == 1
    for mention in [second, f"annule et remplace le reçu n° {first}", "60,00 €", "soixante euros", "Curie"]:
        assert mention in text, mention


def test_a_full_refund_cancels_without_replacement_and_a_replayed_refund_changes_nothing(client, finance, gifts):
    gift = gifts.gift(gifts.campaign(), 10_000)
    gifts.run_job()
    gifts.refund(gift, 10_000)
    gifts.run_job()
    gifts.run_job()
    [(number, status, _, _)] = gifts.receipts()
    assert status == "cancelled"


def test_a_finance_officer_cancels_a_receipt_with_a_reason(client, finance, gifts):
    gifts.gift(gifts.campaign(), 10_000)
    gifts.run_job()
    [(number, *_)] = gifts.receipts()
    no_reason = client.post(f"/api/v1/receipts/asso-test/{number}/cancel", json={}, headers=finance)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    done = client.post(f"/api/v1/receipts/asso-test/{number}/cancel", json={"reason": "Donateur en double"},
                       headers=finance)
    assert done.status_code == 200 and done.json["status"] == "cancelled"
    assert done.json["cancel_reason"] == "Donateur en double"
    again = client.post(f"/api/v1/receipts/asso-test/{number}/cancel", json={"reason": "encore"}, headers=finance)
    assert again.status_code == 409


def test_annual_receipt_sums_a_donors_year_and_rerunning_issues_nothing_twice(client, finance, gifts):
    campaign = gifts.campaign()
    gifts.gift(campaign, 2_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer")
    gifts.gift(campaign, 3_050, receipt_choice="annual", paid_on=date(2025, 9, 1), payment_method="cheque")
    gifts.gift(campaign, 1_000, receipt_choice="annual", paid_on=date(2024, 12, 31),  # another year
               payment_method="transfer")
    gifts.gift(campaign, 4_000, receipt_choice="annual", paid_on=date(2025, 5, 5), payment_method="transfer",
               email="jean@example.org",
               first_name="Jean", last_name="Moulin")
    first = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert first.status_code == 200, first.json
    assert first.json["issued"] == 2
    again = client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    assert again.json == {**again.json, "issued": 0, "already_issued": 2}
    receipts = gifts.receipts()
    assert sorted(r[2] for r in receipts) == [4_000, 5_050] and {r[3] for r in receipts} == {"annual"}
    curie = next(r[0] for r in receipts if r[2] == 5_050)
    text, pages = pdf_text(client.get(f"/api/v1/receipts/asso-test/{curie}.pdf", headers=finance).data)
    assert pages == 1
    for mention in ["cumul 2025", "50,50 €", "cinquante euros et cinquante centimes", "2 dons sur l'année",
                    "Curie", "☒ Chèque", "☒ Virement, prélèvement, carte bancaire"]:
        assert mention in text, mention


def test_a_refund_after_the_annual_receipt_reissues_it_for_the_rest(client, finance, gifts):
    campaign = gifts.campaign()
    gift = gifts.gift(campaign, 2_000, receipt_choice="annual", paid_on=date(2025, 3, 1), payment_method="transfer")
    gifts.gift(campaign, 3_000, receipt_choice="annual", paid_on=date(2025, 4, 1), payment_method="transfer")
    client.post("/api/v1/receipts/annual", json={"organization": "asso-test", "year": 2025}, headers=finance)
    gifts.refund(gift, 2_000)
    gifts.run_job()
    (old, s1, a1, _), (new, s2, a2, k2) = gifts.receipts()
    assert (s1, a1, s2, a2, k2) == ("cancelled", 5_000, "issued", 3_000, "annual")
    text, _ = pdf_text(client.get(f"/api/v1/receipts/asso-test/{new}.pdf", headers=finance).data)
    assert f"annule et remplace le reçu n° {old}" in text and "cumul 2025" in text


def test_the_annual_command_shows_progress_and_is_idempotent(runner, finance, gifts):
    campaign = gifts.campaign()
    for index in range(3):
        gifts.gift(campaign, 1_000 + index, receipt_choice="annual", paid_on=date(2025, 6, 1),
                   payment_method="transfer", email=f"d{index}@example.org")
    result = runner.invoke(args=["receipts", "annual", "--year", "2025", "--organization", "asso-test",
                                 "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "asso-test: 3 issued, 0 already issued, 0 complementary" in result.output
    again = runner.invoke(args=["receipts", "annual", "--year", "2025", "--organization", "asso-test",
                                "--workers", "1"])
    assert "0 issued, 3 already issued, 0 complementary" in again.output
    assert [r[0][-6:] for r in gifts.receipts()] == ["000001", "000002", "000003"]
