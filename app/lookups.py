"""Finding rows by their public slug, and choosing a free one: shared by every package."""
from sqlalchemy import select

from app.errors import Conflict, NotFound
from app.extensions import db
from app.text import slugify


def get_by_slug(model, slug, what):
    """The `model` row with this slug, or NotFound ("no {what} 'slug'")."""
    row = db.session.scalar(select(model).where(model.slug == slug))
    if row is None:
        raise NotFound(f"no {what} {slug!r}")
    return row


def get_by_id(model, row_id, what):
    """The `model` row with this primary key, or NotFound ("no {what} {id}")."""
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(f"no {what} {row_id}")
    return row


def unique_slug(model, slug, name, exclude_id=None):
    """`slug` (or one made from `name`) if no other `model` row has it, else Conflict on `slug`."""
    slug = slug or slugify(name)
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise Conflict(f"the slug {slug!r} is taken", "slug")
    return slug
