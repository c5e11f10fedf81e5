"""French HTML pages of the territory's campaigns: the list, a campaign, the holder's news page.

A campaign page renders with a fixed number of SQL statements however many gifts it has: it reads
the totals kept on the campaign row and a few short lists, never the gifts themselves.
"""
from math import ceil

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from app.auth.access import can_see_organization, current_user
from app.errors import DomainError
from app.extensions import csrf, db
from app.formatting import local_today
from app.types import utcnow
from campaigns import services
from campaigns.models import Campaign, CampaignCategory, CampaignStatus
from campaigns.models.campaigns import CATEGORY_LABELS
from campaigns.services.campaigns import days_left
from campaigns.services.content import latest_news, wall_entries
from campaigns.services.pledges import partner_shares

bp = Blueprint("campaign_pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/campagnes")

SLOTS_KEY = "campaigns.slots"
HOME_PAGE_SIZE = 12


def register_slot(app, name, fn):
    """Let a higher package fill a place on the campaign page without campaigns importing it.

    The donations package fills the donation form from its `init_app`:

        from campaigns.pages import register_slot
        register_slot(app, "donation_form", lambda campaign: Markup(render_template(...)))

    `fn(campaign)` returns a `markupsafe.Markup` (already escaped HTML). Without a registered
    "donation_form", the page says in French that online giving is not open yet.
    """
    app.extensions.setdefault(SLOTS_KEY, {})[name] = fn


def render_slot(name, campaign):
    fn = current_app.extensions.get(SLOTS_KEY, {}).get(name)
    return Markup(fn(campaign)) if fn is not None else None


def _visible_or_404(campaign):
    if campaign.status is CampaignStatus.draft and not can_see_organization(current_user(), campaign.organization_id):
        abort(404)


@bp.route("/campagnes/<slug>")
def campaign(slug):
    campaign = services.get_campaign(slug)
    _visible_or_404(campaign)
    user = current_user()
    return render_template(
        "campaigns/campaign.html", campaign=campaign, tiers=campaign.tiers, stretch_goals=campaign.stretch_goals,
        partners=partner_shares(campaign), news=latest_news(campaign.id), wall=wall_entries(campaign.id),
        days_left=days_left(campaign), donation_form=render_slot("donation_form", campaign),
        accepting=campaign.status is CampaignStatus.published and campaign.starts_at <= utcnow() < campaign.ends_at,
        can_manage=can_see_organization(user, campaign.organization_id) and user.role.value in ("admin", "holder"),
    )


@bp.route("/campagnes/<slug>/couverture", methods=["POST"])
def upload_cover(slug):
    """The holder replaces the cover image from the management page."""
    campaign, user = _managed_or_redirect(slug)
    if user is None:
        return campaign
    csrf.protect()
    upload = request.files.get("cover")
    try:
        services.set_cover(campaign, upload.read(current_app.config["CAMPAIGN_COVER_MAX_BYTES"] + 1) if upload else b"")
    except DomainError:
        db.session.rollback()
        limit = current_app.config["CAMPAIGN_COVER_MAX_BYTES"] // 1024
        flash(f"Choisissez une image PNG, JPEG ou WebP de {limit} Kio au plus.", "error")
    else:
        db.session.commit()
        flash("La nouvelle image de la campagne est en ligne.", "success")
    return redirect(url_for("campaign_pages.manage_news", slug=slug))


@bp.route("/campagnes/<slug>/couverture")
def cover(slug):
    campaign = services.get_campaign(slug)
    _visible_or_404(campaign)
    image = services.get_cover(campaign)
    response = current_app.response_class(image.data, mimetype=image.content_type)
    response.set_etag(image.sha256)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


def _managed_or_redirect(slug):
    """(campaign, user) for its holder or an admin; (redirect to sign in, None) for a visitor;
    404 for anyone else, as if the campaign's management did not exist."""
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login", next=request.path)), None
    campaign = services.get_campaign(slug)
    if not can_see_organization(user, campaign.organization_id) or user.role.value not in ("admin", "holder"):
        abort(404)
    return campaign, user


@bp.route("/campagnes/<slug>/actualites", methods=["GET", "POST"])
def manage_news(slug):
    """The holder writes news for the campaign's page (and changes its cover)."""
    campaign, user = _managed_or_redirect(slug)
    if user is None:
        return campaign
    errors, form = {}, {"title": "", "body": ""}
    if request.method == "POST":
        csrf.protect()
        form = {"title": request.form.get("title", ""), "body": request.form.get("body", "")}
        try:
            services.add_news(campaign, form["title"], form["body"], author_id=user.id)
        except DomainError as error:
            db.session.rollback()
            errors[error.field] = {"title": "Le titre doit compter de 2 à 200 caractères.",
                                   "body": "Écrivez le texte de l'actualité (20 000 caractères au plus).",
                                   }.get(error.field, "Cette actualité ne peut pas être publiée.")
        else:
            db.session.commit()
            flash("Votre actualité est publiée sur la page de la campagne.", "success")
            return redirect(url_for("campaign_pages.manage_news", slug=slug))
    return render_template("campaigns/news.html", campaign=campaign, news=latest_news(campaign.id, limit=50),
                           errors=errors, form=form), (400 if errors else 200)


def home():
    commune = request.args.get("commune", "").strip()
    category = request.args.get("categorie", "").strip()
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    if category not in {c.value for c in CampaignCategory}:
        category = ""
    statement = services.list_campaigns(status=CampaignStatus.published.value, territory=commune or None,
                                        category=category or None)
    total = db.session.scalar(select(db.func.count()).select_from(statement.order_by(None).subquery()))
    campaigns = db.session.scalars(statement.limit(HOME_PAGE_SIZE).offset((page - 1) * HOME_PAGE_SIZE)).all()
    communes = db.session.scalars(select(Campaign.commune).where(Campaign.status == CampaignStatus.published)
                                  .distinct().order_by(Campaign.commune)).all()
    today = local_today()
    return render_template(
        "campaigns/home.html", campaigns=campaigns, communes=communes, categories=CATEGORY_LABELS,
        commune=commune, category=category, page=page, pages=max(1, ceil(total / HOME_PAGE_SIZE)), total=total,
        days_left={c.id: days_left(c, today) for c in campaigns},
    )


def init_app(app):
    app.add_url_rule("/", "home", home)
    app.register_blueprint(bp)
