"""The till page (/caisse): a phone or tablet at the counter records round-ups with a till key.

The page is static and public; everything it does goes through the checkout API with the till key
the device was set up with (kept in the browser, never in a cookie). Its rule arrives as JSON
(`GET /api/v1/merchant/till`) so that the round-up is computed on the device, also offline; the
round-ups recorded offline wait in the device's storage with their idempotent `external_id` and are
sent when the connection returns. A service worker keeps the page and its assets for offline use.
"""
import hashlib
from pathlib import Path

import segno
from flask import Blueprint, Response, current_app, json, render_template, url_for

bp = Blueprint("till", __name__, template_folder="templates")

STATIC = Path(__file__).resolve().parent / "static"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "roundup"
# What the service worker keeps: changing any of these files gives it a new cache.
ASSETS = ("caisse.js", "caisse-rule.js", "caisse.css")


def _version():
    digest = hashlib.sha256()
    for path in [STATIC / name for name in ASSETS] + [TEMPLATES / "till.html", TEMPLATES / "till_sw.js"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _asset_urls():
    return [url_for("roundup_pages.static", filename=name) for name in ASSETS]


@bp.route("/caisse")
def till():
    response = Response(render_template("roundup/till.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/caisse/sw.js")
def service_worker():
    body = render_template("roundup/till_sw.js", version=_version(),
                           urls=[url_for("till.till"), url_for("till.manifest"),
                                 url_for("static", filename="favicon.svg"), *_asset_urls()])
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    # The worker lives under /caisse/ but serves the page /caisse itself.
    response.headers["Service-Worker-Allowed"] = url_for("till.till")
    return response


@bp.route("/caisse/manifest.webmanifest")
def manifest():
    body = {
        "name": "Solidaire — Caisse", "short_name": "Caisse", "lang": "fr", "start_url": url_for("till.till"),
        "scope": url_for("till.till"), "display": "standalone", "orientation": "portrait",
        "background_color": "#f6f7f4", "theme_color": "#0b6e4f",
        "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")


def setup_link(key) -> str:
    """The link that installs a till with `key` when opened on the device (the key stays in the fragment,
    which browsers never send to the server)."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("till.till") + "#cle=" + key


def setup_qr(key) -> str:
    """`setup_link(key)` as a QR code (SVG data URI): scanned by the device's camera, it installs the till."""
    return segno.make(setup_link(key), error="m").svg_data_uri(scale=4, border=2)


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_global(setup_link, "till_setup_link")
    app.add_template_global(setup_qr, "till_setup_qr")
