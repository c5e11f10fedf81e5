"""The whole JSON API fuzzed from its own OpenAPI document by schemathesis, in-process (WSGI), as three
callers: an administrator's token, a merchant's key and nobody. No answer may be a server error, and
every answer must match what the document says of it (status code and body).

Runs once, on PostgreSQL: it is the database that refuses what SQLite silently stores (integers beyond
64 bits, dates beyond year 9999 or before year 1 after a time-zone shift), so it is where hostile input
turned into 500s. On SQLite the test is skipped; `make test` runs both databases.

Bounded: a fixed seed, SCHEMATHESIS_EXAMPLES examples per operation and caller, no shrinking, and an
overall budget after which the remaining operations are skipped with a message saying so.
"""
import os
import time
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
import schemathesis.specs.openapi.checks
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy.engine import make_url

from app.extensions import db
from app.types import utcnow

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "30"))
BUDGET_SECONDS = float(os.environ.get("SCHEMATHESIS_BUDGET_SECONDS", "240"))
CALLERS = ("admin", "merchant", "anonymous")
# Operations not exercised here, and why:
# - the Stripe webhooks (platform, Connect) need a Stripe-Signature over their exact body, which a
#   generator cannot forge: a random body is a 400 by design; tests/test_hostile_input.py signs
#   malformed payloads itself;
# - the archive, register and year ZIP of receipts render many PDFs: covered by tests/receipts.
EXCLUDED_PATHS = ("/api/v1/stripe/webhook", "/api/v1/stripe/connect-webhook")
_clock = {}


@pytest.fixture(scope="module")
def fuzzed(base_config, _schema):
    """One application for the whole run, with an organization, a published campaign, a partner, a
    merchant (and its key) and an administrator: real slugs for the generator to stumble on."""
    if make_url(base_config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        pytest.skip("run once, on PostgreSQL (the database that refuses out-of-range values)")
    from app import create_app
    from app.auth import services as auth_services
    from campaigns import services as campaign_services
    from campaigns.models import PartnerKind, ReceiptRegime
    from donations.roundup import services as roundup_services
    from tests.conftest import connect_organization

    _clock["started"] = time.monotonic()
    app = create_app(base_config)
    with app.app_context():
        organization = campaign_services.create_organization(
            slug="asso-fuzz", name="Association fuzz", legal_form="Association loi 1901", rna="W922000001",
            address_line1="1 rue Houdan", postal_code="92330", city="Sceaux", objet="Soutien aux habitants.",
            receipt_regime=ReceiptRegime.general_interest, signatory_name="Camille Petit",
            signatory_title="Présidente")
        connect_organization(organization)  # its own Stripe account, so that its campaign may be published
        campaign_services.create_partner(slug="partenaire-fuzz", name="Partenaire fuzz", kind=PartnerKind.company,
                                         siren="442306718")
        now = utcnow()
        campaign = campaign_services.create_campaign(
            organization.id, slug="campagne-fuzz", title="Une campagne", summary="Résumé.", description="Texte.",
            commune="Sceaux", insee_code="92071", category="environment", goal_cents=500_000,
            min_gift_cents=500, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
            funding_model="keep_it_all")
        campaign_services.publish_campaign(campaign, now=now - timedelta(days=1))
        merchant = roundup_services.create_merchant(
            beneficiaries=[{"organization": "asso-fuzz", "share_basis_points": 10_000}], slug="commerce-fuzz",
            name="Commerce fuzz", siret="73282932000074", address_line1="10 rue Houdan", postal_code="92330",
            city="Sceaux")
        _, merchant_key = roundup_services.create_key(merchant, "fuzz")
        admin = auth_services.create_user("admin-fuzz@test.example", "admin", password="correct horse battery")
        _, admin_token = auth_services.create_token(admin)
        db.session.commit()
    headers = {"admin": {"Authorization": f"Bearer {admin_token}"},
               "merchant": {"Authorization": f"Bearer {merchant_key}"},
               "anonymous": {}}
    yield app, headers
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


CHECKS = [schemathesis.checks.not_a_server_error,
          schemathesis.specs.openapi.checks.response_schema_conformance,
          schemathesis.specs.openapi.checks.status_code_conformance,
          schemathesis.specs.openapi.checks.content_type_conformance]


def describe(failure):
    parts = [str(failure)] + [str(sub) for sub in getattr(failure, "exceptions", ())]
    return "\n".join(parts)[:3000]


def exercise(operation, headers):
    """Send SCHEMATHESIS_EXAMPLES generated requests (valid and invalid ones) as each caller; returns the
    first failure's description, or None."""
    failures = []
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis.seed(14)
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=strategy)
    def run(case):
        for caller in CALLERS:  # each generated request is sent by the three callers
            try:
                case.call_and_validate(headers=headers[caller], checks=CHECKS)
            except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup, or the transport's error
                failures.append(f"{operation.label} as {caller}: {describe(failure)}")
                raise

    try:
        run()
    except (Exception, BaseExceptionGroup):  # recorded in `failures`
        pass
    return failures[0] if failures else None


@pytest.mark.postgres
def test_api_answers_every_input_within_its_document(fuzzed):
    app, headers = fuzzed
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).exclude(path=list(EXCLUDED_PATHS))
    failures, skipped = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() - _clock["started"] > BUDGET_SECONDS:
            skipped.append(operation.label)
            continue
        failure = exercise(operation, headers)
        if failure:
            failures.append(failure)
    assert not failures, "\n\n".join(failures)
    assert not skipped, f"the run's budget of {BUDGET_SECONDS:.0f} s was spent before: {', '.join(skipped)}"
