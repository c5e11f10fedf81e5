"""Retention: a year's archive with its SHA-256 manifest; donors' data erased once a receipt's six
years after its year of issue are over (LPF art. L102 B), never before, never for an open gift."""
import hashlib
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.tax_rules import rule_on, with_figure

from tests.receipts.conftest import DONOR

TODAY = date(2026, 11, 27)  # receipts issued in 2019 were kept until 31/12/2025; those of 2020 until 31/12/2026


def issue_on(app, donation_id, day):
    from donations.models import Donation
    from receipts.services.issuing import issue_receipts, single_draft

    with app.app_context():
        [receipt] = issue_receipts([single_draft(db.session.get(Donation, donation_id))], issued_on=day)
        db.session.commit()
        return receipt.number


@pytest.fixture
def old_gifts(app, client, finance, gifts):
    """Gifts of 2019 and 2020 with their receipts issued then, a 2019 gift without a receipt, a gift
    still pending since 2018, and two round-up donors' identities."""
    from donations.models import Donation
    from receipts.models import RoundupDonor

    # The dated table starts some figures in 2020-2021 (a 2019 receipt is refused by design). What is
    # tested here is retention, not figures: give those a value from 2000 (app.tax_rules.with_figure).
    rules = app.config["TAX_RULES"]
    for name in ("difficulty_yearly_cap_cents", "counterpart_max_percent", "counterpart_yearly_cap_cents",
                 "company_reduced_rate_percent", "company_reduced_rate_threshold_cents", "company_cap_cents"):
        rules = with_figure(rules, name, rule_on(rules, name, date(2021, 1, 1)).value)
    app.config["TAX_RULES"] = rules
    campaign = gifts.campaign()
    ids = {
        "2019": gifts.gift(campaign, 5_000, paid_on=date(2019, 3, 1), payment_method="transfer"),
        "2020": gifts.gift(campaign, 7_000, paid_on=date(2020, 3, 1), payment_method="cheque",
                           email="recent@example.org", first_name="Paul", last_name="Langevin"),
        "none": gifts.gift(campaign, 1_000, receipt_choice="none", paid_on=date(2019, 5, 5), payment_method="cash",
                           email="sans.recu@example.org", first_name="Irène", last_name="Joliot"),
    }
    numbers = {"2019": issue_on(app, ids["2019"], date(2019, 3, 2)), "2020": issue_on(app, ids["2020"], date(2020, 3, 2))}
    started = client.post(f"/api/v1/campaigns/{campaign}/donations", json={
        "amount_cents": 3_000, **DONOR, "email": "pending@example.org", "donor_type": "individual",
        "receipt_choice": "per_gift"})
    assert started.status_code == 201, started.json
    with app.app_context():
        pending = db.session.query(Donation).filter_by(email="pending@example.org").one()
        pending.created_at = pending.created_at - timedelta(days=8 * 366)
        ids["pending"] = pending.id
        for email in ("old@example.org", "recent@example.org"):
            db.session.add(RoundupDonor(email=email, first_name="A", last_name="B", address_line1="1 rue",
                                        postal_code="92330", city="Sceaux"))
        db.session.commit()
    gifts.run_job()
    return ids, numbers


def test_the_archive_of_a_year_holds_its_pdfs_the_register_and_a_manifest_of_their_sha256(
        app, client, runner, finance, old_gifts, tmp_path):
    _, numbers = old_gifts
    result = runner.invoke(args=["receipts", "archive", "--organization", "asso-test", "--year", "2019",
                                 "--to", str(tmp_path / "2019")])
    assert result.exit_code == 0, result.output
    assert "keep them until 31/12/2025" in result.output
    folder = tmp_path / "2019"
    manifest = (folder / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in manifest:  # the `sha256sum -c` format: 64 hex digits, two spaces, the file name
        digest, name = line.split("  ", 1)
        assert len(digest) == 64
        listed[name] = digest
    assert sorted(listed) == [f"recu-{numbers['2019']}.pdf", "registre-asso-test-2019.csv"]
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    stored = client.get(f"/api/v1/receipts/asso-test/{numbers['2019']}.pdf", headers=finance)
    assert (folder / f"recu-{numbers['2019']}.pdf").read_bytes() == stored.data
    register = (folder / "registre-asso-test-2019.csv").read_text(encoding="utf-8-sig")
    assert numbers["2019"] in register and "Séquence continue de 2019-000001 à 2019-000001." in register


def test_donor_data_are_erased_after_the_retention_period_and_kept_before(app, client, finance, old_gifts):
    from donations.models import Donation
    from receipts.models import Receipt, RoundupDonor
    from receipts.services import retention
    from sqlalchemy.orm import undefer

    ids, numbers = old_gifts
    assert retention.kept_until(2019) == date(2025, 12, 31) and retention.kept_until(2020) == date(2026, 12, 31)
    with app.app_context():
        dry = retention.purge_donor_data(today=TODAY, dry_run=True)
        db.session.rollback()
        assert dry.until_year == 2019 and dry.receipts == [numbers["2019"]]
        assert sorted(dry.donations) == sorted([ids["2019"], ids["none"]])
        assert dry.roundup_donors == ["old@example.org"]
        assert db.session.get(Donation, ids["2019"]).last_name == "Curie"  # a dry run erases nothing

        retention.purge_donor_data(today=TODAY)
        db.session.commit()

        old = db.session.query(Receipt).options(undefer(Receipt.pdf)).filter_by(number=numbers["2019"]).one()
        assert (old.donor, old.donor_name, old.donor_email, old.pdf) == ({}, "", "", None)
        assert old.personal_data_erased_at is not None
        assert (old.amount_cents, old.paid_on, old.status.value, len(old.pdf_sha256)) == (5_000, date(2019, 3, 1), "issued", 64)
        kept = db.session.query(Receipt).options(undefer(Receipt.pdf)).filter_by(number=numbers["2020"]).one()
        assert kept.donor_name == "Paul Langevin" and kept.pdf and kept.personal_data_erased_at is None

        gift = db.session.get(Donation, ids["2019"])
        assert (gift.first_name, gift.last_name, gift.email, gift.address_line1, gift.postal_code, gift.city) == (
            "", "", "", "", "", "")
        assert (gift.amount_cents, gift.paid_on, gift.status.value) == (5_000, date(2019, 3, 1), "succeeded")
        assert db.session.get(Donation, ids["none"]).email == ""
        assert db.session.get(Donation, ids["2020"]).last_name == "Langevin"
        assert db.session.get(Donation, ids["pending"]).email == "pending@example.org"  # still open
        assert [d.email for d in db.session.query(RoundupDonor)] == ["recent@example.org"]

        again = retention.purge_donor_data(today=TODAY)
        assert (again.receipts, again.donations, again.roundup_donors) == ([], [], [])

    assert client.get(f"/api/v1/receipts/asso-test/{numbers['2019']}.pdf", headers=finance).status_code == 404
    assert client.get(f"/api/v1/receipts/asso-test/{numbers['2020']}.pdf", headers=finance).status_code == 200
    register = client.get("/api/v1/receipts/register.csv?year=2019", headers=finance).get_data(as_text=True)
    assert numbers["2019"] in register and "50,00" in register  # the register still lists it


def test_the_purge_command_says_what_it_would_erase(runner, finance, old_gifts):
    result = runner.invoke(args=["receipts", "purge-donor-data", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would erase the donor data and PDFs of" in result.output
