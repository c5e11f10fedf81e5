"""/gestion/campagnes: project holders (their organization's campaigns) and the town's administrators
list campaigns by state, write and edit drafts (every field the API takes, through the API's schema
and the same services), change the cover, submit a draft for review; administrators may publish a
draft directly. The Markdown preview uses the campaign page's own sanitiser."""
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from wtforms.fields.choices import SelectChoice

from app.audit import record_action
from app.auth.access import current_user, ensure_organization
from app.auth.models import Role
from app.backoffice import add_menu_entry, confirmed, staff_page
from app.errors import DomainError
from app.extensions import csrf, db
from campaigns import services
from campaigns.campaign_forms import CampaignForm, CoverForm, load_campaign
from campaigns.models import CampaignStatus
from campaigns.models.campaigns import EDITABLE_STATUSES, STATUS_LABELS
from campaigns.schemas import CampaignIn, CampaignPatch
from campaigns.services import review

bp = Blueprint("campaign_admin", __name__, url_prefix="/gestion/campagnes")

STAFF = (Role.admin, Role.holder)
# The order of the list's sections: what needs doing first.
STATE_ORDER = (CampaignStatus.submitted, CampaignStatus.draft, CampaignStatus.published, CampaignStatus.succeeded,
               CampaignStatus.failed, CampaignStatus.closed, CampaignStatus.cancelled)
PREVIEW_MAX = 50_000


def managed_campaign(slug):
    """The campaign, if the signed-in user (an administrator, or a holder of its organization) manages it;
    404 otherwise, as if it did not exist."""
    campaign = services.get_campaign(slug)
    ensure_organization(current_user(), campaign.organization_id)
    return campaign


def follow_url(campaign):
    return url_for("campaign_follow.show", slug=campaign.slug)


@bp.get("")
@staff_page(*STAFF)
def index():
    user = current_user()
    campaigns = db.session.scalars(services.list_campaigns(viewer=user)).all()
    if not user.is_admin:
        campaigns = [c for c in campaigns if c.organization_id == user.organization_id]
    sections = [(status, STATUS_LABELS[status], [c for c in campaigns if c.status is status]) for status in STATE_ORDER]
    return render_template("campaigns/gestion/list.html", sections=[s for s in sections if s[2]])


def _organization_choices(user):
    if not user.is_admin:
        return []
    return [SelectChoice(o.slug, o.name) for o in db.session.scalars(services.list_organizations())]


@bp.route("/nouvelle", methods=["GET", "POST"])
@staff_page(*STAFF)
def create():
    user = current_user()
    form = CampaignForm()
    form.organization.choices = _organization_choices(user)
    if request.method == "GET":
        form.add_blank_rows()
        return _form_page(None, form)
    csrf.protect()
    data = form.validate() and load_campaign(CampaignIn(), form, form.api_data())
    if data:
        try:
            if user.is_admin:
                organization_id = services.get_organization(form.organization.data or "").id
            else:
                organization_id = user.organization_id
            campaign = services.create_campaign(organization_id, **data)
        except DomainError as refused:
            db.session.rollback()
            form.refuse([refused.field or "title"])
        else:
            record_action(user, "campaign.create", campaign, campaign.title)
            db.session.commit()
            flash("Le brouillon est enregistré. Complétez-le, puis soumettez-le à la Ville.", "success")
            return redirect(follow_url(campaign))
    return _form_page(None, form, 400)


@bp.route("/<slug>/modifier", methods=["GET", "POST"])
@staff_page(*STAFF)
def edit(slug):
    campaign = managed_campaign(slug)
    if campaign.status not in EDITABLE_STATUSES:
        flash("Cette campagne ne se modifie plus : " + (
            "la Ville l'examine." if campaign.status is CampaignStatus.submitted else "elle est terminée."), "error")
        return redirect(follow_url(campaign))
    published = campaign.status is CampaignStatus.published
    if request.method == "GET":
        return _form_page(campaign, CampaignForm.for_campaign(campaign))
    csrf.protect()
    form = CampaignForm()
    data = form.validate() and load_campaign(CampaignPatch(partial=True), form, form.api_data(frozen=published))
    if data:
        try:
            services.update_campaign(campaign, **data)
        except DomainError as refused:
            db.session.rollback()
            form.refuse([refused.field or "title"])
        else:
            record_action(current_user(), "campaign.update", campaign)
            db.session.commit()
            flash("Les modifications sont enregistrées.", "success")
            return redirect(follow_url(campaign))
    return _form_page(campaign, form, 400)


def _form_page(campaign, form, status=200, cover_form=None):
    return render_template("campaigns/gestion/form.html", form=form, campaign=campaign,
                           cover_form=cover_form or CoverForm(formdata=None),
                           preview_html=services.render_markdown(form.description.data or ""),
                           frozen=campaign is not None and campaign.status is CampaignStatus.published,
                           max_cover_kb=current_app.config["CAMPAIGN_COVER_MAX_BYTES"] // 1024), status


@bp.post("/<slug>/couverture")
@staff_page(*STAFF)
def cover(slug):
    campaign = managed_campaign(slug)
    if campaign.status not in EDITABLE_STATUSES:
        return redirect(follow_url(campaign))
    cover_form = CoverForm()
    if cover_form.validate():
        upload = cover_form.cover.data
        try:
            services.set_cover(campaign, upload.read(current_app.config["CAMPAIGN_COVER_MAX_BYTES"] + 1))
        except DomainError:
            db.session.rollback()
            limit = current_app.config["CAMPAIGN_COVER_MAX_BYTES"] // 1024
            cover_form.cover.errors = [f"Choisissez une image PNG, JPEG ou WebP de {limit} Kio au plus."]
        else:
            db.session.commit()
            flash("La nouvelle image de la campagne est enregistrée.", "success")
            return redirect(url_for(".edit", slug=slug))
    return _form_page(campaign, CampaignForm.for_campaign(campaign), 400, cover_form)


# Why a campaign cannot go further (submitted by its holder, approved or published by the town): the
# same facts, said so that both read them right.
SUBMIT_REFUSALS = {
    "description": "La campagne n'a pas encore de description du projet : ajoutez-la d'abord.",
    "ends_at": "Le dernier jour de la collecte est passé : choisissez-en un autre d'abord.",
}


@bp.post("/<slug>/soumettre")
@staff_page(*STAFF)
def submit(slug):
    campaign = managed_campaign(slug)
    csrf.protect()
    if not confirmed():
        return redirect(follow_url(campaign))
    try:
        review.submit_campaign(campaign, current_user())
    except DomainError as refused:
        db.session.rollback()
        flash(SUBMIT_REFUSALS.get(refused.field, "Cette campagne ne peut pas être soumise dans son état."), "error")
    else:
        db.session.commit()
        flash("La campagne est soumise à la Ville. Vous recevrez un e-mail dès qu'elle l'aura examinée.", "success")
    return redirect(follow_url(campaign))


@bp.post("/<slug>/publier")
@staff_page(Role.admin)
def publish(slug):
    campaign = managed_campaign(slug)
    csrf.protect()
    if not confirmed():
        return redirect(follow_url(campaign))
    try:
        review.publish_directly(campaign, current_user())
    except DomainError as refused:
        db.session.rollback()
        flash(SUBMIT_REFUSALS.get(refused.field, "Cette campagne ne peut pas être publiée dans son état."), "error")
    else:
        db.session.commit()
        flash("La campagne est publiée.", "success")
    return redirect(follow_url(campaign))


@bp.post("/apercu")
@staff_page(*STAFF)
def preview():
    """The HTML the campaign page would show for this Markdown (the same sanitiser), for the editor."""
    csrf.protect()
    text = (request.get_json(silent=True) or {}).get("text", "")
    if not isinstance(text, str):
        text = ""
    return jsonify(html=services.render_markdown(text[:PREVIEW_MAX]))


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "campaign_admin.index", "Campagnes", STAFF, order=20)
