"""Users of the service and their API tokens."""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.keys import BearerKey
from app.types import UTCDateTime, utcnow


class Role(str, enum.Enum):
    admin = "admin"  # the city's team: everything
    finance = "finance"  # one organization: its gifts, receipts and exports
    holder = "holder"  # one organization: its campaigns
    partner = "partner"  # one partner: its funding summaries
    merchant = "merchant"  # one merchant (a shop): its round-ups, keys and statements


ORGANIZATION_ROLES = (Role.finance, Role.holder)

# ApiToken.hash_version
PLAIN_SHA256 = 1  # a token issued before revision 0003, not used since
KEYED_HASH = 2  # app.keys.hash_key


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # A finance officer or a project holder belongs to exactly one organization, a partner user
        # to one partner, a merchant user to one merchant, an administrator to none.
        CheckConstraint(
            "(role IN ('finance', 'holder') AND organization_id IS NOT NULL AND partner_id IS NULL"
            " AND merchant_id IS NULL)"
            " OR (role = 'partner' AND partner_id IS NOT NULL AND organization_id IS NULL AND merchant_id IS NULL)"
            " OR (role = 'merchant' AND merchant_id IS NOT NULL AND organization_id IS NULL AND partner_id IS NULL)"
            " OR (role = 'admin' AND organization_id IS NULL AND partner_id IS NULL AND merchant_id IS NULL)",
            name="role_scope",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, create_constraint=True, length=20,
                                            validate_strings=True))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    # The merchants table belongs to donations.roundup: app/ names it only in the foreign key.
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Kept in each signed-in session: a new password (or a deactivation) changes it, which ends every
    # session opened before (app.auth.access.current_user).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization = relationship("Organization", lazy="joined")
    partner = relationship("Partner", lazy="joined")

    def __repr__(self):
        return f"<User {self.email} {self.role.value}>"

    @property
    def is_admin(self):
        return self.role is Role.admin


class ApiToken(BearerKey, db.Model):
    """A staff member's API token (`sol_...`): a bearer key of app.keys, owned by a user."""

    __tablename__ = "api_tokens"
    KIND = "sol_"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # How key_hash was made. Tokens issued before revision 0003 kept a plain SHA-256 of the token, which
    # cannot be turned into the keyed hash without the token itself: such a row is found by its SHA-256
    # and rehashed the first time its token is used (app.auth.services.user_for_token).
    hash_version: Mapped[int] = mapped_column(default=KEYED_HASH)

    user: Mapped[User] = relationship(lazy="joined")


class LinkPurpose(str, enum.Enum):
    invitation = "invitation"  # a new account: choose your first password
    password_reset = "password_reset"  # "mot de passe oublié"


class LoginLink(db.Model):
    """A single-use, expiring link emailed to choose a password (app.auth.invitations).

    Only the keyed hash of its token is kept (app.keys.hash_key): the database alone opens nothing.
    """

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(Enum(LinkPurpose, native_enum=False, create_constraint=True,
                                                      length=20, validate_strings=True))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
