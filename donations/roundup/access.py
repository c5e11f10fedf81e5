"""Merchant keys on the API (`Authorization: Bearer mk_...`), beside the users' `sol_` tokens."""
from functools import wraps

from flask import abort, g

from app.auth.access import bearer_token, current_user
from app.auth.models import Role
from app.errors import DomainError
from app.extensions import db
from donations.roundup.services.merchants import KEY_PREFIX, merchant_for_key


class MerchantInactive(DomainError):
    status = 403
    type_slug = "merchant-inactive"
    title = "Merchant inactive"


def current_merchant():
    """The merchant behind the request's key, or None; a refreshed last-used time is committed after."""
    if "current_merchant" not in g:
        found = merchant_for_key(bearer_token())
        g.current_merchant = found[0] if found else None
        g.merchant_key_touched = bool(found and found[1])
    return g.current_merchant


def _commit_touch():
    if g.pop("merchant_key_touched", False):
        db.session.commit()


def require_merchant(view):
    """The view runs for a live key of an active merchant (401 otherwise); `g.current_merchant` is set."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        merchant = current_merchant()
        if merchant is None:
            abort(401)
        if not merchant.active:
            raise MerchantInactive("this merchant's round-up is switched off")
        result = view(*args, **kwargs)
        _commit_touch()
        return result

    return wrapper


def require_statement_reader(view):
    """Admins, finance officers (of a beneficiary) and merchants (by key) read statements."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token() or ""
        if token.startswith(KEY_PREFIX):
            if current_merchant() is None:
                abort(401)
        else:
            user = current_user()
            if user is None:
                abort(401)
            if user.role not in (Role.admin, Role.finance):
                abort(403)
            g.current_merchant = None
        result = view(*args, **kwargs)
        _commit_touch()
        return result

    return wrapper


def statement_scope():
    """{"merchant_id": ...} or {"organization_id": ...} or {} (admin): what the caller may read."""
    merchant = g.get("current_merchant")
    if merchant is not None:
        return {"merchant_id": merchant.id}
    user = current_user()
    if user.role is Role.finance:
        g.settlement_organization_id = user.organization_id
        return {"organization_id": user.organization_id}
    return {}
