"""Production configuration, security headers on every response, the reverse proxy, and holders'
Markdown that loads nothing from other sites."""
import pytest

from app import create_app
from app.config import ConfigurationError
from tests.campaigns.conftest import build  # noqa: F401  (fixture)

STRONG = "x" * 40
LIVE = {"STRIPE_SECRET_KEY": "sk_live_abc", "SECRET_KEY": STRONG, "KEY_PEPPER": "p" * 40,
        "STRIPE_WEBHOOK_SECRET": "whsec_real_endpoint_secret",
        "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_real_connect_endpoint_secret", "SQLALCHEMY_DATABASE_URI":
        "postgresql+psycopg://solidaire@db.example/solidaire"}


@pytest.mark.parametrize("override, setting", [
    ({"SECRET_KEY": "dev-only-change-me"}, "SECRET_KEY"),
    ({"SECRET_KEY": "court"}, "SECRET_KEY"),
    ({"STRIPE_WEBHOOK_SECRET": "whsec_solidaire_local"}, "STRIPE_WEBHOOK_SECRET"),
    ({"STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_solidaire_connect_local"}, "STRIPE_CONNECT_WEBHOOK_SECRET"),
    ({"KEY_PEPPER": ""}, "KEY_PEPPER"),
    ({"KEY_PEPPER": "dev-only-change-me"}, "KEY_PEPPER"),
    ({"SQLALCHEMY_DATABASE_URI": "sqlite:///prod.sqlite3"}, "DATABASE_URL"),
])
def test_live_stripe_keys_refuse_development_settings(override, setting):
    with pytest.raises(ConfigurationError, match=setting):
        create_app({**LIVE, **override})


def test_a_production_flag_refuses_development_secrets(monkeypatch):
    for name in ("SECRET_KEY", "KEY_PEPPER", "ROUNDUP_KEY_PEPPER", "STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY.*STRIPE_WEBHOOK_SECRET.*KEY_PEPPER"):
        create_app({"SOLIDAIRE_ENV": "production"})
    monkeypatch.setenv("FLASK_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_production_with_real_secrets_starts_and_development_starts_as_before(monkeypatch):
    create_app(LIVE)  # PostgreSQL is not contacted at start
    create_app({**LIVE, "STRIPE_SECRET_KEY": "sk_test_x", "SOLIDAIRE_ENV": "production",
                "SQLALCHEMY_DATABASE_URI": "sqlite:///staging.sqlite3"})  # test keys may use SQLite
    monkeypatch.delenv("FLASK_ENV", raising=False)
    monkeypatch.delenv("SOLIDAIRE_ENV", raising=False)
    create_app({"SECRET_KEY": "dev-only-change-me"})


def csp_directives(response):
    return {part.split()[0]: part.split()[1:] for part in response.headers["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("path", ["/", "/connexion", "/api/v1/health", "/nulle-part", "/api/v1/openapi.json",
                                  "/widget/arrondi.js"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = csp_directives(response)
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "Strict-Transport-Security" not in response.headers  # plain http on loopback


def test_the_csp_allows_stripe_js_and_nothing_else_third_party(app, client, base_config):
    stripe_origin = base_config["STRIPE_JS_URL"].split("/js.stripe.com")[0]
    csp = csp_directives(client.get("/"))
    assert csp["script-src"] == ["'self'", stripe_origin]  # no 'unsafe-inline', no other host
    assert csp["connect-src"] == ["'self'", stripe_origin]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["default-src"] == ["'self'"] and csp["form-action"] == ["'self'"]
    real = create_app({**base_config, "STRIPE_JS_URL": "https://js.stripe.com/v3/"})
    csp = csp_directives(real.test_client().get("/"))
    assert csp["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert "https://api.stripe.com" in csp["connect-src"] and "https://hooks.stripe.com" in csp["frame-src"]


def test_no_page_has_an_inline_script():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for template in root.glob("*/**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert "src=" in tag, (template, tag)
        assert not re.search(r"\son(click|load|submit|change|input)=", template.read_text()), template


def test_pages_carrying_a_signed_link_keep_their_referrer_at_home(client):
    assert client.get("/dons/jeton-quelconque/merci").headers["Referrer-Policy"] == "same-origin"
    assert client.get("/verifier/asso/2026-000001?k=abc").headers["Referrer-Policy"] == "same-origin"


def test_https_adds_hsts(base_config):
    app = create_app({**base_config, "PUBLIC_URL": "https://dons.sceaux.example"})
    assert app.test_client().get("/").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_proxy_fix_trusts_only_the_configured_hops(base_config):
    from flask import request

    seen = {}
    for hops in (0, 1):
        app = create_app({**base_config, "PROXY_FIX_X_FOR": hops, "PROXY_FIX_X_PROTO": hops})

        @app.get("/adresse")
        def address():
            seen[hops] = (request.remote_addr, request.scheme)
            return "ok"

        app.test_client().get("/adresse", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen[0] == ("127.0.0.1", "http")
    assert seen[1] == ("203.0.113.9", "https")


TRACKING_PIXEL = "Merci !\n\n![](https://tracker.example/pixel.gif?visiteur=1)\n\n" \
                 "<img src=\"//tracker.example/p.gif\" width=\"1\" height=\"1\">"


def test_holders_markdown_loads_no_image_from_another_site(app, client, build):  # noqa: F811
    from campaigns.services import render_markdown

    html = render_markdown(TRACKING_PIXEL + "\n\n![Le potager](/campagnes/potager/couverture) [site](https://jardin.example)")
    assert "tracker.example" not in html
    assert '<img alt="Le potager" src="/campagnes/potager/couverture">' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    build.campaign(slug="potager", description=TRACKING_PIXEL)
    page = client.get("/campagnes/potager").get_data(as_text=True)
    assert "Merci !" in page and "tracker.example" not in page
