"""French HTML pages of the territory's campaigns: the list and a campaign (holders manage theirs in /gestion).

A campaign page renders with a fixed number of SQL statements however many gifts it has: it reads
the totals kept on the campaign row and a few short lists, never the gifts themselves.

A campaign shared on social media is seen by thousands of anonymous visitors who all get the same
page, so each web worker keeps the page it rendered for them. For `CAMPAIGN_PAGE_RECHECK_SECONDS`
(1 s) the copy is served without a word to the database; then one short statement asks whether the
campaign row changed (its totals, texts or status: a gift moves them) and the page is rendered again
if it did, or if the copy is older than `CAMPAIGN_PAGE_CACHE_SECONDS` (5 s; news, the donor wall and
the partners show within those seconds). Anonymous answers carry an ETag (a hash of the page),
answer 304 to `If-None-Match`, and say `Cache-Control: public, max-age=0, s-maxage=<those seconds>`:
a reverse proxy may keep the page that long and absorb a spike, while a browser asks again each time
(a 304 when nothing changed), so that a donor back from the thank-you page sees their gift. (No
stale-while-revalidate: browsers apply it too.) Signed-in users (whose page has a CSRF token and
their e-mail) and visitors with a flashed message always get a freshly rendered, private page.
"""
import hashlib
import time
from collections import namedtuple
from math import ceil

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from markupsafe import Markup
from sqlalchemy import select

from app.auth.access import can_see_organization, current_user
from app.extensions import db
from app.formatting import local_today
from app.types import utcnow
from campaigns import services
from campaigns.models import Campaign, CampaignCategory, CampaignStatus
from campaigns.models.campaigns import CATEGORY_LABELS, UNPUBLISHED_STATUSES
from campaigns.services.campaigns import days_left, ended_campaigns, page_version
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
    app.extensions.pop(PAGE_CACHE_KEY, None)  # the pages kept so far were rendered without it


def render_slot(name, campaign):
    fn = current_app.extensions.get(SLOTS_KEY, {}).get(name)
    return Markup(fn(campaign)) if fn is not None else None


def _visible_or_404(campaign):
    if not campaign.is_public and not can_see_organization(current_user(), campaign.organization_id):
        abort(404)


PAGE_CACHE_KEY = "campaigns.page_cache"
PAGE_CACHE_SIZE = 256  # campaigns kept per worker: the live ones of a territory fit
CachedPage = namedtuple("CachedPage", "version rendered_at checked_at body etag")


def _shared_visitor():
    """An anonymous visitor with nothing of their own on the page (no flashed message): they all
    see the same page. (Reading the session makes Flask answer `Vary: Cookie`.)"""
    return current_user() is None and "_flashes" not in session


@bp.route("/campagnes/<slug>")
def campaign(slug):
    if _shared_visitor():
        entry = _shared_copy(slug)
        if entry is not None:
            return _shared_response(entry)
    response = current_app.make_response(_render_page(slug))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _shared_copy(slug):
    """The page every anonymous visitor gets, from this worker's cache while it is current enough,
    else rendered again; None for a campaign the public does not see (a draft) or that does not exist."""
    config, now = current_app.config, time.monotonic()
    cache = current_app.extensions.setdefault(PAGE_CACHE_KEY, {})
    entry = cache.get(slug)
    if entry is not None and now - entry.checked_at < config["CAMPAIGN_PAGE_RECHECK_SECONDS"]:
        return entry
    found = page_version(slug)
    if found is None or found[1] in UNPUBLISHED_STATUSES:
        cache.pop(slug, None)
        return None
    seconds = config["CAMPAIGN_PAGE_CACHE_SECONDS"]
    if entry is not None and entry.version == found[2] and now - entry.rendered_at < seconds:
        entry = entry._replace(checked_at=now)
    else:
        body = _render_page(slug).encode()
        entry = CachedPage(found[2], now, now, body, hashlib.blake2b(body, digest_size=16).hexdigest())
    if seconds > 0:
        if slug not in cache and len(cache) >= PAGE_CACHE_SIZE:
            cache.pop(next(iter(cache)))  # the campaign that entered first
        cache[slug] = entry
    return entry


def _shared_response(entry):
    """The shared page, conditional on its ETag, that a reverse proxy may keep for a few seconds."""
    seconds = current_app.config["CAMPAIGN_PAGE_CACHE_SECONDS"]
    response = current_app.response_class(entry.body, mimetype="text/html")
    response.set_etag(entry.etag)
    # A visitor whose expired sign-in was just forgotten gets a new cookie: that answer is theirs alone.
    response.headers["Cache-Control"] = ("private, no-cache" if session.modified else
                                         f"public, max-age=0, s-maxage={seconds}")
    response.vary.add("Cookie")
    return response.make_conditional(request)


def _render_page(slug):
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


@bp.route("/campagnes/<slug>/actualites")
def manage_news(slug):
    """The holders' news and cover now live in the back office (/gestion/campagnes/<slug>/...)."""
    return redirect(url_for("campaign_follow.news", slug=slug), 301)


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
        ended=ended_campaigns(territory=commune or None, category=category or None),
    )


def init_app(app):
    app.config.setdefault("CAMPAIGN_PAGE_CACHE_SECONDS", 5)
    app.config.setdefault("CAMPAIGN_PAGE_RECHECK_SECONDS", 1.0)
    app.add_url_rule("/", "home", home)
    app.register_blueprint(bp)
