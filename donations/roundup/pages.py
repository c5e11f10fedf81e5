"""French pages of the round-up: the merchant dashboard (/commercant), the widget and its demo.

A shop's staff sign in like other users (role `merchant`, /connexion): the dashboard is their
merchant's. A merchant may also open it by pasting one of its API keys once: the session then holds
that key's id (never the key), and every page checks the key is still live, so revoking a key closes
the dashboards opened with it. From the dashboard they issue keys of both kinds and revoke them.
"""
import uuid
from datetime import timedelta
from pathlib import Path

from babel.dates import format_date
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)

from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import confirmed
from app.downloads import attachment
from app.engine import session_reads_only
from app.errors import DomainError, InvalidInput
from app.extensions import csrf, db
from app.formatting import local_today
from app.money import split_largest_remainder
from donations.roundup import documents, services
from donations.roundup.models import Merchant, MerchantKey, MerchantKeyKind, Settlement
from donations.roundup.services.merchant_admin import issue_key_by, revoke_key_by
from donations.roundup.services.reporting import beneficiary_name

bp = Blueprint("roundup_pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/arrondi")

WIDGET_JS = Path(__file__).resolve().parent / "static" / "arrondi.js"


def signed_in_key():
    """The live key this browser's merchant signed in with (its merchant active), or None."""
    key_id = session.get("merchant_key_id")
    if key_id is None:
        return None
    key = db.session.get(MerchantKey, key_id)
    if key is None or key.revoked_at is not None or not key.merchant.active:
        session.pop("merchant_key_id", None)
        return None
    return key


def signed_in_user():
    """The signed-in user when it is one of a shop's staff (role `merchant`), or None."""
    user = current_user()
    return user if user is not None and user.role is Role.merchant else None


def signed_in_merchant():
    user = signed_in_user()
    if user is not None:
        return db.session.get(Merchant, user.merchant_id)
    key = signed_in_key()
    return key.merchant if key is not None else None


def _merchant_or_login():
    merchant = signed_in_merchant()
    if merchant is None:
        abort(redirect(url_for("roundup_pages.dashboard")))
    return merchant


@bp.route("/commercant", methods=["GET"])
def dashboard():
    merchant = signed_in_merchant()
    if merchant is None:
        return render_template("roundup/login.html")
    return render_template("roundup/dashboard.html", **_dashboard_context(merchant))


def _dashboard_context(merchant, new_key=None):
    today = local_today()
    month_start = today.replace(day=1)
    first_day = today - timedelta(days=29)
    days = {day: (count, cents) for day, count, cents in services.daily_totals(merchant.id, min(first_day, month_start), today)}
    chart = [(first_day + timedelta(days=n), *days.get(first_day + timedelta(days=n), (0, 0))) for n in range(30)]
    month = [(count, cents) for day, (count, cents) in days.items() if day >= month_start]
    month_cents = sum(cents for _, cents in month)
    beneficiaries = list(merchant.beneficiaries)
    shares = split_largest_remainder(month_cents, [b.share_basis_points for b in beneficiaries]) if beneficiaries else []
    return dict(
        merchant=merchant, today=today, today_totals=days.get(today, (0, 0)),
        month_totals=(sum(count for count, _ in month), month_cents),
        beneficiaries=[(beneficiary_name(b), b.share_basis_points, cents) for b, cents in zip(beneficiaries, shares)],
        chart=chart, chart_max=max([cents for _, _, cents in chart] + [1]),
        settlements=db.session.scalars(services.settlements_for(merchant_id=merchant.id).limit(24)).all(),
        keys=services.list_keys(merchant), new_key=new_key, current_key_id=session.get("merchant_key_id"),
        by_user=signed_in_user() is not None,
    )


@bp.route("/commercant/connexion", methods=["POST"])
def login():
    csrf.protect()
    key = services.key_for_secret(request.form.get("key", ""))
    if key is None or not key.merchant.active:
        return render_template("roundup/login.html", error="Cette clé n'est pas reconnue ou a été révoquée."), 400
    if key.kind is MerchantKeyKind.till:
        return render_template("roundup/login.html", error="Cette clé est une clé de caisse : elle sert sur la page "
                               "Caisse (/caisse), pas dans l'espace commerçant."), 400
    session.pop("merchant_key_id", None)
    session["merchant_key_id"] = key.id
    return redirect(url_for("roundup_pages.dashboard"))


@bp.route("/commercant/deconnexion", methods=["POST"])
def logout():
    csrf.protect()
    session.pop("merchant_key_id", None)
    flash("Vous avez quitté l'espace commerçant.", "success")
    return redirect(url_for("roundup_pages.dashboard"))


@bp.route("/commercant/cles", methods=["POST"])
def create_key():
    csrf.protect()
    merchant = _merchant_or_login()
    label = (request.form.get("label") or "").strip()[:100]
    kind = request.form.get("kind") or MerchantKeyKind.api.value
    if kind not in {member.value for member in MerchantKeyKind}:
        abort(400)
    user = signed_in_user()
    if user is not None:  # a person: the action log says who
        row, key = issue_key_by(user, merchant, kind, label)
    else:
        row, key = services.issue_merchant_key(merchant, kind, label)
    db.session.commit()
    # Shown on this answer only: it is not stored and cannot be shown again.
    return render_template("roundup/dashboard.html", **_dashboard_context(merchant, new_key=(row, key)))


@bp.route("/commercant/cles/<int:key_id>/revoquer", methods=["POST"])
def revoke_key(key_id):
    csrf.protect()
    merchant = _merchant_or_login()
    try:
        row = services.get_key(merchant, key_id)
    except DomainError:
        abort(404)
    if not confirmed():
        flash("Confirmez la révocation avec le second bouton.", "error")
        return redirect(url_for("roundup_pages.dashboard"))
    user = signed_in_user()
    if user is not None:
        revoke_key_by(user, merchant, row)
    else:
        services.revoke_key(row)
    db.session.commit()
    flash("La clé est révoquée : les caisses qui l'utilisent ne peuvent plus enregistrer d'arrondi.", "success")
    return redirect(url_for("roundup_pages.dashboard"))


def _own_settlement(settlement_id):
    merchant = _merchant_or_login()
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None or settlement.merchant_id != merchant.id:
        abort(404)
    return settlement


@bp.route("/commercant/releves/<int:settlement_id>.pdf")
def statement_pdf(settlement_id):
    settlement = _own_settlement(settlement_id)
    return Response(documents.statement_pdf(settlement), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{documents.filename(settlement)}.pdf"'})


@bp.route("/commercant/releves/<int:settlement_id>.csv")
def statement_csv(settlement_id):
    settlement = _own_settlement(settlement_id)
    return attachment(documents.statement_csv(settlement), f"{documents.filename(settlement)}.csv")


@bp.route("/widget/arrondi.js")
def widget_js():
    response = Response(WIDGET_JS.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/widget/arrondi/<slug>.json")
def widget_rule(slug):
    """The public part of a merchant's rule, for the widget on its web shop (any origin may read it)."""
    try:
        merchant = services.get_merchant(slug)
    except DomainError:
        merchant = None
    if merchant is None or not merchant.active:
        response = current_app.response_class('{"error": "unknown merchant"}', status=404,
                                              mimetype="application/json")
    else:
        response = current_app.json.response(
            merchant=merchant.name, rounding_step_cents=merchant.rounding_step_cents,
            round_exact_baskets=merchant.round_exact_baskets, top_ups_cents=list(merchant.top_ups_cents or []),
            max_roundup_cents=merchant.max_roundup_cents,
            beneficiaries=[beneficiary_name(b) for b in merchant.beneficiaries])
        response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/commercant/demo/<slug>", methods=["GET", "POST"])
@session_reads_only  # the round-up is written by the checkout's own connection
def demo_checkout(slug):
    """A web shop's checkout with the widget. Its form plays the shop's own back end: signed in as this
    merchant it records the round-up for real (as the back end would with its key); otherwise it only
    shows the request the back end would send, checked against the rule."""
    try:
        merchant = services.get_merchant(slug)
    except DomainError:
        abort(404)
    basket_cents = 2_745
    outcome = None
    if request.method == "POST":
        csrf.protect()
        try:
            roundup_cents = int(request.form.get("arrondi_cents") or 0)
        except ValueError:
            roundup_cents = 0
        if roundup_cents:
            external_id = f"demo-{uuid.uuid4().hex[:12]}"
            body = {"external_id": external_id, "basket_cents": basket_cents, "roundup_cents": roundup_cents}
            key = signed_in_key()
            recorded = key is not None and key.merchant_id == merchant.id
            try:
                if recorded:
                    # What the shop's back end does with this key: the checkout's own service, which
                    # commits the round-up by itself.
                    services.record_checkout(merchant, key.key_hash, body)
                else:
                    services.check_values(merchant, **body)
                outcome = {"ok": True, "body": body, "recorded": recorded, "roundup_cents": roundup_cents}
            except services.KeyRefused:
                outcome = {"ok": False, "detail": "la clé de cette session ne permet plus d'enregistrer pour ce commerçant."}
            except InvalidInput:  # its detail is the API's English
                outcome = {"ok": False, "detail": "ce montant ne correspond pas à la règle d'arrondi du commerçant."}
        else:
            outcome = {"ok": True, "body": None}
    return render_template("roundup/demo_checkout.html", merchant=merchant, basket_cents=basket_cents,
                           outcome=outcome)


@bp.app_template_filter("month_name")
def month_name(value):
    """date(2026, 10, 1) -> `octobre 2026`."""
    return format_date(value, "MMMM y", locale="fr_FR")


def init_app(app):
    app.register_blueprint(bp)
