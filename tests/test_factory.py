import pytest

from app import create_app
from app.formatting import format_day, format_moment


def test_defaults_are_safe_for_a_fresh_checkout(monkeypatch):
    for name in ("DATABASE_URL", "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_PORT"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/solidaire.sqlite3")
    assert app.config["STRIPE_API_BASE"] == "http://127.0.0.1:8420"
    assert app.config["TIMEZONE"] == "Europe/Paris"
    assert not app.testing


def test_environment_then_the_callers_mapping_override_defaults(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db.example/solidaire")
    monkeypatch.setenv("STRIPE_PORT", "9999")
    app = create_app({"TIMEZONE": "America/Cayenne"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.example/solidaire"
    assert app.config["STRIPE_API_BASE"] == "http://127.0.0.1:9999"
    assert app.config["TIMEZONE"] == "America/Cayenne"


def test_legal_figures_are_dated_and_carry_their_references(app):
    from datetime import date

    from app.tax_rules import figures_on, rule_on

    table = app.config["TAX_RULES"]
    rules = figures_on(table, date(2026, 3, 1))
    assert (rules["individual_rate_percent"], rules["difficulty_rate_percent"], rules["company_rate_percent"]) == (66, 75, 60)
    assert rules["counterpart_yearly_cap_cents"] == 7300
    # The 75 % cap doubled for gifts made from 14 October 2025 (loi de finances pour 2026).
    assert figures_on(table, date(2025, 10, 13))["difficulty_yearly_cap_cents"] == 100_000
    cap = rule_on(table, "difficulty_yearly_cap_cents", date(2025, 10, 14))
    assert (cap.value, cap.since) == (200_000, date(2025, 10, 14)) and "2026" in cap.reference
    assert all(rule.reference for versions in table.values() for rule in versions)


def test_health_and_openapi_document(client):
    assert client.get("/api/v1/health").json == {"status": "ok", "database": "ok"}
    document = client.get("/api/v1/openapi.json").json
    assert document["info"]["title"] == "Solidaire"
    assert "/api/v1/organizations" in document["paths"]
    assert "/api/v1/organizations/{slug}" in document["paths"]


def test_home_page_speaks_french(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="fr"' in page.text


@pytest.mark.parametrize("moment, shown", [
    ("2026-11-25T13:05:00+00:00", "25/11/2026 à 14:05"),  # winter time, UTC+1
    ("2026-07-01T22:30:00+00:00", "02/07/2026 à 00:30"),  # summer time, UTC+2, next day in Paris
])
def test_dates_are_shown_in_paris_time(app, moment, shown):
    from datetime import datetime

    with app.app_context():
        value = datetime.fromisoformat(moment)
        assert format_moment(value) == shown
        assert format_day(value) == shown[:10]
