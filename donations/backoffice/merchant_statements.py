"""A merchant's statement for the town (/gestion/commercants/<slug>/releves/<id>): what the shop owes each
organization (amount, IBAN, payment reference) and, when a transfer arrived, marking it received on its
day, after a confirmation; the same service as the treasurers' page and the API, logged."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import confirmed, staff_page
from app.errors import Conflict, DomainError, NotFound
from app.extensions import csrf, db
from app.money import format_eur
from donations.roundup.models import Settlement
from donations.roundup.services import get_merchant
from donations.roundup.services.payments import mark_organization_paid, payments_due

bp = Blueprint("merchant_statements", __name__, url_prefix="/gestion/commercants",
               template_folder="../roundup/templates")


class ReceivedForm(FlaskForm):
    day = DateField("Date d'arrivée du virement", validators=[InputRequired("Indiquez la date d'arrivée.")])


def _statement_or_404(slug, settlement_id):
    try:
        merchant = get_merchant(slug)
    except NotFound:
        abort(404)
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None or settlement.merchant_id != merchant.id:
        abort(404)
    return merchant, settlement


@bp.get("/<slug>/releves/<int:settlement_id>")
@staff_page(Role.admin)
def show(slug, settlement_id):
    merchant, settlement = _statement_or_404(slug, settlement_id)
    return render_template("roundup/gestion/statement.html", merchant=merchant, settlement=settlement,
                           payments=payments_due(settlement), form=ReceivedForm(formdata=None))


@bp.post("/<slug>/releves/<int:settlement_id>/<organization>/recu")
@staff_page(Role.admin)
def received(slug, settlement_id, organization):
    csrf.protect()
    merchant, settlement = _statement_or_404(slug, settlement_id)
    due = next((due for due in payments_due(settlement) if due.organization.slug == organization), None)
    if due is None:
        abort(404)
    back = redirect(url_for(".show", slug=slug, settlement_id=settlement_id))
    form = ReceivedForm()
    if not confirmed():
        flash("Rien n'a changé : confirmez avec le bouton « Oui ».", "error")
        return back
    if not form.validate():
        flash("Indiquez la date d'arrivée du virement.", "error")
        return back
    try:
        due, changed = mark_organization_paid(settlement, due.organization.id, form.day.data)
    except DomainError as refused:
        db.session.rollback()
        flash("Déjà marqué reçu à une autre date : rien n'a changé." if isinstance(refused, Conflict) else
              "Cette date n'est pas possible : ni dans le futur, ni avant la fin du mois du relevé.", "error")
        return back
    if changed:
        record_action(current_user(), "statement.paid", f"settlement:{settlement.id}",
                      f"{due.organization.slug} {due.amount_cents} c le {form.day.data:%d/%m/%Y}")
    db.session.commit()
    flash(f"Virement de {merchant.name} à {due.organization.name} ({format_eur(due.amount_cents)}) marqué reçu le "
          f"{form.day.data:%d/%m/%Y}.", "success")
    return back


def register(app):
    app.register_blueprint(bp)
