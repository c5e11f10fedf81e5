"""/gestion/partenaire/<slug>: a partner's dashboard, for its own users (and the town's administrators):
its pledges per campaign (cap, used, left), its matches and grants paid and due, and its funding
summary for a period on screen with its chart, downloadable as PDF and CSV (the same documents as
`GET /api/v1/partners/{slug}/summary.pdf|.csv`)."""
from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from wtforms import DateField, Form
from wtforms.validators import Optional

from app.auth.access import current_user, ensure_partner
from app.auth.models import Role
from app.backoffice import add_home_panel, add_menu_entry, staff_page
from app.downloads import attachment
from app.errors import InvalidInput
from app.formatting import local_today
from campaigns.services import get_partner
from campaigns.services.partner_accounts import partner_accounts, partner_pledges
from receipts.summaries import documents
from receipts.summaries.charts import bar_chart, legend_items
from receipts.summaries.services import Period, partner_summary

bp = Blueprint("partner_dashboard", __name__, url_prefix="/gestion/partenaire", template_folder="../templates")

CHART_KINDS = ("online", "offline", "roundup", "partner", "others")


class PeriodForm(Form):
    """The summary's period, from the query string (a GET form: nothing to protect from CSRF)."""

    start = DateField("Du", validators=[Optional()], name="du")
    end = DateField("Au", validators=[Optional()], name="au")


def _period(form):
    """The period asked for (this year so far by default), or None with French messages on the form."""
    if not form.validate():
        for field in (form.start, form.end):
            if field.errors:
                field.errors = ["Indiquez une date valable (jj/mm/aaaa)."]
        return None
    today = local_today()
    start = form.start.data or date(today.year, 1, 1)
    end = form.end.data or today
    form.start.data, form.end.data = start, end
    try:
        return Period(start, end)
    except InvalidInput as refused:
        target = form.end if refused.field == "to" else form.start
        target.errors = ["La période finit avant de commencer."] if refused.field == "to" else [
            "Une date entre 1900 et 2999."]
        return None


def _partner(slug):
    partner = get_partner(slug)
    ensure_partner(current_user(), partner.id)
    return partner


@bp.get("")
@staff_page(Role.partner, Role.admin)
def mine():
    user = current_user()
    if user.partner is None:
        return redirect(url_for("partner_pages.index"))
    return redirect(url_for("partner_dashboard.dashboard", slug=user.partner.slug))


@bp.get("/<slug>")
@staff_page(Role.partner, Role.admin)
def dashboard(slug):
    partner = _partner(slug)
    form = PeriodForm(request.args)
    period = _period(form)
    summary = partner_summary(partner.slug, period) if period else None
    chart = None
    if summary and summary.campaigns:
        rows = [(line.campaign.title, [("online", line.online_cents), ("offline", line.offline_cents),
                                       ("roundup", line.roundup_cents), ("partner", line.partner_cents),
                                       ("others", line.others_cents)]) for line in summary.campaigns]
        chart = bar_chart(rows, "Financement de chaque campagne sur la période, par source")
    query = {"du": form.start.data.isoformat(), "au": form.end.data.isoformat()} if period else {}
    return render_template("receipts/backoffice/partner_dashboard.html", partner=partner,
                           pledges=partner_pledges(partner.id), accounts=partner_accounts(partner.id),
                           form=form, summary=summary, chart=chart, query=query,
                           legend=legend_items(CHART_KINDS, partner.name),
                           period_label=documents.period_label(period) if period else ""), 200 if period else 400


def _summary_for_download(slug):
    partner = _partner(slug)
    period = _period(PeriodForm(request.args))
    if period is None:
        abort(400)
    return partner, partner_summary(partner.slug, period)


@bp.get("/<slug>/bilan.pdf")
@staff_page(Role.partner, Role.admin)
def summary_pdf(slug):
    partner, summary = _summary_for_download(slug)
    return attachment(documents.partner_summary_pdf(summary), f"bilan-{partner.slug}.pdf", "application/pdf")


@bp.get("/<slug>/bilan.csv")
@staff_page(Role.partner, Role.admin)
def summary_csv(slug):
    partner, summary = _summary_for_download(slug)
    return attachment(documents.partner_summary_csv(summary), f"bilan-{partner.slug}.csv", "text/csv; charset=utf-8")


def _home(user):
    accounts = partner_accounts(user.partner_id)
    return {"slug": user.partner.slug, "due_cents": sum(a.due_cents for a in accounts),
            "left_cents": sum(a.left_cents for a in accounts), "campaigns": len(accounts)}


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "partner_dashboard.mine", "Tableau de bord", [Role.partner], order=10)
    add_home_panel(app, "receipts/backoffice/partner_panel.html", [Role.partner], context=_home, order=10)
