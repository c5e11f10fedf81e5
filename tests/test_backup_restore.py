"""Backups that restore: the demo territory, dumped with `pg_dump -Fc` and restored with `pg_restore`
into an empty database, answers the same totals, the same receipts (number and SHA-256 of the very
PDF bytes) and the same row counts, and goes on working (sequences included)."""
import glob
import hashlib
import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

POSTGRES = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not POSTGRES, reason="backups are of PostgreSQL, the production database "
                                                     "(pg_dump/pg_restore); run with TEST_DATABASE_URL")


def postgres_tool(name):
    """pg_dump/pg_restore of the newest PostgreSQL installed (Debian keeps them off PATH)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0)
    return found[-1] if found else shutil.which(name)


@pytest.fixture
def fresh_database(database_url):
    """Makes empty databases beside the test database; drops them afterwards."""
    server = make_url(database_url)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    made = []

    def make():
        name = f"solidaire_backup_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return server.set(database=name)

    yield make
    with admin.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def libpq_arguments(url):
    return ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


def snapshot(app):
    """What a finance officer compares after a restore."""
    from campaigns.models import Campaign
    from receipts.models import Receipt

    with app.app_context():
        tables = sorted(inspect(db.engine).get_table_names())
        counts = {table: db.session.scalar(text(f'SELECT count(*) FROM "{table}"')) for table in tables}
        totals = db.session.execute(select(Campaign.slug, Campaign.status, Campaign.raised_cents, Campaign.online_cents,
                                           Campaign.match_cents, Campaign.grant_cents, Campaign.donor_count)
                                    .order_by(Campaign.slug)).all()
        receipts = [(number, stored, hashlib.sha256(pdf).hexdigest()) for number, stored, pdf in db.session.execute(
            select(Receipt.number, Receipt.pdf_sha256, Receipt.pdf).order_by(Receipt.number)).all()]
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.remove()
        db.engine.dispose()
    return {"counts": counts, "totals": [tuple(row) for row in totals], "receipts": receipts, "version": version}


def test_a_dump_of_the_demo_restores_into_an_empty_database(base_config, fresh_database, tmp_path):
    from flask_migrate import upgrade

    from app.demo import load_all

    source_url, target_url = fresh_database(), fresh_database()
    source = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": source_url.render_as_string(hide_password=False)})
    with source.app_context():
        upgrade()  # the schema as production has it: by the migrations, alembic_version included
        load_all(source)
        db.session.remove()
    before = snapshot(source)
    assert before["receipts"] and before["counts"]["donations"] and before["counts"]["roundups"]
    assert all(stored == computed for _, stored, computed in before["receipts"])

    dump = tmp_path / "solidaire.dump"
    subprocess.run([postgres_tool("pg_dump"), "-Fc", *libpq_arguments(source_url), "-f", str(dump),
                    source_url.database], check=True, capture_output=True)
    subprocess.run([postgres_tool("pg_restore"), "--exit-on-error", "--no-owner", *libpq_arguments(target_url),
                    "-d", target_url.database, str(dump)], check=True, capture_output=True)

    target = create_app({**base_config, "SQLALCHEMY_DATABASE_URI": target_url.render_as_string(hide_password=False)})
    after = snapshot(target)
    assert after["version"] == before["version"]
    assert after["counts"] == before["counts"]
    assert after["totals"] == before["totals"]
    assert after["receipts"] == before["receipts"]

    # The restored service answers as before and goes on: its sequences were restored with the rows.
    from app.money import format_eur
    from campaigns import services

    raised = dict((slug, raised) for slug, _, raised, *_ in before["totals"])["epicerie-mobile-blagis"]
    page = target.test_client().get("/campagnes/epicerie-mobile-blagis").get_data(as_text=True)
    assert f"<strong>{format_eur(raised)}</strong> collectés" in page
    with target.app_context():
        campaign = services.get_campaign("epicerie-mobile-blagis")
        services.add_contribution(campaign.id, "online", 1000, donor_key="after-restore", donation_id=10**9)
        db.session.commit()
        from campaigns.models import Contribution

        assert db.session.scalar(select(func.count()).select_from(Contribution)) == before["counts"]["contributions"] + 1
        db.session.remove()
        db.engine.dispose()
