"""The merchant's SEPA mandates on its dashboard (/commercant): sign one per beneficiary organization, revoke.

The IBAN is posted to this server and handed to Stripe in the same request (server-side confirmation of
the SetupIntent with `mandate_data`): only its last four digits are kept. Errors show next to their field.
"""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from app.backoffice import confirmed
from app.banking import clean_iban
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import csrf, db
from donations.roundup import pages, services
from donations.roundup.forms import EMAIL_RE
from donations.roundup.services import debits, mandates
from donations.roundup.services.merchant_admin import revoke_mandate_by, sign_mandate_by

bp = Blueprint("roundup_mandates", __name__, template_folder="templates")

MESSAGES = {
    "iban": "Cet IBAN n'est pas valide ou a été refusé : vérifiez-le sur votre RIB.",
    "account_holder": "Indiquez le titulaire du compte (70 caractères au plus).",
    "email": "Indiquez une adresse e-mail valide pour les avis de prélèvement.",
    "accepted": "Cochez la case pour signer le mandat.",
    "organization": "Choisissez une association bénéficiaire qui n'a pas encore de mandat.",
}


def _iban(form, field):
    try:
        clean_iban(field.data)
    except ValueError:
        raise ValidationError(MESSAGES["iban"]) from None


class MandateForm(FlaskForm):
    organization = SelectField("Association bénéficiaire (créancier)",
                               validators=[DataRequired(MESSAGES["organization"])])
    account_holder = StringField("Titulaire du compte", validators=[
        DataRequired(MESSAGES["account_holder"]), Length(max=70, message=MESSAGES["account_holder"])])
    iban = StringField("IBAN du compte à prélever", validators=[DataRequired("Indiquez l'IBAN du compte."), _iban])
    email = EmailField("E-mail pour les avis de prélèvement", validators=[DataRequired(MESSAGES["email"]),
                                                                          Regexp(EMAIL_RE, message=MESSAGES["email"])])
    accepted = BooleanField("Je signe ce mandat de prélèvement SEPA", validators=[DataRequired(MESSAGES["accepted"])])


def mandate_form(merchant, formdata=None):
    form = MandateForm(formdata=formdata)
    signed = {m.organization_id for m in mandates.mandates_of(merchant.id, active_only=True)}
    form.organization.choices = [SelectChoice(o.slug, o.name) for o in mandates.beneficiary_organizations(merchant)
                                 if o.id not in signed]
    if formdata is None and merchant.email:
        form.email.data = merchant.email
    return form


def sepa_context(merchant, form=None):
    """What the section "Prélèvement automatique des relevés" shows (the dashboard and its own page)."""
    statements = db.session.scalars(services.settlements_for(merchant_id=merchant.id).limit(24)).all()
    return {"mandates": mandates.mandates_of(merchant.id), "mandate_form": form or mandate_form(merchant),
            "debits": debits.debits_of(settlement_ids=[s.id for s in statements], limit=24),
            "debit_days": current_app.config["STATEMENT_DEBIT_DAYS"]}


@bp.route("/commercant/prelevement", methods=["GET", "POST"])
def sign():
    merchant = pages._merchant_or_login()
    form = mandate_form(merchant, request.form if request.method == "POST" else None)
    if request.method == "GET":
        return render_template("roundup/mandates.html", merchant=merchant, **sepa_context(merchant, form))
    if form.validate():
        try:
            mandate = sign_mandate_by(
                pages.signed_in_user(), merchant, form.organization.data, iban=form.iban.data, account_holder=form.account_holder.data,
                email=form.email.data, accepted=form.accepted.data, ip_address=request.remote_addr or "",
                user_agent=request.headers.get("User-Agent", "")[:300])
            db.session.commit()
            flash(f"Mandat signé : {mandate.organization.name} prélèvera vos relevés sur le compte se terminant "
                  f"par {mandate.iban_last4}.", "success")
            return redirect(url_for("roundup_pages.dashboard") + "#prelevement")
        except NotFound:
            db.session.rollback()
            form.organization.errors = [MESSAGES["organization"]]
        except (InvalidInput, Conflict) as error:
            db.session.rollback()
            target = getattr(form, error.field or "", None) or form.organization
            target.errors = [MESSAGES.get(error.field, "Impossible de signer ce mandat pour l'instant : "
                                          "l'association ne peut pas encore recevoir de prélèvements.")]
    return render_template("roundup/mandates.html", merchant=merchant, **sepa_context(merchant, form)), 400


@bp.route("/commercant/prelevement/<int:mandate_id>/revoquer", methods=["POST"])
def revoke(mandate_id):
    csrf.protect()
    merchant = pages._merchant_or_login()
    try:
        mandate = mandates.get_mandate(merchant, mandate_id)
    except NotFound:
        abort(404)
    if not confirmed():
        flash("Confirmez la révocation avec le second bouton.", "error")
        return redirect(url_for("roundup_mandates.sign"))
    revoke_mandate_by(pages.signed_in_user(), merchant, mandate)
    db.session.commit()
    flash(f"Mandat révoqué : {mandate.organization.name} ne prélèvera plus vos relevés. "
          "Réglez-les désormais par virement.", "success")
    return redirect(url_for("roundup_pages.dashboard") + "#prelevement")


def init_app(app):
    from app.demo import register_loader
    from donations.roundup import debit_demo

    app.register_blueprint(bp)
    register_loader(app, 45, debit_demo.load_mandates)  # after the merchants (40)
    # The dashboard's section reads its figures through this function (pages.py builds the rest).
    app.jinja_env.globals["merchant_sepa"] = sepa_context
