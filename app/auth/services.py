"""Users, passwords and tokens: plain functions for the CLI, the pages and the tests."""
import hashlib
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ORGANIZATION_ROLES, ApiToken, Role, User
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.types import utcnow

TOKEN_PREFIX = "sol_"


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough: no password hash needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(email, role, *, organization_id=None, partner_id=None, password=None, name=""):
    """Create a user; an organization for finance and holder users, a partner for partner users."""
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
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"a user with the email {email} exists already", "email")
    user = User(
        email=email, role=role, name=name,
        organization_id=organization_id, partner_id=partner_id,
    )
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user, password):
    if not password or len(password) < 8:
        raise InvalidInput("a password has at least 8 characters", "password")
    user.password_hash = generate_password_hash(password)


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
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), prefix=token[:12], label=label)
    db.session.add(row)
    db.session.flush()
    return row, token


def user_for_token(token):
    """The active user behind a bearer token, or None (unknown, revoked, or deactivated)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


def revoke_token(row):
    row.revoked_at = row.revoked_at or utcnow()
