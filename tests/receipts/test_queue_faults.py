"""One bad row must not stop every organization's receipts: a queue row that cannot be processed is
set aside with its reason, shown to administrators, retried by them once the cause is fixed, and the
queue goes on with the rows behind it. A row waiting for a signature waits; it is not set aside."""
import logging
import re

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from tests.support import sign_in_as_latest


def _rows(app):
    """(organization slug, outcome, processed, set aside, error) of every queue row, in queue order."""
    from campaigns.models import Organization
    from donations.models import Donation
    from receipts.models import ReceiptRequest

    with app.app_context():
        rows = db.session.execute(
            select(Organization.slug, ReceiptRequest.outcome, ReceiptRequest.processed_at,
                   ReceiptRequest.set_aside_at, ReceiptRequest.error, ReceiptRequest.id)
            .join(Donation, Donation.id == ReceiptRequest.donation_id)
            .join(Organization, Organization.id == Donation.organization_id)
            .order_by(ReceiptRequest.id)).all()
        return [dict(slug=s, outcome=o, processed=p is not None, set_aside=a is not None, error=e, id=i)
                for s, o, p, a, e, i in rows]


def test_an_organization_made_non_eligible_does_not_stop_the_others_receipts(app, client, actors, gifts, caplog):
    actors.organization("asso-a")
    actors.organization("asso-b")
    actors.organization("asso-sans-signature", signed=False)
    admin = actors.admin()
    gifts.gift(gifts.campaign("asso-a"), 4_000, payment_method="cheque")
    gifts.gift(gifts.campaign("asso-sans-signature"), 1_500, payment_method="cheque")
    gifts.gift(gifts.campaign("asso-b"), 2_500, payment_method="cheque")
    # The city's team finds that asso-a may not issue receipts, while its gift is still queued.
    changed = client.patch("/api/v1/organizations/asso-a", headers=admin, json={"receipt_regime": "not_eligible"})
    assert changed.status_code == 200, changed.json

    # (alembic's fileConfig, run by the migration tests, disables the loggers that exist then)
    logging.getLogger("receipts.jobs").disabled = False
    with caplog.at_level(logging.ERROR, logger="receipts.jobs"):
        gifts.run_job()  # before: InvalidInput on asso-a's row, every minute, and nothing behind it

    assert [(status, amount) for _, status, amount, _ in gifts.receipts("asso-b")] == [("issued", 2_500)]
    assert gifts.receipts("asso-a") == []
    a, unsigned, b = _rows(app)
    assert a["set_aside"] and not a["processed"]
    assert "does not issue tax receipts" in a["error"]
    assert any("set aside" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    # Waiting for a signature is not a fault: the row waits, it is not set aside.
    assert not unsigned["set_aside"] and not unsigned["processed"]
    assert unsigned["outcome"] == "en attente de la signature de l'organisme"
    assert b["processed"] and not b["set_aside"]
    assert gifts.run_job() == 0  # the set-aside row is not taken again every minute

    # Administrators see it on the finance page, with its reason and a button to retry it.
    actors.user("finance", organization="asso-a")
    sign_in_as_latest(client, app, "admin")
    page = client.get("/finance").get_data(as_text=True)
    assert "Demandes de reçu mises de côté" in page and "asso-a" in page
    assert "does not issue tax receipts" in page
    assert f"/finance/demandes/{a['id']}/relancer" in page
    # A finance officer does not see the administrators' notices.
    sign_in_as_latest(client, app, "finance")
    assert "mises de côté" not in client.get("/finance").get_data(as_text=True)

    # Once the cause is fixed, an administrator retries it; the next run issues the receipt.
    restored = client.patch("/api/v1/organizations/asso-a", headers=admin,
                            json={"receipt_regime": "general_interest"})
    assert restored.status_code == 200, restored.json
    retried = client.post(f"/api/v1/receipts/requests/{a['id']}/retry", headers=admin)
    assert retried.status_code == 200, retried.json
    assert retried.json["set_aside_at"] is None and retried.json["error"] is None
    gifts.run_job()
    assert [(status, amount) for _, status, amount, _ in gifts.receipts("asso-a")] == [("issued", 4_000)]
    assert _rows(app)[0]["processed"] and not _rows(app)[0]["set_aside"]


def test_retrying_is_for_administrators_and_only_for_a_row_set_aside(app, client, actors, gifts):
    actors.organization("asso-a")
    finance = actors.user("finance", organization="asso-a")
    admin = actors.admin()
    gifts.gift(gifts.campaign("asso-a"), 4_000, payment_method="cheque")
    row = _rows(app)[0]
    assert client.post(f"/api/v1/receipts/requests/{row['id']}/retry", headers=finance).status_code == 403
    pending = client.post(f"/api/v1/receipts/requests/{row['id']}/retry", headers=admin)
    assert pending.status_code == 409 and pending.json["errors"]
    assert client.post("/api/v1/receipts/requests/999999/retry", headers=admin).status_code == 404


def test_a_row_that_raises_is_set_aside_and_the_rows_behind_it_are_processed(app, client, actors, gifts,
                                                                             monkeypatch):
    from receipts.services import queue

    actors.organization("asso-a")
    poisoned = gifts.gift(gifts.campaign("asso-a"), 1_000, payment_method="cheque")
    gifts.gift(gifts.campaign("asso-a"), 2_000, payment_method="cheque")
    gifts.gift(gifts.campaign("asso-a"), 3_000, payment_method="cheque")
    real = queue._issue_for_gift

    def issue(request, donation, rules, renderer):
        if donation.id == poisoned:
            raise KeyError("a bug on this row")
        return real(request, donation, rules, renderer)

    monkeypatch.setattr(queue, "_issue_for_gift", issue)
    assert gifts.run_job() == 2
    assert [amount for _, _, amount, _ in gifts.receipts("asso-a")] == [2_000, 3_000]
    first, second, third = _rows(app)
    assert first["set_aside"] and "KeyError" in first["error"] and "a bug on this row" in first["error"]
    assert second["processed"] and third["processed"]

    # Retried through the button of the finance page once the bug is fixed.
    monkeypatch.setattr(queue, "_issue_for_gift", real)
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    page = client.get("/finance?organization=asso-a").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = client.post(f"/finance/demandes/{first['id']}/relancer", data={"csrf_token": token},
                       follow_redirects=True)
    assert done.status_code == 200 and "relancée" in done.get_data(as_text=True)
    assert gifts.run_job() == 1
    assert [amount for _, _, amount, _ in gifts.receipts("asso-a")] == [2_000, 3_000, 1_000]


def test_a_transient_database_error_leaves_the_row_for_the_next_run(app, actors, gifts, monkeypatch):
    from receipts.services import queue

    actors.organization("asso-a")
    gifts.gift(gifts.campaign("asso-a"), 1_000, payment_method="cheque")
    gifts.gift(gifts.campaign("asso-a"), 2_000, payment_method="cheque")
    real = queue._issue_for_gift
    failures = []

    def issue(request, donation, rules, renderer):
        if not failures:
            failures.append(donation.id)
            raise OperationalError("SELECT ...", {}, Exception("database is locked"))
        return real(request, donation, rules, renderer)

    monkeypatch.setattr(queue, "_issue_for_gift", issue)
    assert gifts.run_job() == 0  # the database is in trouble: stop, try again at the next run
    assert not any(row["set_aside"] or row["processed"] for row in _rows(app))
    assert gifts.run_job() == 2
    assert [amount for _, _, amount, _ in gifts.receipts("asso-a")] == [1_000, 2_000]
