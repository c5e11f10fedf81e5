"""Configuration: safe defaults, overridden by environment variables, then by the caller's mapping."""
import os
from pathlib import Path

# Legal figures shared by several packages (the config key TAX_RULES): a table of dated rules, each
# with the day from which it applies and its legal reference, so that a finance officer can check it.
# When the law changes, add a rule with its date in app/tax_rules.py, never edit a figure in place:
# gifts made before the change keep the figures of their day.
from app.tax_rules import TAX_RULES

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Cerfa form versions are configuration: the tax administration revises them. Each receipt prints the
# form's number, version, name, title and article line as published on impots.gouv.fr.
# The versions in force when checked on 27/11/2026 (the forms' pages on impots.gouv.fr; for companies,
# CGI art. 238 bis-5 bis makes the receipt "conforme à un modèle fixé par l'administration", and the
# rescrit of 21/06/2023 accepts any document carrying the model's mentions). The day each version
# replaced the previous one is not recorded here: a new version is a new entry of this mapping, and
# receipts already issued keep the number and version they were printed with (Receipt.form_version).
CERFA_FORMS = {
    # Individuals: Cerfa n° 11580*05 (form 2041-RD), articles 200 and 978 only; since version 05 the
    # companies' article 238 bis has its own form.
    "individual": {
        "number": "11580", "version": "05", "form": "2041-RD",
        "title": "Reçu des dons et versements effectués par les particuliers au titre des articles 200 et 978 "
                 "du code général des impôts",
        "reference": "Articles 200 et 978 du code général des impôts",
    },
    # Companies: Cerfa n° 16216*02 (form 2041-MEC-SD), article 238 bis (5 bis: the receipt is required).
    "company": {
        "number": "16216", "version": "02", "form": "2041-MEC-SD",
        "title": "Reçu des dons et versements effectués par les entreprises au titre de l'article 238 bis du "
                 "code général des impôts",
        "reference": "Article 238 bis du code général des impôts",
    },
}


# The charter a shop accepts to join the round-up (/devenir-commercant); MERCHANT_CHARTER replaces it.
# Each application keeps the text as it was accepted.
DEFAULT_MERCHANT_CHARTER = (
    "En rejoignant l'arrondi solidaire, le commerce s'engage à :\n"
    "- proposer l'arrondi à ses clients sans jamais l'imposer, et annuler tout arrondi refusé ;\n"
    "- enregistrer chaque arrondi accepté au moment du paiement, sans le mêler au prix des articles ;\n"
    "- reverser chaque mois la totalité des arrondis de son relevé aux bénéficiaires choisis, dans le "
    "mois qui suit le relevé ;\n"
    "- afficher en caisse l'affiche de l'arrondi et les bénéficiaires qu'elle nomme ;\n"
    "- ne demander aucune donnée personnelle au client pour l'arrondi : un client qui veut un reçu fiscal "
    "le demande lui-même ;\n"
    "- prévenir la Ville de tout changement (enseigne, adresse, fermeture) et pouvoir quitter le dispositif "
    "à tout moment, après le reversement du dernier relevé."
)


# Development values of the secrets: fine on a laptop, refused in production (check_production).
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"
DEVELOPMENT_WEBHOOK_SECRET = "whsec_solidaire_local"
DEVELOPMENT_CONNECT_WEBHOOK_SECRET = "whsec_solidaire_connect_local"
# A secret shorter than this is a placeholder, not a secret.
MIN_SECRET_LENGTH = 24


class ConfigurationError(RuntimeError):
    """The configuration would run the service unsafely: create_app refuses to start."""


def _env_flag(name, default=None):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def defaults():
    """The configuration a fresh checkout runs with: SQLite under instance/, localstripe on loopback."""
    stripe_port = _env_int("STRIPE_PORT", 8420)
    port = _env_int("PORT", 5000)
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY),
        # `production` (or FLASK_ENV=production) makes create_app refuse development secrets; live
        # Stripe keys do the same whatever this says.
        "SOLIDAIRE_ENV": os.environ.get("SOLIDAIRE_ENV")
        or ("production" if os.environ.get("FLASK_ENV") == "production" else "development"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'solidaire.sqlite3'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TIMEZONE": os.environ.get("TIMEZONE", "Europe/Paris"),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", f"http://127.0.0.1:{port}"),
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024),
        # Stripe: localstripe on loopback unless real keys are given.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", "sk_test_solidaire_local"),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_solidaire_local"),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", f"http://127.0.0.1:{stripe_port}"),
        "STRIPE_JS_URL": os.environ.get(
            "STRIPE_JS_URL", f"http://127.0.0.1:{stripe_port}/js.stripe.com/v3/"
        ),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", DEVELOPMENT_WEBHOOK_SECRET),
        # The Connect endpoint's own signing secret: events of the organizations' connected accounts.
        "STRIPE_CONNECT_WEBHOOK_SECRET": os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET",
                                                        DEVELOPMENT_CONNECT_WEBHOOK_SECRET),
        # The platform's share of each gift, in basis points (1/100 %), taken as an application fee on
        # the organization's charge; 0: the town's service is free for associations.
        "STRIPE_APPLICATION_FEE_BPS": _env_int("STRIPE_APPLICATION_FEE_BPS", 0),
        # SEPA Direct Debit: always offered for monthly gifts; for a one-off gift from this amount (0: never).
        "SEPA_ONE_OFF_MIN_CENTS": _env_int("SEPA_ONE_OFF_MIN_CENTS", 10_000),
        "MAX_GIFT_CENTS": _env_int("MAX_GIFT_CENTS", 5_000_000),
        # A cheque, cash or transfer recorded by hand: a typing slip of three zeros is refused.
        "MAX_OFFLINE_GIFT_CENTS": _env_int("MAX_OFFLINE_GIFT_CENTS", 100_000_000),
        "OUTBOX_DIR": os.environ.get("OUTBOX_DIR", str(INSTANCE_DIR / "outbox")),
        "SMTP_URL": os.environ.get("SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Solidaire Sceaux <dons@solidaire.example>"),
        # Operators' address: a failed or skipped scheduled job (app/jobs_log.py) is emailed there, at
        # most once an hour per job; empty: logged and shown on the finance page only.
        "ALERT_EMAIL": os.environ.get("ALERT_EMAIL", ""),
        "TAX_RULES": dict(TAX_RULES),
        "CERFA_FORMS": {k: dict(v) for k, v in CERFA_FORMS.items()},
        # Flask-WTF protects the HTML forms; the JSON API authenticates with bearer tokens instead.
        "WTF_CSRF_CHECK_DEFAULT": False,
        # WTForms' own messages ("Not a valid choice."...) from the French translations WTForms ships
        # (FlaskForm.Meta.locales, app/extensions.py) rather than through Flask-Babel, which is not used.
        "WTF_I18N_ENABLED": False,
        "API_TITLE": "Solidaire",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "SCHEDULER_ENABLED": os.environ.get("SCHEDULER_ENABLED", "") == "1",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # The town's logo beside the site's name, and the browser tab's icon (URLs or /static paths).
        "SITE_LOGO_URL": os.environ.get("SITE_LOGO_URL", ""),
        "SITE_FAVICON_URL": os.environ.get("SITE_FAVICON_URL", ""),
        # The legal notice, privacy notice and accessibility statement (app/legal.py): who publishes the
        # service, who hosts it, whom to write to. Empty values are shown as not given.
        "LEGAL_PUBLISHER": os.environ.get("LEGAL_PUBLISHER", "Ville de Sceaux"),
        "LEGAL_PUBLISHER_ADDRESS": os.environ.get("LEGAL_PUBLISHER_ADDRESS", ""),
        "LEGAL_DIRECTOR": os.environ.get("LEGAL_DIRECTOR", ""),
        "LEGAL_HOST": os.environ.get("LEGAL_HOST", ""),
        "LEGAL_HOST_ADDRESS": os.environ.get("LEGAL_HOST_ADDRESS", ""),
        "LEGAL_DPO_CONTACT": os.environ.get("LEGAL_DPO_CONTACT", ""),
        "LEGAL_ACCESSIBILITY_CONTACT": os.environ.get("LEGAL_ACCESSIBILITY_CONTACT", ""),
        # Merchants joining the round-up: the charter the application form asks them to accept.
        "MERCHANT_CHARTER": os.environ.get("MERCHANT_CHARTER") or DEFAULT_MERCHANT_CHARTER,
        # Open data (donations/opendata): the town that publishes its subsidies in the SCDL format, by
        # its SIRET (14 digits; its partner of kind public_body has the same SIREN) and official name
        # (LEGAL_PUBLISHER when empty). Without a SIRET the subsidies file has its header only.
        "OPEN_DATA_TOWN_SIRET": os.environ.get("OPEN_DATA_TOWN_SIRET", ""),
        "OPEN_DATA_TOWN_NAME": os.environ.get("OPEN_DATA_TOWN_NAME", ""),
        # PostgreSQL session limits (app/engine.py): a lock waited for, a statement, an idle transaction.
        "DB_LOCK_TIMEOUT_MS": _env_int("DB_LOCK_TIMEOUT_MS", 15_000),
        "DB_STATEMENT_TIMEOUT_MS": _env_int("DB_STATEMENT_TIMEOUT_MS", 120_000),
        "DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT_MS": _env_int("DB_IDLE_IN_TRANSACTION_SESSION_TIMEOUT_MS", 60_000),
        # Campaigns: the largest cover image a holder may upload.
        "CAMPAIGN_COVER_MAX_BYTES": _env_int("CAMPAIGN_COVER_MAX_BYTES", 2 * 1024 * 1024),
        # Organizations: the largest signature, stamp or logo image staff may upload (PNG or JPEG).
        "ORGANIZATION_IMAGE_MAX_BYTES": _env_int("ORGANIZATION_IMAGE_MAX_BYTES", 1024 * 1024),
        # Donations: a pending gift is re-read from Stripe after this long, and given up after that.
        "DONATIONS_RECONCILE_AFTER_MINUTES": _env_int("DONATIONS_RECONCILE_AFTER_MINUTES", 15),
        "DONATIONS_ABANDON_AFTER_HOURS": _env_int("DONATIONS_ABANDON_AFTER_HOURS", 24),
        # Bearer keys (staff API tokens, merchant keys): the secret of their keyed hash; empty: SECRET_KEY.
        # ROUNDUP_KEY_PEPPER is its name before revision 0003: a deployment that set it keeps its keys.
        "KEY_PEPPER": os.environ.get("KEY_PEPPER") or os.environ.get("ROUNDUP_KEY_PEPPER", ""),
        # Sessions (app/auth): the cookie is Secure when PUBLIC_URL is https (or SESSION_COOKIE_SECURE=1),
        # never readable by scripts, not sent on cross-site POSTs; a sign-in lasts this many hours.
        "SESSION_COOKIE_SECURE": _env_flag("SESSION_COOKIE_SECURE"),  # None: from PUBLIC_URL
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_LIFETIME_HOURS": _env_int("SESSION_LIFETIME_HOURS", 8),
        # The donor space (receipts/donor_space): an emailed sign-in link works once, for this many
        # minutes; the donor session it opens (never a staff session) lasts this many minutes.
        "DONOR_LINK_MINUTES": _env_int("DONOR_LINK_MINUTES", 30),
        "DONOR_SESSION_MINUTES": _env_int("DONOR_SESSION_MINUTES", 30),
        # A customer's claim of a round-up (the till's QR code, donations/roundup/services/claims.py):
        # the link works once, for this many hours.
        "ROUNDUP_CLAIM_HOURS": _env_int("ROUNDUP_CLAIM_HOURS", 72),
        # A statement is debited from the merchant's account (SEPA mandate, donations/roundup/services/debits.py)
        # this many days after it is issued: the statement is the debit's advance notice. The SEPA Core
        # rulebook asks for 14 calendar days unless creditor and debtor agree otherwise; the mandate the
        # merchant signs names this shorter delay (EPC SDD Core rulebook, not re-checked this session).
        "STATEMENT_DEBIT_DAYS": _env_int("STATEMENT_DEBIT_DAYS", 5),
        # Links emailed to choose a password (app/auth/invitations.py): single-use, valid this long.
        "INVITATION_LINK_HOURS": _env_int("INVITATION_LINK_HOURS", 72),
        "PASSWORD_RESET_LINK_MINUTES": _env_int("PASSWORD_RESET_LINK_MINUTES", 60),
        # Behind a reverse proxy (app/security.py): how many proxies set each X-Forwarded-* header.
        # 0 (the default) trusts none, which is right when nothing stands in front of gunicorn.
        "PROXY_FIX_X_FOR": _env_int("PROXY_FIX_X_FOR", 0),
        "PROXY_FIX_X_PROTO": _env_int("PROXY_FIX_X_PROTO", 0),
        "PROXY_FIX_X_HOST": _env_int("PROXY_FIX_X_HOST", 0),
        "PROXY_FIX_X_PORT": _env_int("PROXY_FIX_X_PORT", 0),
        "PROXY_FIX_X_PREFIX": _env_int("PROXY_FIX_X_PREFIX", 0),
        # Strict-Transport-Security max-age, sent when PUBLIC_URL is https; 0 sends none.
        "HSTS_SECONDS": _env_int("HSTS_SECONDS", 365 * 24 * 3600),
        # Rate limits (app/security.py, Flask-Limiter), per client address. memory:// counts per
        # process and host; several hosts share redis://host:6379 (or memcached://...). None: on,
        # except under TESTING.
        "RATELIMIT_ENABLED": _env_flag("RATELIMIT_ENABLED"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_SIGN_IN": os.environ.get("RATELIMIT_SIGN_IN", "10 per minute;50 per hour"),
        "RATELIMIT_PASSWORD_RESET": os.environ.get("RATELIMIT_PASSWORD_RESET", "5 per minute;20 per hour"),
        "RATELIMIT_MERCHANT_SIGN_IN": os.environ.get("RATELIMIT_MERCHANT_SIGN_IN", "10 per minute;50 per hour"),
        # The public merchant application (/devenir-commercant): a form sent in a loop fills the town's queue.
        "RATELIMIT_MERCHANT_APPLICATION": os.environ.get("RATELIMIT_MERCHANT_APPLICATION", "5 per minute;20 per hour"),
        "RATELIMIT_GIFT_START": os.environ.get("RATELIMIT_GIFT_START", "10 per minute;60 per hour"),
        # Asking for a donor space sign-in link (each address also gets at most 5 links an hour).
        "RATELIMIT_DONOR_LINK": os.environ.get("RATELIMIT_DONOR_LINK", "5 per minute;20 per hour"),
        "RATELIMIT_GIFT_CONFIRM": os.environ.get("RATELIMIT_GIFT_CONFIRM", "10 per minute;60 per hour"),
        "RATELIMIT_KEY_FAILURES": os.environ.get("RATELIMIT_KEY_FAILURES", "20 per minute;100 per hour"),
        # Receipts: organizations (slugs) whose receipts also cite article 978 CGI.
        "RECEIPTS_ARTICLE_978_ORGANIZATIONS": _env_list("RECEIPTS_ARTICLE_978_ORGANIZATIONS"),
    }


def _is_live_stripe_key(key):
    return (key or "").startswith(("sk_live_", "rk_live_"))


def check_production(config):
    """Refuse to run with development secrets when the service is live: live Stripe keys, or
    SOLIDAIRE_ENV / FLASK_ENV set to production. Raises ConfigurationError naming each setting."""
    live_keys = _is_live_stripe_key(config.get("STRIPE_SECRET_KEY"))
    if not live_keys and config.get("SOLIDAIRE_ENV") != "production":
        return
    why = "live Stripe keys" if live_keys else "SOLIDAIRE_ENV=production"
    problems = []
    secret_key = config.get("SECRET_KEY") or ""
    if secret_key == DEVELOPMENT_SECRET_KEY or len(secret_key) < MIN_SECRET_LENGTH:
        problems.append(f"SECRET_KEY is the development value or shorter than {MIN_SECRET_LENGTH} characters")
    webhook_secret = config.get("STRIPE_WEBHOOK_SECRET") or ""
    if webhook_secret in ("", DEVELOPMENT_WEBHOOK_SECRET):
        problems.append("STRIPE_WEBHOOK_SECRET is the local development secret: set the endpoint's whsec_...")
    if (config.get("STRIPE_CONNECT_WEBHOOK_SECRET") or "") in ("", DEVELOPMENT_CONNECT_WEBHOOK_SECRET):
        problems.append("STRIPE_CONNECT_WEBHOOK_SECRET is the local development secret: set the Connect "
                        "endpoint's whsec_...")
    pepper = config.get("KEY_PEPPER") or ""
    if pepper in ("", DEVELOPMENT_SECRET_KEY) or len(pepper) < MIN_SECRET_LENGTH:
        problems.append("KEY_PEPPER is empty, the development value or shorter than "
                        f"{MIN_SECRET_LENGTH} characters (a deployment whose keys were hashed under SECRET_KEY "
                        "sets KEY_PEPPER to that same value)")
    if live_keys and str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL is SQLite: live payments need PostgreSQL")
    if problems:
        raise ConfigurationError(f"refusing to start with {why}: " + "; ".join(problems))
