"""Bearer keys: secrets a client sends as `Authorization: Bearer <key>`, of which only a keyed hash is kept.

Staff API tokens (`sol_...`, app.auth) and merchant checkout keys (`mk_...`, donations.roundup) are both
bearer keys. The prefix of a key says its kind, to its holder and to the code that routes a request;
everything else is done here, once: the hash, what is shown of a key in lists, issuing, finding and
revoking.

Each kind keeps its own table, made of the columns of `BearerKey` and a required foreign key to its
owner. Two tables rather than one: the owner is never NULL and is deleted with its keys, and the
checkout's hot path proves a merchant key inside its INSERT with one join, merchant_keys to merchants,
by (key_hash, revoked_at IS NULL) — a single statement that one shared table would only make wider.
"""
import hashlib
import hmac
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime, utcnow

# The start of a key kept in clear, so that its holder can tell their keys apart in a list.
SHOWN_CHARS = 12


def hash_key(key: str) -> str:
    """HMAC-SHA256 of the key under the pepper, in hex: what is stored and looked up."""
    # Keys carry 256 random bits: a keyed hash is enough (no slow password hash), which keeps the
    # checkout's hot path fast. The pepper stays out of the database, so a stolen table of hashes
    # opens nothing.
    pepper = current_app.config.get("KEY_PEPPER") or current_app.config["SECRET_KEY"]
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


class BearerKey:
    """The columns of a table of bearer keys; the model adds `KIND` and its owner's foreign key."""

    KIND = ""  # the key's own prefix, e.g. "mk_"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first SHOWN_CHARS characters of the key
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def is_kind(model, key) -> bool:
    """Whether `key` looks like a key of `model`'s kind (its prefix); says nothing of its validity."""
    return bool(key) and key.startswith(model.KIND)


def issue(model, label="", **owner):
    """A new key of `model`'s kind for `owner`; returns (row, key). The key itself is not stored:
    this is the one time it is shown."""
    key = model.KIND + secrets.token_urlsafe(32)
    row = model(key_hash=hash_key(key), prefix=key[:SHOWN_CHARS], label=(label or "")[:100], **owner)
    db.session.add(row)
    db.session.flush()
    return row, key


def find(model, key):
    """The unrevoked row of `model` behind `key`, or None."""
    key = (key or "").strip()
    if not is_kind(model, key):
        return None
    return db.session.scalar(select(model).where(model.key_hash == hash_key(key), model.revoked_at.is_(None)))


def revoke(row) -> BearerKey:
    """Revoke a key at once; revoking again keeps the first time."""
    row.revoked_at = row.revoked_at or utcnow()
    db.session.flush()
    return row
