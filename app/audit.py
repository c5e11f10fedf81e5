"""The log of administrative actions: who did what, to what, and when — kept in the database.

Staff writes made through the back office or the API call `record_action` in the same transaction as
the change itself, so a rolled-back change leaves no line and a committed one always has its line.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, utcnow


class AdminAction(db.Model):
    __tablename__ = "admin_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # SET NULL: the line outlives a deleted user; the email copied beside it still says who it was.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(80))  # e.g. "campaign.approve", "user.invite"
    subject: Mapped[str] = mapped_column(String(200))  # what it acted on, e.g. "campaign:jardin-partage"
    detail: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User")


def subject_of(thing) -> str:
    """`kind:slug` (or `kind:id`) for a model instance; a string is taken as it is."""
    if isinstance(thing, str):
        return thing
    kind = getattr(thing, "__tablename__", type(thing).__name__.lower()).rstrip("s")
    return f"{kind}:{getattr(thing, 'slug', None) or getattr(thing, 'id', '?')}"


def record_action(user, action, subject, detail="") -> AdminAction:
    """Add a line to the log in the current transaction (committed or rolled back with the change)."""
    row = AdminAction(user_id=getattr(user, "id", None), user_email=getattr(user, "email", "") or "système",
                      action=action, subject=subject_of(subject)[:200], detail=detail or "")
    db.session.add(row)
    return row


def recent_actions(*, limit=50, offset=0, action_prefix=None):
    """The latest lines first, and how many there are in all."""
    query = select(AdminAction)
    if action_prefix:
        query = query.where(AdminAction.action.startswith(action_prefix, autoescape=True))
    total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(AdminAction.at.desc(), AdminAction.id.desc())
                              .limit(limit).offset(offset)).all()
    return rows, total
