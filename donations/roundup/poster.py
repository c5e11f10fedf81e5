"""The counter poster: a printable A5 or A4 PDF per merchant ("Ici, arrondissez pour ..."), with
the associations it gives to, what its customers gave last month, and a QR code to the public list
of the shops (/commerces). Made with the service's one renderer (app.pdf), fetching nothing: the QR
code is a data: URI.
"""
from datetime import timedelta

import segno
from babel.dates import format_date
from flask import Blueprint, Response, abort, current_app, render_template

from app import pdf
from app.formatting import local_today
from donations.roundup import services
from donations.roundup.pages import _merchant_or_login as merchant_or_login
from donations.roundup.services.reporting import beneficiary_name

bp = Blueprint("roundup_poster", __name__, template_folder="templates")

SIZES = {"a5": "A5", "a4": "A4"}
SHOPS_PATH = "/commerces"  # the public list of the shops offering the round-up


def last_month_figures(merchant, today):
    """(month's first day, round-up count, customers' cents, merchant's match cents) of the month before `today`."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = services.daily_totals(merchant.id, first, today.replace(day=1) - timedelta(days=1))
    count, cents = sum(day[1] for day in days), sum(day[2] for day in days)
    return first, count, cents, services.match_for(merchant, cents)


def poster_pdf(merchant, size="a4", today=None) -> bytes:
    """The poster of `merchant` as PDF, `size` "a4" or "a5"."""
    month, count, cents, match = last_month_figures(merchant, today or local_today())
    shops_url = current_app.config["PUBLIC_URL"].rstrip("/") + SHOPS_PATH
    html = render_template("roundup/poster_pdf.html", merchant=merchant, size=SIZES[size],
                           beneficiaries=[beneficiary_name(b) for b in merchant.beneficiaries],
                           month_text=format_date(month, "MMMM y", locale="fr_FR"), count=count, cents=cents,
                           match=match, shops_url=shops_url,
                           qr=segno.make(shops_url, error="m").png_data_uri(scale=8, border=2))
    return pdf.render_pdf(html)


@bp.route("/commercant/affiche-<size>.pdf")
def poster(size):
    if size not in SIZES:
        abort(404)
    merchant = merchant_or_login()
    return Response(poster_pdf(merchant, size), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="affiche-arrondi-{merchant.slug}-{size}.pdf"'})


def init_app(app):
    app.register_blueprint(bp)
