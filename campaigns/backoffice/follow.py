"""/gestion/campagnes/<slug>: a campaign followed by its holders and the town's administrators — its
state and what to do next (edit, submit; approve or send back for administrators), the town's reason
when it was sent back, money by source, gifts per day, rewards left — and its news (post, edit,
delete). The list of donors is a page of the donations package, linked from here."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import confirmed, staff_page
from app.errors import DomainError
from app.extensions import csrf, db
from campaigns import services
from campaigns.backoffice.campaigns import managed_campaign
from campaigns.campaign_forms import NewsForm, ReturnForm
from campaigns.models import CampaignStatus
from campaigns.services.content import delete_news, get_news, latest_news, update_news
from campaigns.services.follow import gifts_per_day, totals_by_source

bp = Blueprint("campaign_follow", __name__, url_prefix="/gestion/campagnes")

STAFF = (Role.admin, Role.holder)
FOLLOW_LINKS = "campaigns.follow_links"  # endpoints other packages add to the page (e.g. the donors)


def add_follow_link(app, endpoint, label):
    """A link on every campaign's follow page to `endpoint(slug=...)` (a higher package's page)."""
    links = app.extensions.setdefault(FOLLOW_LINKS, [])
    if (endpoint, label) not in links:
        links.append((endpoint, label))


def follow_page(campaign, *, return_form=None, status=200):
    user = current_user()
    return render_template(
        "campaigns/gestion/follow.html", campaign=campaign, is_admin=user.is_admin,
        totals=totals_by_source(campaign), days=gifts_per_day(campaign), tiers=campaign.tiers,
        return_form=return_form or ReturnForm(formdata=None),
        extra_links=current_app.extensions.get(FOLLOW_LINKS, []),
        submitted=campaign.status is CampaignStatus.submitted, draft=campaign.status is CampaignStatus.draft,
    ), status


@bp.get("/<slug>")
@staff_page(*STAFF)
def show(slug):
    return follow_page(managed_campaign(slug))


NEWS_REFUSALS = {"title": "Le titre compte de 2 à 200 caractères.",
                 "body": "Écrivez le texte de l'actualité (20 000 caractères au plus).",
                 "campaign": "Une campagne annulée ne reçoit plus d'actualité."}


def _refuse_news(form, refused):
    target = getattr(form, refused.field, None) if refused.field in ("title", "body") else form.title
    target.errors = [*(target.errors or []), NEWS_REFUSALS.get(refused.field, "Cette actualité est refusée.")]


@bp.route("/<slug>/actualites", methods=["GET", "POST"])
@staff_page(*STAFF)
def news(slug):
    campaign = managed_campaign(slug)
    form = NewsForm()
    if form.validate_on_submit():
        try:
            services.add_news(campaign, form.title.data, form.body.data, author_id=current_user().id)
        except DomainError as refused:
            db.session.rollback()
            _refuse_news(form, refused)
        else:
            db.session.commit()
            flash("L'actualité est publiée sur la page de la campagne.", "success")
            return redirect(url_for(".news", slug=slug))
    return render_template("campaigns/gestion/news.html", campaign=campaign, form=form,
                           news=latest_news(campaign.id, limit=100)), 400 if form.errors else 200


@bp.route("/<slug>/actualites/<int:news_id>", methods=["GET", "POST"])
@staff_page(*STAFF)
def edit_news(slug, news_id):
    campaign = managed_campaign(slug)
    item = get_news(campaign, news_id)
    form = NewsForm()
    if not form.is_submitted():
        form.title.data, form.body.data = item.title, item.body_md
    if form.validate_on_submit():
        try:
            update_news(item, form.title.data, form.body.data)
        except DomainError as refused:
            db.session.rollback()
            _refuse_news(form, refused)
        else:
            db.session.commit()
            flash("L'actualité est corrigée.", "success")
            return redirect(url_for(".news", slug=slug))
    return render_template("campaigns/gestion/news_edit.html", campaign=campaign, item=item,
                           form=form), 400 if form.errors else 200


@bp.post("/<slug>/actualites/<int:news_id>/supprimer")
@staff_page(*STAFF)
def delete_news_item(slug, news_id):
    campaign = managed_campaign(slug)
    item = get_news(campaign, news_id)
    csrf.protect()
    if confirmed():
        delete_news(item)
        db.session.commit()
        flash("L'actualité est supprimée.", "success")
    return redirect(url_for(".news", slug=slug))


def register(app):
    app.register_blueprint(bp)
