"""Who is asking, and what they may see.

The JSON API authenticates with `Authorization: Bearer <token>`; the HTML pages with the session
cookie set by /connexion. A user may only reach the data of their own organization or partner: any
other is answered 404, exactly as if it did not exist.
"""
from functools import wraps

from flask import abort, g, request, session

from app.auth.models import Role, User
from app.auth.services import user_for_token
from app.extensions import db


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def current_user() -> User | None:
    if "current_user" not in g:
        if request.path.startswith("/api/"):
            g.current_user = user_for_token(bearer_token())
        else:
            user_id = session.get("user_id")
            user = db.session.get(User, user_id) if user_id else None
            g.current_user = user if user is not None and user.active else None
    return g.current_user


def require_roles(*roles):
    """Refuse the view unless the caller has one of `roles` (401 anonymous, 403 other roles)."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                abort(401)
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def can_see_organization(user, organization_id):
    if user is None:
        return False
    return user.is_admin or (user.organization_id is not None and user.organization_id == organization_id)


def can_see_partner(user, partner_id):
    if user is None:
        return False
    return user.is_admin or (user.partner_id is not None and user.partner_id == partner_id)


def ensure_organization(user, organization_id):
    """404 unless `user` may see the organization's data (admins see everything)."""
    if not can_see_organization(user, organization_id):
        abort(404)


def ensure_partner(user, partner_id):
    if not can_see_partner(user, partner_id):
        abort(404)
