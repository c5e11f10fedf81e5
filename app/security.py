"""What every response carries and how much each client may ask: security headers (CSP and the
others), the reverse proxy's X-Forwarded-* headers (ProxyFix), and rate limits (Flask-Limiter).

Rate limits guard what an attacker repeats: signing in (staff passwords, merchants' pasted keys),
starting and confirming gifts (card testing), and guessing bearer keys (failed authentications per
address). The checkout's hot path (`POST /api/v1/roundups`) pays nothing when its key is good: its
key is checked against the failures' counter only when it is not in the worker's cache of live keys.
"""
import math
import time
from urllib.parse import urlsplit

from flask import current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from app.errors import html_error, problem_response, wants_problem_json

# endpoint -> the configuration key of its limits (POST only; a page may be shown as often as wanted).
LIMITED_ENDPOINTS = {
    "auth.login": "RATELIMIT_SIGN_IN",
    "auth.forgot_password": "RATELIMIT_PASSWORD_RESET",
    "roundup_pages.login": "RATELIMIT_MERCHANT_SIGN_IN",
    "donations.start_gift": "RATELIMIT_GIFT_START",
    "donations.confirm_gift": "RATELIMIT_GIFT_CONFIRM",
    "donor_space.start": "RATELIMIT_DONOR_LINK",
    "join.apply": "RATELIMIT_MERCHANT_APPLICATION",
}
# Endpoints that check the key failures themselves, only when the key is not known live
# (donations/roundup/access.py, the checkout's hot path).
CHECKS_KEY_FAILURES_ITSELF = {"roundups.record_roundup"}
KEY_FAILURES_SCOPE = "bearer-key-failures"

REAL_STRIPE_JS = "https://js.stripe.com"
# What Stripe.js needs beside its own origin (Stripe's documentation on CSP): its frames, its API.
REAL_STRIPE_SOURCES = {
    "script-src": ["https://*.js.stripe.com"],
    "frame-src": ["https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
    "img-src": ["https://*.stripe.com"],
}


def client_address():
    """The caller's address (the proxy's X-Forwarded-For once ProxyFix trusts it)."""
    return request.remote_addr or "unknown"


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(config) -> str:
    """Our own origin, Stripe.js (STRIPE_JS_URL's origin) and nothing else third-party.

    Styles allow 'unsafe-inline': progress bars set their width in a style attribute and the
    round-up widget adds its own <style>; scripts do not (no inline script in any page)."""
    stripe = _origin(config["STRIPE_JS_URL"])
    sources = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": [],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    if stripe:
        for directive in ("script-src", "connect-src", "frame-src"):
            sources[directive].append(stripe)
    if stripe == REAL_STRIPE_JS:
        for directive, extra in REAL_STRIPE_SOURCES.items():
            sources[directive].extend(extra)
    return "; ".join(f"{name} {' '.join(values) or chr(39) + 'none' + chr(39)}" for name, values in sources.items())


def _carries_a_secret():
    """A page whose URL holds a signed token (a donor's thanks or receipts, a verification link)."""
    return bool((request.view_args or {}).get("token")) or "k" in request.args or "token" in request.args


def _add_security_headers(response):
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # A signed link must not reach another site (nor be echoed in our own logs' referrers by a
    # third party): pages carrying one send the referrer to our own origin only.
    headers.setdefault("Referrer-Policy", "same-origin" if _carries_a_secret() else "strict-origin-when-cross-origin")
    if config["HSTS_SECONDS"] and (config["PUBLIC_URL"].startswith("https://") or request.is_secure):
        headers.setdefault("Strict-Transport-Security", f"max-age={config['HSTS_SECONDS']}")
    return response


# --- rate limits ------------------------------------------------------------------------------

def limiter() -> Limiter:
    return current_app.extensions["solidaire.limiter"]


def _rate_limits_enabled(app):
    enabled = app.config.get("RATELIMIT_ENABLED")
    return (not app.testing) if enabled is None else bool(enabled)


def too_many_requests(retry_after_seconds):
    seconds = max(1, math.ceil(retry_after_seconds))
    headers = {"Retry-After": str(seconds)}
    if not wants_problem_json():
        body, status = html_error(429, "Trop de tentatives : réessayez dans quelques minutes.")
        return body, status, headers
    return problem_response(429, "Too many requests", f"Too many attempts from this address; retry in {seconds} s.",
                            type_slug="rate-limited", headers=headers)


def _rate_limit_exceeded(error):
    current = limiter().current_limit
    return too_many_requests(current.reset_at - time.time() if current else 60)


class KeyGuessing(TooManyRequests):
    """Too many failed bearer keys from one address."""

    def __init__(self, retry_after_seconds):
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


def _key_guessing(error):
    return too_many_requests(error.retry_after_seconds)


def _key_failure_limits():
    return parse_many(current_app.config["RATELIMIT_KEY_FAILURES"])


def refuse_key_guessing():
    """Raise KeyGuessing (429) when this address has failed too many bearer keys lately."""
    extension = limiter()
    if not extension.enabled:
        return
    address = client_address()
    for item in _key_failure_limits():
        if not extension.limiter.test(item, KEY_FAILURES_SCOPE, address):
            reset_at, _ = extension.limiter.get_window_stats(item, KEY_FAILURES_SCOPE, address)
            raise KeyGuessing(reset_at - time.time())


def count_key_failure():
    extension = limiter()
    if not extension.enabled:
        return
    for item in _key_failure_limits():
        extension.limiter.hit(item, KEY_FAILURES_SCOPE, client_address())


def _presents_a_bearer_key():
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _before_request():
    if _presents_a_bearer_key() and request.endpoint not in CHECKS_KEY_FAILURES_ITSELF:
        refuse_key_guessing()


def _after_request(response):
    if response.status_code == 401 and _presents_a_bearer_key():
        count_key_failure()
    return response


def _configure_limiter(app):
    enabled = _rate_limits_enabled(app)
    app.config["RATELIMIT_ENABLED"] = enabled
    # One limiter per application (tests build many): its storage is RATELIMIT_STORAGE_URI.
    extension = Limiter(key_func=client_address, enabled=enabled, headers_enabled=False,
                        storage_uri=app.config["RATELIMIT_STORAGE_URI"], key_prefix="solidaire")
    extension.init_app(app)
    app.extensions["solidaire.limiter"] = extension
    for endpoint, setting in LIMITED_ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = extension.limit(
                lambda setting=setting: app.config[setting], methods=["POST"], scope=setting.lower())(view)
    app.register_error_handler(RateLimitExceeded, _rate_limit_exceeded)
    app.register_error_handler(KeyGuessing, _key_guessing)
    app.before_request(_before_request)
    app.after_request(_after_request)


def _configure_proxy(app):
    """Behind nginx, a load balancer...: trust as many X-Forwarded-* hops as configured, no more."""
    hops = {name: app.config[f"PROXY_FIX_X_{name.upper()}"] for name in ("for", "proto", "host", "port", "prefix")}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{name}": count for name, count in hops.items()})


def init_app(app):
    """Called by the factory after the domains registered their views (their limits wrap them)."""
    app.config["CONTENT_SECURITY_POLICY"] = content_security_policy(app.config)
    app.after_request(_add_security_headers)
    _configure_limiter(app)
    _configure_proxy(app)
