"""Merchant keys on the API (`Authorization: Bearer mk_...`), beside the users' `sol_` tokens."""
import time
from functools import wraps

from flask import abort, current_app, g

from app import security
from app.auth.access import bearer_token, current_user
from app.auth.models import Role
from app.engine import read_only
from app.errors import DomainError
from donations.roundup import hotpath
from donations.roundup.models import MerchantKeyKind
from donations.roundup.services.merchants import (KEY_PREFIX, get_merchant_by_id, hash_key, merchant_for_key,
                                                  merchant_for_key_hash)


class MerchantInactive(DomainError):
    status = 403
    type_slug = "merchant-inactive"
    title = "Merchant inactive"


class TillKeyRefused(DomainError):
    """A till key (a device at the counter) asked for more than a till does."""

    status = 403
    type_slug = "till-key-refused"
    title = "Not for a till key"


def current_merchant():
    """The merchant's rule row (id, slug, active, rule columns) behind the request's key, or None."""
    if "current_merchant" not in g:
        token = bearer_token()
        found = hotpath.run(lambda connection: merchant_for_key(token, connection))
        g.current_merchant = found[0] if found else None
    return g.current_merchant


def current_merchant_model():
    """The full Merchant (beneficiaries...) for the views that need more than its rule."""
    return get_merchant_by_id(current_merchant().id)


def is_till_key(merchant_row) -> bool:
    return merchant_row.key_kind == MerchantKeyKind.till


def require_merchant(view=None, *, till=False):
    """The view runs for a live key of an active merchant (401 otherwise); `g.current_merchant` is set.

    Only `api` keys, unless `till=True` (`@require_merchant(till=True)`): what a till at the counter
    may also do (quote, void, today's figures); a till key elsewhere is refused with 403.
    """
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            merchant = current_merchant()
            if merchant is None:
                abort(401)
            if not merchant.active:
                raise MerchantInactive("this merchant's round-up is switched off")
            if not till and is_till_key(merchant):
                raise TillKeyRefused("a till key may only quote, record and void round-ups and read today's "
                                     "figures; use an api key")
            return view(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


# A key's merchant rule is kept this long in the worker; it is never trusted blindly: the insert that
# uses it checks in the same statement that the key is live and the rule version unchanged.
RULE_CACHE_SECONDS = 60
RULE_CACHE_SIZE = 10_000


def resolve_key(key_hash):
    """The rule row behind a key hash, read live (and cached), or None."""
    found = hotpath.run(lambda connection: merchant_for_key_hash(key_hash, connection))
    cache = current_app.extensions.setdefault("roundup.rules", {})
    if found is None:
        cache.pop(key_hash, None)
        return None
    if len(cache) >= RULE_CACHE_SIZE:
        cache.clear()
    cache[key_hash] = (found[0], time.monotonic() + RULE_CACHE_SECONDS)
    return found[0]


def require_merchant_key(view):
    """For the hot path: the merchant's rule from this worker's cache when fresh, else read live.

    The view records through `record_checkout`, whose insert proves the key and the rule version in
    the same statement and, when that proof fails, asks the view's resolver for the live rule.
    Refuses 401 / 403 as `require_merchant` does.
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if not token or not token.startswith(KEY_PREFIX):
            abort(401)
        key_hash = hash_key(token)
        entry = current_app.extensions.get("roundup.rules", {}).get(key_hash)
        if entry and entry[1] > time.monotonic():
            rule = entry[0]
        else:
            # A key this worker has not seen live lately: refused at once from an address that has
            # failed too many keys (a known key costs the limiter nothing; failures are counted in
            # app.security).
            security.refuse_key_guessing()
            rule = resolve_key(key_hash)
        if rule is None:
            abort(401)
        if not rule.active:
            raise MerchantInactive("this merchant's round-up is switched off")
        g.current_merchant, g.merchant_key_hash = rule, key_hash
        with read_only():  # its writes go through the hot path's own connection (app/engine.py)
            return view(*args, **kwargs)

    return wrapper


def require_statement_reader(view):
    """Admins, finance officers (of a beneficiary) and merchants (by key) read statements."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token() or ""
        if token.startswith(KEY_PREFIX):
            merchant = current_merchant()
            if merchant is None:
                abort(401)
            if is_till_key(merchant):
                raise TillKeyRefused("a till key does not read statements; use an api key")
        else:
            user = current_user()
            if user is None:
                abort(401)
            if user.role not in (Role.admin, Role.finance):
                abort(403)
            g.current_merchant = None
        return view(*args, **kwargs)

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
