"""`page` / `per_page` query arguments and the `X-Total-Count` header for every list."""
import marshmallow as ma
from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.fields import Count


class PageArgs(ma.Schema):
    # Query strings: "2" is an integer here (strict=False); bounded so that no offset overflows.
    page = Count(min=1, strict=False, load_default=1)
    per_page = Count(min=1, max=100, strict=False, load_default=20)


def paginate(statement, page, per_page):
    """Run `statement` for one page; the total goes to the response's X-Total-Count header."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    g.pagination_headers = {"X-Total-Count": str(total), "X-Page": str(page), "X-Per-Page": str(per_page)}
    return items


def init_app(app):
    @app.after_request
    def add_pagination_headers(response):
        for name, value in g.pop("pagination_headers", {}).items():
            response.headers[name] = value
        return response
