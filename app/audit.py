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


# What the log page shows for each action code (the code stays English in the database and the API).
ACTION_LABELS = {
    "call_for_funds.issue": "Appels de fonds émis",
    "call_for_funds.received": "Appel de fonds reçu",
    "campaign.approve": "Campagne approuvée",
    "campaign.create": "Campagne créée",
    "campaign.publish": "Campagne publiée",
    "campaign.return": "Campagne renvoyée à son porteur",
    "campaign.submit": "Campagne soumise à l'examen",
    "campaign.update": "Campagne modifiée",
    "campaign.write_to_donors": "Message aux donateurs",
    "gift.offline_recorded": "Don hors ligne enregistré",
    "gift.refunded": "Don remboursé",
    "grant.record": "Subvention enregistrée",
    "merchant.create": "Commerçant créé",
    "merchant.key_issue": "Clé de commerçant créée",
    "merchant.key_revoke": "Clé de commerçant révoquée",
    "merchant.mandate_revoke": "Mandat de prélèvement révoqué",
    "merchant.mandate_sign": "Mandat de prélèvement signé",
    "merchant.update": "Commerçant modifié",
    "merchant_application.approve": "Demande de commerçant acceptée",
    "merchant_application.refuse": "Demande de commerçant refusée",
    "organization.bank_details": "Coordonnées bancaires modifiées",
    "organization.create": "Association créée",
    "organization.logo": "Logo modifié",
    "organization.signatory": "Signataire modifié",
    "organization.signature": "Signature modifiée",
    "organization.stamp": "Cachet modifié",
    "organization.update": "Association modifiée",
    "partner.create": "Partenaire créé",
    "partner.payment": "Versement de partenaire enregistré",
    "partner.update": "Partenaire modifié",
    "pledge.create": "Abondement créé",
    "pledge.pause": "Abondement suspendu",
    "pledge.resume": "Abondement repris",
    "receipt.cancelled": "Reçu annulé",
    "statement.paid": "Relevé marqué payé",
    "stripe_account.created": "Compte Stripe créé",
    "user.deactivate": "Compte désactivé",
    "user.invite": "Invitation envoyée",
    "user.password_set": "Mot de passe choisi",
    "user.reactivate": "Compte réactivé",
    "user.reinvite": "Invitation renvoyée",
}
SUBJECT_KINDS = {
    "call_for_funds": "appel de fonds", "campaign": "campagne", "donation": "don", "merchant": "commerçant",
    "merchant_application": "demande", "month": "mois", "organization": "association", "partner": "partenaire",
    "receipt": "reçu", "settlement": "relevé", "user": "compte",
}


def action_label(action) -> str:
    return ACTION_LABELS.get(action, action)


def subject_label(subject) -> str:
    """"campaign:jardin" reads "campagne jardin"."""
    kind, _, name = subject.partition(":")
    return f"{SUBJECT_KINDS[kind]} {name}" if name and kind in SUBJECT_KINDS else subject


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
