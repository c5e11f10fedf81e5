"""Users, passwords and tokens: plain functions for the CLI, the pages and the tests."""
import hashlib

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app import keys
from app.auth.models import KEYED_HASH, ORGANIZATION_ROLES, PLAIN_SHA256, ApiToken, Role, User
from app.errors import Conflict, InvalidInput
from app.extensions import db

TOKEN_PREFIX = ApiToken.KIND


def create_user(email, role, *, organization_id=None, partner_id=None, merchant_id=None, password=None, name=""):
    """Create a user; an organization for finance and holder users, a partner for partner users, a
    merchant for merchant users."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", "role")
    email = (email or "").strip().lower()
    if "@" not in email:
        raise InvalidInput("not an email address", "email")
    if role in ORGANIZATION_ROLES and organization_id is None:
        raise InvalidInput(f"a {role.value} user belongs to an organization", "organization")
    if role is Role.partner and partner_id is None:
        raise InvalidInput("a partner user belongs to a partner", "partner")
    if role not in ORGANIZATION_ROLES and organization_id is not None:
        raise InvalidInput(f"a {role.value} user belongs to no organization", "organization")
    if role is not Role.partner and partner_id is not None:
        raise InvalidInput(f"a {role.value} user belongs to no partner", "partner")
    if role is Role.merchant and merchant_id is None:
        raise InvalidInput("a merchant user belongs to a merchant", "merchant")
    if role is not Role.merchant and merchant_id is not None:
        raise InvalidInput(f"a {role.value} user belongs to no merchant", "merchant")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"a user with the email {email} exists already", "email")
    user = User(
        email=email, role=role, name=name,
        organization_id=organization_id, partner_id=partner_id, merchant_id=merchant_id,
    )
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user, password):
    """A new password ends every session the user had opened with the old one."""
    if not password or len(password) < 8:
        raise InvalidInput("a password has at least 8 characters", "password")
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def end_sessions(user):
    user.session_version = (user.session_version or 1) + 1


def deactivate_user(user):
    """The user can no longer sign in; their sessions end and their API tokens stop working."""
    user.active = False
    end_sessions(user)
    db.session.flush()
    return user


def find_user(email):
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def authenticate(email, password):
    """The active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active or not user.password_hash:
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def create_token(user, label=""):
    """Create a token for `user`; returns (ApiToken, token). The token is not stored."""
    return keys.issue(ApiToken, label, user_id=user.id)


def user_for_token(token):
    """The active user behind a bearer token, or None (unknown, revoked, or deactivated)."""
    row = keys.find(ApiToken, token) or _token_hashed_before_0003(token)
    if row is None or not row.user.active:
        return None
    return row.user


def _token_hashed_before_0003(token):
    """The live row of a token still stored as its plain SHA-256, rehashed now; or None."""
    if not keys.is_kind(ApiToken, token):
        return None
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.key_hash == hashlib.sha256(token.encode()).hexdigest(),
        ApiToken.hash_version == PLAIN_SHA256, ApiToken.revoked_at.is_(None)))
    if row is not None:
        # In a transaction of its own: the request that presents the token may commit nothing.
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken).where(ApiToken.id == row.id, ApiToken.hash_version == PLAIN_SHA256)
                               .values(key_hash=keys.hash_key(token), hash_version=KEYED_HASH))
    return row


def revoke_token(row):
    return keys.revoke(row)


def find_tokens(prefix_or_id):
    """Live API tokens by id (digits) or by the start of the token shown in lists (`sol_...`)."""
    value = (prefix_or_id or "").strip()
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if value.isdigit():
        query = query.where(ApiToken.id == int(value))
    elif value.startswith(TOKEN_PREFIX) and len(value) > len(TOKEN_PREFIX):
        shown = value[:keys.SHOWN_CHARS]
        query = query.where(ApiToken.prefix.startswith(shown, autoescape=True))
        if len(value) > keys.SHOWN_CHARS:  # the whole token: exactly its row
            query = query.where(ApiToken.key_hash == keys.hash_key(value))
    else:
        raise InvalidInput(f"an id or the start of a token ({TOKEN_PREFIX}...)", "token")
    return db.session.scalars(query.order_by(ApiToken.id)).all()
