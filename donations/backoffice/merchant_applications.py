"""The town's decision on shops' applications (/gestion/commercants/demandes): approve or refuse, with
a confirmation each time; both go through donations.roundup.services.applications and are logged."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import func, select

from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_home_panel, add_menu_entry, confirmed, staff_page
from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.extensions import csrf, db
from donations.roundup.applications import ApplicationStatus, MerchantApplication
from donations.roundup.forms import RefusalForm
from donations.roundup.services.applications import (
    approve_application,
    get_application,
    list_applications,
    refuse_application,
)

bp = Blueprint("merchant_applications", __name__, url_prefix="/gestion/commercants/demandes",
               template_folder="../roundup/templates")

STATUS_LABELS = {ApplicationStatus.pending: "En attente", ApplicationStatus.approved: "Acceptée",
                 ApplicationStatus.refused: "Refusée"}
# Why an approval could not go through, in French (the service names the field).
APPROVAL_MESSAGES = {
    "email": "Cette adresse e-mail a déjà un compte : le commerçant ne peut pas y être invité. Refusez la demande "
             "en indiquant de la renvoyer avec une autre adresse, ou créez le commerçant à la main.",
    "beneficiaries": "Un des bénéficiaires choisis n'est plus ouvert à l'arrondi (campagne terminée ?) : "
                     "refusez la demande en expliquant pourquoi.",
    "status": "Cette demande a déjà reçu une réponse.",
}


def _application_or_404(application_id):
    try:
        return get_application(application_id)
    except NotFound:
        abort(404)


@bp.get("")
@staff_page(Role.admin)
def index():
    rows = db.session.scalars(list_applications().limit(200)).all()
    pending = [row for row in rows if row.status is ApplicationStatus.pending]
    decided = [row for row in rows if row.status is not ApplicationStatus.pending]
    return render_template("roundup/gestion/applications.html", pending=pending, decided=decided,
                           labels=STATUS_LABELS)


@bp.get("/<int:application_id>")
@staff_page(Role.admin)
def show(application_id):
    application = _application_or_404(application_id)
    return render_template("roundup/gestion/application.html", application=application, labels=STATUS_LABELS,
                           refusal=RefusalForm())


@bp.post("/<int:application_id>/accepter")
@staff_page(Role.admin)
def approve(application_id):
    csrf.protect()
    _application_or_404(application_id)
    if not confirmed():
        flash("Confirmez l'acceptation avec le second bouton.", "error")
        return redirect(url_for(".show", application_id=application_id))
    try:
        application = approve_application(application_id, by=current_user())
    except (InvalidInput, Conflict, DomainError) as error:
        db.session.rollback()
        flash(APPROVAL_MESSAGES.get(error.field, "Cette demande ne peut pas être acceptée telle quelle."), "error")
        return redirect(url_for(".show", application_id=application_id))
    db.session.commit()
    flash(f"{application.name} rejoint l'arrondi : {application.contact_email} reçoit son invitation.", "success")
    return redirect(url_for("merchant_admin.show", slug=application.merchant.slug))


@bp.post("/<int:application_id>/refuser")
@staff_page(Role.admin)
def refuse(application_id):
    csrf.protect()
    application = _application_or_404(application_id)
    form = RefusalForm()
    if not form.validate():
        return render_template("roundup/gestion/application.html", application=application, labels=STATUS_LABELS,
                               refusal=form), 400
    if not confirmed():
        flash("Confirmez le refus avec le second bouton.", "error")
        return redirect(url_for(".show", application_id=application_id))
    try:
        refuse_application(application_id, by=current_user(), reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        flash(APPROVAL_MESSAGES.get(error.field, "Cette demande ne peut pas être refusée."), "error")
        return redirect(url_for(".show", application_id=application_id))
    db.session.commit()
    flash(f"La demande de {application.name} est refusée ; la raison est envoyée à {application.contact_email}.",
          "success")
    return redirect(url_for(".index"))


def _pending_count(user):
    return {"count": db.session.scalar(select(func.count(MerchantApplication.id))
                                       .where(MerchantApplication.status == ApplicationStatus.pending))}


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "merchant_applications.index", "Demandes des commerçants", [Role.admin], order=410)
    add_home_panel(app, "roundup/gestion/applications_panel.html", [Role.admin], context=_pending_count, order=410)
