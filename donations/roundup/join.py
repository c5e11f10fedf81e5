"""The public page "Devenir commerçant solidaire" (/devenir-commercant): a shop applies, the town decides."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for

from app.demo import register_loader
from app.errors import Conflict, InvalidInput
from app.extensions import api, csrf, db
from app.identifiers import format_siret
from donations.roundup import applications, applications_api, join_demo  # noqa: F401  (applications: its tables, for create_all)
from donations.roundup.forms import ApplicationForm, Shares
from donations.roundup.services.applications import (
    live_beneficiaries,
    submit_application,
)

bp = Blueprint("join", __name__, template_folder="templates")

# A service refusal names a field; the page says it in French beside that field.
SERVICE_MESSAGES = {
    "siret": "Une demande pour ce numéro SIRET attend déjà la réponse de la Ville.",
    "beneficiaries": "Ces bénéficiaires ne sont plus tous ouverts à l'arrondi : vérifiez vos choix.",
}


@bp.route("/devenir-commercant", methods=["GET", "POST"])
def apply():
    form = ApplicationForm()
    organizations, campaigns = live_beneficiaries()
    shares = Shares(organizations, campaigns, request.form if request.method == "POST" else None)
    if request.method == "POST":
        csrf.protect()
        valid = form.validate()
        chosen = shares.parse()
        if valid and chosen is not None:
            try:
                submit_application(
                    siret=form.siret.data, beneficiaries=chosen, charter_text=current_app.config["MERCHANT_CHARTER"],
                    name=form.name.data, address_line1=form.address_line1.data, postal_code=form.postal_code.data,
                    city=form.city.data, contact_name=form.contact_name.data, contact_email=form.contact_email.data,
                    contact_phone=form.contact_phone.data, **form.rule_values())
            except (InvalidInput, Conflict) as error:
                db.session.rollback()
                message = SERVICE_MESSAGES.get(error.field, "Cette demande ne peut pas être enregistrée telle quelle.")
                if error.field == "beneficiaries":
                    shares.errors[""] = message
                else:
                    getattr(form, error.field, form.name).errors.append(message)
            else:
                db.session.commit()
                return redirect(url_for("join.thanks"))
    status = 400 if request.method == "POST" else 200
    return render_template("roundup/join.html", form=form, shares=shares,
                           charter=current_app.config["MERCHANT_CHARTER"]), status


@bp.get("/devenir-commercant/merci")
def thanks():
    return render_template("roundup/join_thanks.html")


def share(basis_points):
    """10 000 basis points -> `100 %`, 3 333 -> `33,33 %`."""
    return f"{basis_points / 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + "\u00a0%"


def init_app(app):
    app.register_blueprint(bp)
    api.register_blueprint(applications_api.bp)
    register_loader(app, 45, join_demo.load)  # after the demo merchants (40)
    app.add_template_filter(format_siret, "siret")
    app.add_template_filter(share, "share")
