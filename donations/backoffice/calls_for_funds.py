"""/gestion/appels-de-fonds: partners' monthly calls for funds. Administrators issue a month's calls and
see them all; a partner's users see theirs, an association's finance officers those addressed for it;
each downloads a call as PDF or CSV. Issuing goes through the service the API and the monthly job call."""
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Regexp

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_menu_entry, staff_page
from app.banking import format_reference
from app.downloads import attachment
from app.errors import DomainError, NotFound
from app.extensions import csrf, db
from campaigns import services as campaigns
from campaigns.models import CallForFunds
from donations.accounting import documents

bp = Blueprint("calls_pages", __name__, url_prefix="/gestion/appels-de-fonds",
               template_folder="../accounting/templates")
ROLES = (Role.admin, Role.partner, Role.finance)


class IssueForm(FlaskForm):
    month = StringField("Mois écoulé", validators=[
        InputRequired("Indiquez le mois."),
        Regexp(r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", message="Un mois sous la forme AAAA-MM, par exemple 2026-10.")])


def _scope() -> dict:
    user = current_user()
    if user.role is Role.admin:
        return {}
    if user.role is Role.partner:
        return {"partner_id": user.partner_id or -1}
    return {"organization_id": user.organization_id or -1}


def _call(call_id) -> CallForFunds:
    call = db.session.scalar(campaigns.calls_for(**_scope()).where(CallForFunds.id == call_id))
    if call is None:
        raise NotFound(f"no call for funds {call_id}")
    return call


def _page(form=None, status=200):
    calls = db.session.scalars(campaigns.calls_for(**_scope()).limit(200)).all()
    return render_template("accounting/calls.html", calls=calls, form=form or IssueForm(formdata=None),
                           reference=lambda call: format_reference(campaigns.call_reference(call)),
                           is_admin=current_user().role is Role.admin), status


@bp.get("")
@staff_page(*ROLES)
def index():
    return _page()


@bp.post("")
@staff_page(Role.admin)
def issue():
    csrf.protect()
    form = IssueForm()
    if form.validate():
        year, month = (int(part) for part in form.month.data.split("-"))
        try:
            calls = campaigns.issue_calls(date(year, month, 1))
        except DomainError:
            db.session.rollback()
            form.month.errors = ["Ce mois n'est pas terminé : les appels se font pour un mois écoulé."]
        else:
            record_action(current_user(), "call_for_funds.issue", f"month:{form.month.data}", f"{len(calls)} appels")
            db.session.commit()
            flash(f"{len(calls)} appel{'s' if len(calls) > 1 else ''} de fonds pour {form.month.data} "
                  "(ceux déjà émis sont inchangés).", "success")
            return redirect(url_for("calls_pages.index"))
    return _page(form, 400)


@bp.get("/<int:call_id>.pdf")
@staff_page(*ROLES)
def call_pdf(call_id):
    call = _call(call_id)
    return Response(documents.call_pdf(call), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{documents.call_filename(call)}.pdf"'})


@bp.get("/<int:call_id>.csv")
@staff_page(*ROLES)
def call_csv(call_id):
    call = _call(call_id)
    return attachment(documents.calls_csv([call]), f"{documents.call_filename(call)}.csv")


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "calls_pages.index", "Appels de fonds", ROLES, order=45)
