"""What holders and donors write: sanitised Markdown, the cover image, news, the donor wall."""
import hashlib
import re
from collections.abc import Sequence

import markdown as markdown_lib
import nh3
from flask import current_app
from sqlalchemy import delete, select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.images import check_image
from campaigns.models import Campaign, CampaignCover, CampaignNews, CampaignStatus, WallEntry

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "blockquote", "code",
                "pre", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
# Only these schemes survive in href/src: no javascript:, data:, vbscript: ...
URL_SCHEMES = {"http", "https", "mailto"}


def _own_image(tag, attribute, value):
    """Images come from the service itself (a path such as /campagnes/<slug>/couverture or /static/...):
    an image from elsewhere would tell a third party who reads the page (a tracking pixel)."""
    if tag == "img" and attribute == "src":
        path = value.strip()
        if not path.startswith("/") or path.startswith("//") or "\\" in path or ":" in path.split("?")[0]:
            return None
        return path
    return value


def render_markdown(text) -> str:
    """Markdown to HTML that is safe to show: the HTML is built, then cleaned by an allow-list.
    Links get rel="nofollow noopener noreferrer"; images only from the service's own paths."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True, attribute_filter=_own_image)
    # An <img> whose source was refused is dropped altogether (its alt text is not worth a broken image).
    return IMG_WITHOUT_SOURCE.sub("", html)


IMG_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


# Covers are kept in the database (table campaign_covers): every web worker on every host serves
# the same bytes without a shared disk.
COVER_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
COVER_MAX_PIXELS = 6000 * 6000


def set_cover(campaign, data: bytes) -> CampaignCover:
    """Check an uploaded cover by its content (not its name or declared type) and keep it."""
    kind = check_image(data, "cover", formats=tuple(COVER_FORMATS), max_pixels=COVER_MAX_PIXELS,
                       max_bytes=current_app.config["CAMPAIGN_COVER_MAX_BYTES"], what="the cover image")
    cover = db.session.get(CampaignCover, campaign.id) or CampaignCover(campaign_id=campaign.id)
    cover.content_type = COVER_FORMATS[kind]
    cover.data = data
    cover.sha256 = hashlib.sha256(data).hexdigest()
    db.session.add(cover)
    campaign.has_cover = True
    db.session.flush()
    return cover


def get_cover(campaign) -> CampaignCover:
    cover = db.session.get(CampaignCover, campaign.id) if campaign.has_cover else None
    if cover is None:
        raise NotFound("this campaign has no cover image")
    return cover


def add_news(campaign, title, body, *, author_id=None) -> CampaignNews:
    """A news update from the holder; refused on a cancelled campaign."""
    if campaign.status is CampaignStatus.cancelled:
        raise InvalidInput("a cancelled campaign gets no news", "campaign")
    title, body = _checked_news(title, body)
    news = CampaignNews(campaign_id=campaign.id, title=title, body_md=body, body_html=render_markdown(body),
                        author_id=author_id)
    db.session.add(news)
    db.session.flush()
    return news


def _checked_news(title, body):
    title, body = (title or "").strip(), (body or "").strip()
    if not 2 <= len(title) <= 200:
        raise InvalidInput("a title has 2 to 200 characters", "title")
    if not 1 <= len(body) <= 20_000:
        raise InvalidInput("write the news (at most 20 000 characters)", "body")
    return title, body


def get_news(campaign, news_id) -> CampaignNews:
    """A news item of this campaign (another campaign's is not found)."""
    news = db.session.get(CampaignNews, news_id) if isinstance(news_id, int) else None
    if news is None or news.campaign_id != campaign.id:
        raise NotFound(f"no news {news_id} on this campaign", "news")
    return news


def update_news(news, title, body) -> CampaignNews:
    """Correct a news item; it keeps its publication date."""
    news.title, news.body_md = _checked_news(title, body)
    news.body_html = render_markdown(news.body_md)
    db.session.flush()
    return news


def delete_news(news) -> None:
    db.session.delete(news)
    db.session.flush()


def latest_news(campaign_id, limit=10) -> Sequence[CampaignNews]:
    return db.session.scalars(select(CampaignNews).where(CampaignNews.campaign_id == campaign_id)
                              .order_by(CampaignNews.published_at.desc(), CampaignNews.id.desc()).limit(limit)).all()


def add_wall_entry(campaign_id, donation_id, display_name, message_text) -> WallEntry:
    """Put a gift on the donor wall: `display_name` a first name, or None/"" for "Anonyme".

    Idempotent on `donation_id`. The message is plain text (escaped when shown).
    """
    if db.session.get(Campaign, campaign_id) is None:
        raise NotFound(f"no campaign {campaign_id}", "campaign_id")
    display_name = (display_name or "").strip() or None
    message_text = (message_text or "").strip()
    if display_name and len(display_name) > 80:
        raise InvalidInput("a name on the wall has at most 80 characters", "display_name")
    if len(message_text) > 500:
        raise InvalidInput("a message has at most 500 characters", "message")
    existing = db.session.scalar(select(WallEntry).where(WallEntry.donation_id == donation_id))
    if existing is not None:
        return existing
    entry = WallEntry(campaign_id=campaign_id, donation_id=donation_id, display_name=display_name,
                      message=message_text)
    db.session.add(entry)
    db.session.flush()
    return entry


def remove_wall_entry(donation_id) -> bool:
    """Take a refunded gift off the wall; False when it was not there."""
    return db.session.execute(delete(WallEntry).where(WallEntry.donation_id == donation_id)).rowcount > 0


def wall_entries(campaign_id, limit=30) -> Sequence[WallEntry]:
    return db.session.scalars(select(WallEntry).where(WallEntry.campaign_id == campaign_id)
                              .order_by(WallEntry.created_at.desc(), WallEntry.id.desc()).limit(limit)).all()
