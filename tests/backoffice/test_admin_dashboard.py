"""The administrators' home: money by source this month and year, campaigns by status, round-ups,
receipts waiting and why, failed jobs — from stored totals."""
import importlib.util
from datetime import timedelta

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import delete, select, update

from app.extensions import db
from app.formatting import local_today
from app.jobs_log import RunOutcome, run_finished, run_started
from campaigns import services
from campaigns.models import Contribution, MonthlySourceTotal
from campaigns.services.ledger import reverse_donation_contributions
from tests.support import ROOT, csrf_from, sign_in_as_latest


def _monthly(app):
    with app.app_context():
        return {(row.month, row.source.value): row.amount_cents
                for row in db.session.scalars(select(MonthlySourceTotal))}


def test_the_home_of_an_administrator_shows_the_territory_and_others_do_not(app, client, actors, money):
    organization = actors.organization(signed=False)
    partner = actors.partner("banque")
    campaign = money.campaign(organization)
    money.campaign(organization, title="Un brouillon", publish=False)
    money.pledge(campaign, partner, 100_000)
    money.gift(campaign, 3_000)
    money.gift(campaign, 2_000)
    money.grant(campaign, partner, 50_000, reference="CONV-1")
    with app.app_context():
        reverse_donation_contributions(900_002)  # the second gift refunded: its match goes with it
        services.record_partner_payment(services.get_partner(partner), services.get_campaign(campaign),
                                        amount_cents=10_000, received_on=local_today(), method="transfer",
                                        reference="VIR-9")
        db.session.commit()
    with app.app_context():
        run_id = run_started("receipts.issue")
        run_finished(run_id, "receipts.issue", RunOutcome.failed, "OperationalError: disque plein")

    actors.admin()
    sign_in_as_latest(client, app, "admin")
    home = client.get("/gestion").text
    assert "Collecte du territoire" in home
    # 30 € online + 30 € matched + 500 € granted this month; the refunded 20 € and its match are gone.
    assert "560,00" in home
    assert "<td>Dons en ligne</td><td>30,00\xa0€</td><td>30,00\xa0€</td>" in home
    assert "<td>Abondements des partenaires</td><td>30,00\xa0€</td>" in home
    assert "Brouillon <strong>1</strong>" in home and "En cours <strong>1</strong>" in home
    assert "Arrondi ce mois-ci" in home
    assert "Prêtes : émises au prochain passage de la tâche : <strong>1</strong>" in home
    assert "receipts.issue" in home and "disque plein" in home

    actors.user("finance", organization=organization)
    sign_in_as_latest(client, app, "finance")
    home = client.get("/gestion").text
    assert "Collecte du territoire" not in home and "Reçus en attente" not in home
    client.post("/deconnexion", data={"csrf_token": csrf_from(home)})
    assert client.get("/gestion").status_code == 302


def test_monthly_totals_follow_the_ledger_and_the_migration_counts_the_same(app, money, actors):
    organization = actors.organization()
    campaign = money.campaign(organization)
    money.gift(campaign, 1_000)
    money.gift(campaign, 2_500)
    with app.app_context():
        # A line of last month (as if made then), reversed today: it comes off last month.
        first = db.session.scalar(select(Contribution).order_by(Contribution.id))
        last_month = first.created_at - timedelta(days=40)
        db.session.execute(update(Contribution).where(Contribution.id == first.id).values(created_at=last_month))
        db.session.commit()
    live = _monthly(app)

    spec = importlib.util.spec_from_file_location(
        "migration_0011", ROOT / "migrations" / "versions" / "0011_staff_invitations.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(delete(MonthlySourceTotal))
        connection = db.session.connection()
        with Operations.context(MigrationContext.configure(connection)):
            migration._count_the_ledger_by_month(MonthlySourceTotal.__table__)
        db.session.commit()
    counted = _monthly(app)
    with app.app_context():
        today = local_today().replace(day=1)
    assert live == {(today, "online"): 3_500}  # both lines were counted in this month when made
    # The migration reads each line's date: the moved line counts in its own month.
    assert counted[(today, "online")] == 2_500 and len(counted) == 2 and sum(counted.values()) == 3_500

    with app.app_context():
        reverse_donation_contributions(900_001)
        db.session.commit()
    assert sum(_monthly(app).values()) == 2_500
    assert 0 in _monthly(app).values()  # last month's line reversed: its month is back to 0
