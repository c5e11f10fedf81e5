"""Who is asking, and what they may see.

The JSON API authenticates with `Authorization: Bearer <token>`; the HTML pages with the session
cookie set by /connexion. A user may only reach the data of their own organization or partner: any
other is answered 404, exactly as if it did not exist.
"""
import time
from functools import wraps

from flask import abort, current_app, g, request, session

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
            g.current_user = session_user()
    return g.current_user


def session_values(user_id) -> dict:
    """What a signed-in session holds for the user (tests put it in a client's session too)."""
    user = db.session.get(User, user_id)
    return {"user_id": user.id, "session_version": user.session_version, "signed_in_at": int(time.time())}


def start_session(user):
    """Sign `user` in on this browser: a fresh session, bound to the user's session version."""
    session.clear()
    session.update(session_values(user.id))


def session_user() -> User | None:
    """The session's user while it is valid: active, same session version (no password change or
    deactivation since), and signed in less than SESSION_LIFETIME_HOURS ago."""
    user_id = session.get("user_id")
    if not user_id:
        return None
    user = db.session.get(User, user_id)
    lifetime = current_app.config["SESSION_LIFETIME_HOURS"] * 3600
    signed_in_at = session.get("signed_in_at")
    if (user is None or not user.active or session.get("session_version") != user.session_version
            or not isinstance(signed_in_at, int) or time.time() - signed_in_at > lifetime):
        for name in ("user_id", "session_version", "signed_in_at"):
            session.pop(name, None)
        return None
    return user


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
