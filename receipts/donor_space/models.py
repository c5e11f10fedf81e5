"""The donor space's own rows: single-use sign-in links, and the record of each erasure a donor asked for."""
from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.types import UTCDateTime, utcnow


class DonorSignInLink(db.Model):
    """A link emailed to a donor. Only the keyed hash of its token is stored (app.keys.hash_key): a
    copy of the table opens nothing. It works once (`used_at`) and until `expires_at`."""

    __tablename__ = "donor_sign_in_links"
    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DonorErasure(db.Model):
    """That a donor asked for their data to be erased, and what was erased and kept: the proof the
    request was answered (RGPD art. 12 and 17), without keeping the email (only its keyed hash)."""

    __tablename__ = "donor_erasures"
    __table_args__ = (CheckConstraint("gifts_erased >= 0 AND gifts_kept >= 0 AND receipts_kept >= 0",
                                      name="counts_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gifts_erased: Mapped[int] = mapped_column(Integer)
    gifts_kept: Mapped[int] = mapped_column(Integer)
    receipts_kept: Mapped[int] = mapped_column(Integer)
