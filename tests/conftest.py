"""Shared fixtures: a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), a real
localstripe server, and helpers that act as the service's users."""
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from werkzeug.serving import make_server

from app import create_app
from app.auth import services as auth_services
from app.extensions import db
from tests.support import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """PostgreSQL when TEST_DATABASE_URL says so (make test runs both), else a SQLite file."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def localstripe():
    """A localstripe server of this test run's own, on loopback, its store in memory."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "fakes.localstripe_server", "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def base_config(database_url, localstripe, tmp_path_factory):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STRIPE_API_BASE": localstripe,
        "STRIPE_JS_URL": f"{localstripe}/js.stripe.com/v3/",
        "STRIPE_WEBHOOK_SECRET": "whsec_test_secret",
        "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_test_connect_secret",
        "OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox")),
    }


@pytest.fixture(scope="session")
def _schema(base_config):
    app = create_app(base_config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


@pytest.fixture
def app(base_config, _schema):
    """The application on a clean database; every table is emptied after the test."""
    app = create_app(base_config)
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """The app served on a loopback port by a thread: for the browser, and for localstripe's webhooks."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def page():
    """A page of Debian's headless Chromium, the size of a phone, in French."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR",
                                          accept_downloads=True)
            yield context.new_page()
        finally:
            browser.close()


def connect_organization(organization):
    """Create the organization's connected account and complete its onboarding (localstripe's account
    link completes it when visited), then read the flags back as account.updated would."""
    import requests

    from donations.services import accounts

    accounts.create_account(organization)
    link = accounts.onboarding_link(organization, return_url="http://127.0.0.1:9/back",
                                    refresh_url="http://127.0.0.1:9/again")
    requests.get(link["url"], allow_redirects=False, timeout=10).raise_for_status()
    accounts.refresh_account(organization.stripe_account_id)


class Actors:
    """Creates organizations, partners and users, and returns the headers they call the API with."""

    def __init__(self, app):
        self.app = app
        self._count = 0

    def organization(self, slug="asso-test", signed=True, payments=True, **overrides):
        """An organization; `signed` gives it the signature image without which no receipt is issued;
        `payments` its own Stripe account (localstripe), onboarded, so that it takes gifts."""
        from campaigns import services
        from campaigns.demo import signature_png

        values = dict(
            slug=slug, name=f"Association {slug}", legal_form="Association loi 1901", rna="W922000001",
            address_line1="1 rue Houdan", postal_code="92330", city="Sceaux",
            objet="Soutien aux habitants du territoire.", receipt_regime="general_interest",
            signatory_name="Camille Petit", signatory_title="Présidente",
        )
        values.update(overrides)
        from campaigns.models import ReceiptRegime

        values["receipt_regime"] = ReceiptRegime(values["receipt_regime"])
        with self.app.app_context():
            organization = services.create_organization(**values)
            if signed:
                services.set_organization_image(organization, "signature", signature_png(values["signatory_name"]))
            if payments:
                connect_organization(organization)
            db.session.commit()
            return organization.slug

    def partner(self, slug="partenaire-test", kind="company", **overrides):
        from campaigns import services
        from campaigns.models import PartnerKind

        values = dict(slug=slug, name=f"Partenaire {slug}", kind=PartnerKind(kind), siren="442306718")
        values.update(overrides)
        with self.app.app_context():
            partner = services.create_partner(**values)
            db.session.commit()
            return partner.slug

    def user(self, role, organization=None, partner=None, password="correct horse battery"):
        """Create a user of `role`; returns the Authorization headers of a fresh token."""
        from campaigns import services

        self._count += 1
        with self.app.app_context():
            user = auth_services.create_user(
                f"{role}{self._count}@test.example", role, password=password,
                organization_id=services.get_organization(organization).id if organization else None,
                partner_id=services.get_partner(partner).id if partner else None,
            )
            _, token = auth_services.create_token(user)
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    def admin(self):
        return self.user("admin")


@pytest.fixture
def actors(app):
    return Actors(app)


@pytest.fixture
def empty_database_url(base_config, tmp_path):
    """A database of this test's own with no table, of the dialect under test (for migrations)."""
    url = make_url(base_config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
