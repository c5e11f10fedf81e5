"""/gestion/partenaires: the town's administrators list, create and edit partners (through the API's
schemas and the campaigns services) and invite their staff. Their money (pledges, grants, payments
received) is on campaigns/backoffice/partner_money.py."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.audit import record_action
from app.auth.access import current_user
from app.auth.forms import InviteForm, invite_from_form
from app.auth.models import Role, User
from app.auth.staff import staff_list
from app.backoffice import add_menu_entry, staff_page
from app.errors import DomainError
from app.extensions import csrf, db
from campaigns import services
from campaigns.backoffice_forms import (
    PARTNER_KIND_LABELS,
    PartnerForm,
    load_with,
    refuse,
)
from campaigns.schemas import PartnerIn, PartnerPatch

bp = Blueprint("partner_pages", __name__, url_prefix="/gestion/partenaires", template_folder="../templates")

EDITABLE = tuple(name for name in PartnerForm.API_FIELDS if name != "kind")


@bp.get("")
@staff_page(Role.admin)
def index():
    staff = dict(db.session.execute(select(User.partner_id, func.count(User.id))
                                    .where(User.partner_id.is_not(None)).group_by(User.partner_id)).all())
    partners = db.session.scalars(services.list_partners()).all()
    return render_template("campaigns/backoffice/partners.html", partners=partners, staff=staff,
                           kinds=PARTNER_KIND_LABELS)


@bp.route("/nouveau", methods=["GET", "POST"])
@staff_page(Role.admin)
def create():
    form = PartnerForm()
    if request.method == "POST":
        csrf.protect()
        valid = form.validate()
        if valid and form.kind.data == "company" and not (form.siren.data or "").strip():
            form.siren.errors = [*form.siren.errors, "Une entreprise mécène a un SIREN : ses reçus l'impriment."]
            valid = False
        data = valid and load_with(PartnerIn(), form, form.api_data())
        if data:
            try:
                partner = services.create_partner(**data)
            except DomainError as refused:
                db.session.rollback()
                refuse(form, [refused.field or "name"])
            else:
                record_action(current_user(), "partner.create", partner, partner.name)
                db.session.commit()
                flash(f"Le partenaire {partner.name} est créé.", "success")
                return redirect(url_for("partner_pages.edit", slug=partner.slug))
        return render_template("campaigns/backoffice/partner_form.html", form=form, partner=None), 400
    return render_template("campaigns/backoffice/partner_form.html", form=form, partner=None)


def _edit_page(partner, form=None, invite=None, status=200):
    if form is None:
        form = PartnerForm(formdata=None, obj=partner)
    return render_template("campaigns/backoffice/partner_form.html", form=form, partner=partner,
                           kinds=PARTNER_KIND_LABELS, invite=invite or InviteForm(formdata=None, prefix="invite"),
                           staff=staff_list(partner_id=partner.id)), status


@bp.route("/<slug>", methods=["GET", "POST"])
@staff_page(Role.admin)
def edit(slug):
    partner = services.get_partner(slug)
    if request.method == "GET":
        return _edit_page(partner)
    csrf.protect()
    form = PartnerForm()
    form.kind.data = partner.kind.value  # fixed once created: its receipts depend on it
    data = form.validate() and load_with(PartnerPatch(), form, form.api_data(EDITABLE))
    if data:
        try:
            services.update_partner(partner, **data)
        except DomainError as refused:
            db.session.rollback()
            refuse(form, [refused.field or "name"])
        else:
            record_action(current_user(), "partner.update", partner, partner.name)
            db.session.commit()
            flash("Les changements sont enregistrés.", "success")
            return redirect(url_for("partner_pages.edit", slug=slug))
    return _edit_page(services.get_partner(slug), form=form, status=400)


@bp.post("/<slug>/equipe")
@staff_page(Role.admin)
def invite(slug):
    partner = services.get_partner(slug)
    csrf.protect()
    form = InviteForm(prefix="invite")
    if form.validate() and invite_from_form(form, Role.partner, invited_by=current_user(), partner_id=partner.id):
        db.session.commit()
        flash(f"Invitation envoyée à {form.email.data.strip().lower()}.", "success")
        return redirect(url_for("partner_pages.edit", slug=slug, _anchor="equipe"))
    db.session.rollback()
    return _edit_page(services.get_partner(slug), invite=form, status=400)


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "partner_pages.index", "Partenaires", [Role.admin], order=210)
