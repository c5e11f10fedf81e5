"""/gestion/associations: the town's administrators list, create and edit organizations (every field
the API takes, through the same schema and services), upload their logo, signature and stamp, and
invite their finance officers and project holders. Bank details are on the accounting pages."""
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import func, select

from app.audit import record_action
from app.auth.access import current_user
from app.auth.forms import OrganizationInviteForm, invite_from_form
from app.auth.models import Role, User
from app.auth.staff import staff_list
from app.backoffice import add_menu_entry, confirmed, staff_page
from app.errors import DomainError
from app.extensions import csrf, db
from campaigns import services
from campaigns.backoffice_forms import (
    IMAGE_LABELS,
    ImageForm,
    OrganizationForm,
    load_with,
    refuse,
)
from campaigns.schemas import OrganizationIn, OrganizationPatch
from campaigns.services.organizations import IMAGE_COLUMNS

bp = Blueprint("organization_pages", __name__, url_prefix="/gestion/associations", template_folder="../templates")

IMAGE_KINDS = tuple(IMAGE_LABELS)


@bp.get("")
@staff_page(Role.admin)
def index():
    staff = dict(db.session.execute(select(User.organization_id, func.count(User.id))
                                    .where(User.organization_id.is_not(None)).group_by(User.organization_id)).all())
    organizations = db.session.scalars(services.list_organizations()).all()
    return render_template("campaigns/backoffice/organizations.html", organizations=organizations, staff=staff)


@bp.route("/nouvelle", methods=["GET", "POST"])
@staff_page(Role.admin)
def create():
    form = OrganizationForm()
    if request.method == "POST":
        csrf.protect()
        data = form.validate() and load_with(OrganizationIn(), form, form.api_data())
        if data:
            try:
                organization = services.create_organization(**data)
            except DomainError as refused:
                db.session.rollback()
                refuse(form, [refused.field or "name"])
            else:
                record_action(current_user(), "organization.create", organization, organization.name)
                db.session.commit()
                flash(f"{organization.name} est créée. Ajoutez sa signature avant d'émettre des reçus.", "success")
                return redirect(url_for("organization_pages.edit", slug=organization.slug))
        return render_template("campaigns/backoffice/organization_form.html", form=form, organization=None), 400
    return render_template("campaigns/backoffice/organization_form.html", form=form, organization=None)


def _edit_page(organization, form=None, invite=None, image_forms=None, status=200):
    if form is None:
        form = OrganizationForm(formdata=None, obj=organization)
        form.category.data = organization.category.value if organization.category else form.category.choices[0].value
        form.receipt_regime.data = organization.receipt_regime.value
    return render_template(
        "campaigns/backoffice/organization_form.html", form=form, organization=organization,
        invite=invite or OrganizationInviteForm(formdata=None, prefix="invite"),
        image_forms=image_forms or {kind: ImageForm(formdata=None, prefix=kind) for kind in IMAGE_KINDS},
        image_labels=IMAGE_LABELS, staff=staff_list(organization_id=organization.id),
        max_image_kb=current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"] // 1024), status


@bp.route("/<slug>", methods=["GET", "POST"])
@staff_page(Role.admin)
def edit(slug):
    organization = services.get_organization(slug)
    if request.method == "GET":
        return _edit_page(organization)
    csrf.protect()
    form = OrganizationForm()
    data = form.validate() and load_with(OrganizationPatch(partial=True), form, form.api_data())
    if data:
        try:
            services.update_organization(organization, **data)
        except DomainError as refused:
            db.session.rollback()
            refuse(form, [refused.field or "name"])
        else:
            record_action(current_user(), "organization.update", organization, organization.name)
            db.session.commit()
            flash("Les changements sont enregistrés.", "success")
            return redirect(url_for("organization_pages.edit", slug=organization.slug))
    organization = services.get_organization(slug)
    return _edit_page(organization, form=form, status=400)


@bp.post("/<slug>/images/<any(logo, signature, stamp):kind>")
@staff_page(Role.admin)
def upload_image(slug, kind):
    organization = services.get_organization(slug)
    csrf.protect()
    form = ImageForm(prefix=kind)
    if form.validate():
        limit = current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"] + 1
        try:
            services.set_organization_image(organization, kind, form.image.data.read(limit))
        except DomainError:
            db.session.rollback()
            form.image.errors = [f"Une image PNG ou JPEG d'au plus {limit // 1024} Ko et 4 000 × 4 000 pixels."]
        else:
            record_action(current_user(), f"organization.{kind}", organization, "image envoyée")
            db.session.commit()
            flash(f"{IMAGE_LABELS[kind].split(' (')[0]} enregistré(e).", "success")
            return redirect(url_for("organization_pages.edit", slug=slug, _anchor="images"))
    forms = {other: ImageForm(formdata=None, prefix=other) for other in IMAGE_KINDS}
    forms[kind] = form
    return _edit_page(services.get_organization(slug), image_forms=forms, status=400)


@bp.post("/<slug>/images/<any(logo, signature, stamp):kind>/retirer")
@staff_page(Role.admin)
def remove_image(slug, kind):
    organization = services.get_organization(slug)
    csrf.protect()
    if confirmed():
        services.remove_organization_image(organization, kind)
        record_action(current_user(), f"organization.{kind}", organization, "image retirée")
        db.session.commit()
        flash(f"{IMAGE_LABELS[kind].split(' (')[0]} retiré(e).", "success")
    else:
        flash("Rien n'a changé : confirmez avec le second bouton.", "error")
    return redirect(url_for("organization_pages.edit", slug=slug, _anchor="images"))


@bp.get("/<slug>/images/<any(logo, signature, stamp):kind>.png")
@staff_page(Role.admin)
def image(slug, kind):
    data = getattr(services.get_organization(slug), IMAGE_COLUMNS[kind])
    if data is None:
        return "", 404
    return data, 200, {"Content-Type": "image/png", "Cache-Control": "private, no-store"}


@bp.post("/<slug>/equipe")
@staff_page(Role.admin)
def invite(slug):
    organization = services.get_organization(slug)
    csrf.protect()
    form = OrganizationInviteForm(prefix="invite")
    if form.validate() and invite_from_form(form, form.role.data, invited_by=current_user(),
                                            organization_id=organization.id):
        db.session.commit()
        flash(f"Invitation envoyée à {form.email.data.strip().lower()}.", "success")
        return redirect(url_for("organization_pages.edit", slug=slug, _anchor="equipe"))
    db.session.rollback()
    return _edit_page(services.get_organization(slug), invite=form, status=400)


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "organization_pages.index", "Associations", [Role.admin], order=200)

