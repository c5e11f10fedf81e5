"""The town's merchant pages (/gestion/commercants): list, create, edit (beneficiaries and shares,
rounding rule, maximum, the merchant's own matching), keys issued (shown once) and revoked, the shop's
staff invited, and its statements. Every write goes through the round-up services and is logged."""
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_home_panel, add_menu_entry, confirmed, staff_page
from app.downloads import attachment
from app.errors import Conflict, DomainError, InvalidInput, NotFound
from app.extensions import csrf, db
from donations.roundup import documents
from donations.roundup.forms import (
    EMAIL_RE,
    RuleFields,
    Shares,
    ShopFields,
    current_shares,
)
from donations.roundup.models import Merchant, Settlement
from donations.roundup.services import (
    get_key,
    get_merchant,
    list_keys,
    list_merchants,
    settlements_for,
)
from donations.roundup.services.merchant_admin import (
    beneficiary_choices,
    create_merchant_by,
    invite_staff,
    issue_key_by,
    merchant_staff,
    revoke_key_by,
    update_merchant_by,
)
from donations.roundup.services.reporting import beneficiary_name

bp = Blueprint("merchant_admin", __name__, url_prefix="/gestion/commercants", template_folder="../roundup/templates")

KEY_KINDS = [SelectChoice("till", "Clé de caisse (page Caisse : enregistrer, annuler, total du jour)"),
             SelectChoice("api", "Clé d'API (logiciel de caisse ou site marchand : tout le service de l'arrondi)")]


class MerchantForm(ShopFields, RuleFields, FlaskForm):
    email = EmailField("Adresse e-mail du commerce (relevés)", validators=[
        Optional(), Regexp(EMAIL_RE, message="Cette adresse e-mail n'est pas valide."), Length(max=254)])
    match_ratio_percent = IntegerField("Abondement du commerçant (% des arrondis)", default=0, validators=[
        Optional(), NumberRange(0, 1000, "Entre 0 et 1 000 %.")], render_kw={"inputmode": "numeric"})
    match_monthly_cap = DecimalField("Plafond mensuel de l'abondement (en euros, facultatif)", places=2, validators=[
        Optional(), NumberRange(Decimal(0), Decimal(1000000), "Entre 0 et 1 000 000 €.")],
        render_kw={"inputmode": "decimal"})
    active = BooleanField("L'arrondi est actif dans ce commerce", default=True)

    def values(self):
        cap = self.match_monthly_cap.data
        return dict(name=self.name.data.strip(), siret=self.siret.data, address_line1=self.address_line1.data.strip(),
                    postal_code=self.postal_code.data, city=self.city.data.strip(), email=(self.email.data or "").strip(),
                    match_ratio_percent=self.match_ratio_percent.data or 0,
                    match_monthly_cap_cents=int(cap * 100) if cap is not None else None,
                    active=bool(self.active.data), **self.rule_values())


class KeyForm(FlaskForm):
    kind = RadioField("Type de clé", choices=KEY_KINDS, default="till",
                      validators=[DataRequired("Choisissez le type de clé.")])
    label = StringField("Nom de la clé (facultatif)", validators=[Length(max=100, message="100 caractères au plus.")])


class StaffForm(FlaskForm):
    name = StringField("Nom et prénom", validators=[Length(max=200, message="200 caractères au plus.")])
    email = EmailField("Adresse e-mail", validators=[
        DataRequired("Indiquez l'adresse e-mail de la personne."),
        Regexp(EMAIL_RE, message="Cette adresse e-mail n'est pas valide."), Length(max=254)])


# A service refusal names a field: said in French beside it.
FIELD_MESSAGES = {
    "siret": "Ce numéro SIRET n'est pas valide.",
    "slug": "Un commerçant porte déjà ce nom : choisissez un nom plus précis.",
    "name": "Indiquez le nom du commerce.",
    "top_ups_cents": "Ces compléments ne sont pas valides.",
}


def _merchant_or_404(slug):
    try:
        return get_merchant(slug)
    except NotFound:
        abort(404)


@bp.get("")
@staff_page(Role.admin)
def index():
    merchants = db.session.scalars(list_merchants()).all()
    return render_template("roundup/gestion/merchants.html", merchants=merchants)


def _save(form, shares, merchant=None):
    """Validate and write; returns the merchant, or None with the errors on the form and shares."""
    valid = form.validate()
    chosen = shares.parse(by="slug")
    if not valid or chosen is None:
        return None
    try:
        if merchant is None:
            merchant = create_merchant_by(current_user(), beneficiaries=chosen, **form.values())
        else:
            update_merchant_by(current_user(), merchant, beneficiaries=chosen, **form.values())
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        if error.field == "beneficiaries":
            shares.errors[""] = "Un bénéficiaire choisi n'est plus ouvert à l'arrondi."
        else:
            getattr(form, error.field, form.name).errors.append(
                FIELD_MESSAGES.get(error.field, "Cette valeur n'est pas acceptée."))
        return None
    db.session.commit()
    return merchant


@bp.route("/nouveau", methods=["GET", "POST"])
@staff_page(Role.admin)
def create():
    form = MerchantForm()
    organizations, campaigns = beneficiary_choices()
    shares = Shares(organizations, campaigns, request.form if request.method == "POST" else None)
    if request.method == "POST":
        csrf.protect()
        merchant = _save(form, shares)
        if merchant is not None:
            flash(f"{merchant.name} est créé. Créez-lui une clé de caisse ou invitez son équipe.", "success")
            return redirect(url_for(".show", slug=merchant.slug))
    return render_template("roundup/gestion/merchant_form.html", form=form, shares=shares, merchant=None), (
        400 if request.method == "POST" else 200)


@bp.route("/<slug>/modifier", methods=["GET", "POST"])
@staff_page(Role.admin)
def edit(slug):
    merchant = _merchant_or_404(slug)
    form = MerchantForm(obj=merchant if request.method == "GET" else None)
    organizations, campaigns = beneficiary_choices(merchant)
    if request.method == "GET":
        form.fill_rule(merchant)
        form.match_monthly_cap.data = (Decimal(merchant.match_monthly_cap_cents) / 100
                                       if merchant.match_monthly_cap_cents is not None else None)
        shares = Shares(organizations, campaigns, current=current_shares(merchant.beneficiaries))
    else:
        csrf.protect()
        shares = Shares(organizations, campaigns, request.form)
        if _save(form, shares, merchant) is not None:
            flash("Les changements sont enregistrés ; les relevés déjà établis gardent leurs parts.", "success")
            return redirect(url_for(".show", slug=merchant.slug))
    return render_template("roundup/gestion/merchant_form.html", form=form, shares=shares, merchant=merchant), (
        400 if request.method == "POST" else 200)


def _show(merchant, *, key_form=None, staff_form=None, new_key=None, status=200):
    statements = db.session.scalars(settlements_for(merchant_id=merchant.id).limit(24)).all()
    return render_template(
        "roundup/gestion/merchant.html", merchant=merchant, keys=list_keys(merchant), staff=merchant_staff(merchant),
        statements=statements, key_form=key_form or KeyForm(formdata=None), new_key=new_key,
        staff_form=staff_form or StaffForm(formdata=None),
        beneficiaries=[(beneficiary_name(row), row.share_basis_points) for row in merchant.beneficiaries],
        issue_url=url_for(".issue_key", slug=merchant.slug),
        revoke_url=lambda row: url_for(".revoke", slug=merchant.slug, key_id=row.id)), status


@bp.get("/<slug>")
@staff_page(Role.admin)
def show(slug):
    return _show(_merchant_or_404(slug))


@bp.post("/<slug>/cles")
@staff_page(Role.admin)
def issue_key(slug):
    csrf.protect()
    merchant = _merchant_or_404(slug)
    form = KeyForm()
    if not form.validate():
        return _show(merchant, key_form=form, status=400)
    row, key = issue_key_by(current_user(), merchant, form.kind.data, (form.label.data or "").strip())
    db.session.commit()
    # Shown on this answer only: it is not stored and cannot be shown again.
    return _show(merchant, new_key=(row, key))


@bp.post("/<slug>/cles/<int:key_id>/revoquer")
@staff_page(Role.admin)
def revoke(slug, key_id):
    csrf.protect()
    merchant = _merchant_or_404(slug)
    try:
        row = get_key(merchant, key_id)
    except DomainError:
        abort(404)
    if not confirmed():
        flash("Confirmez la révocation avec le second bouton.", "error")
    else:
        revoke_key_by(current_user(), merchant, row)
        db.session.commit()
        flash(f"La clé {row.prefix}… est révoquée : elle ne sert plus à rien.", "success")
    return redirect(url_for(".show", slug=merchant.slug))


@bp.post("/<slug>/equipe")
@staff_page(Role.admin)
def invite(slug):
    csrf.protect()
    merchant = _merchant_or_404(slug)
    form = StaffForm()
    if form.validate():
        try:
            user = invite_staff(current_user(), merchant, form.email.data, (form.name.data or "").strip())
        except (InvalidInput, Conflict):
            db.session.rollback()
            form.email.errors.append("Cette adresse a déjà un compte : choisissez-en une autre.")
        else:
            db.session.commit()
            flash(f"{user.email} reçoit un lien pour choisir son mot de passe.", "success")
            return redirect(url_for(".show", slug=merchant.slug))
    return _show(merchant, staff_form=form, status=400)


@bp.get("/<slug>/releves/<int:settlement_id>.<any(pdf, csv):ext>")
@staff_page(Role.admin)
def statement(slug, settlement_id, ext):
    merchant = _merchant_or_404(slug)
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None or settlement.merchant_id != merchant.id:
        abort(404)
    if ext == "csv":
        return attachment(documents.statement_csv(settlement), f"{documents.filename(settlement)}.csv")
    return Response(documents.statement_pdf(settlement), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{documents.filename(settlement)}.pdf"'})


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "merchant_admin.index", "Commerçants", [Role.admin], order=400)
    # A shop's staff: their dashboard (donations.roundup.pages), from the menu and the /gestion home.
    add_menu_entry(app, "roundup_pages.dashboard", "Mon commerce", [Role.merchant], order=10)
    add_home_panel(app, "roundup/gestion/merchant_panel.html", [Role.merchant],
                   context=lambda user: {"merchant": db.session.get(Merchant, user.merchant_id)}, order=10)
