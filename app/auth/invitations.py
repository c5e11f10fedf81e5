"""Links by email to choose a password: staff invitations and "mot de passe oublié".

A link is single-use and expires (INVITATION_LINK_HOURS, PASSWORD_RESET_LINK_MINUTES); only the keyed
hash of its token is stored (app.keys.hash_key). Plain functions used by the pages, the CLI and the
other packages' back-office pages (which invite their own staff through `invite_user`).
"""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from app import keys
from app.audit import record_action
from app.auth.models import LinkPurpose, LoginLink, Role, User
from app.auth.services import create_user, find_user, set_password
from app.errors import Conflict, DomainError
from app.extensions import db
from app.formatting import format_moment
from app.mail import make_message, send_after_commit
from app.types import utcnow

LINK_PATH = "/mot-de-passe/"

ROLE_NAMES = {
    Role.admin: "membre de l'équipe de la Ville",
    Role.finance: "trésorier ou trésorière",
    Role.holder: "porteur de projet",
    Role.partner: "référent du partenaire",
    Role.merchant: "commerçant",
}


class LinkRefused(DomainError):
    """The link cannot be used: `reason` is "unknown", "used" or "expired" (the page says which)."""

    status = 410
    type_slug = "link-refused"
    title = "This link cannot be used"

    def __init__(self, reason):
        super().__init__(f"this link is {reason}", "token")
        self.reason = reason


def link_url(token):
    return current_app.config["PUBLIC_URL"].rstrip("/") + LINK_PATH + token


def _lifetime(purpose):
    if purpose is LinkPurpose.invitation:
        return timedelta(hours=current_app.config["INVITATION_LINK_HOURS"])
    return timedelta(minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"])


def issue_link(user, purpose) -> tuple[LoginLink, str]:
    """A new link for `user`; the user's older unused links stop working. Returns (row, token): the
    token is not stored, this is the one time it exists."""
    purpose = LinkPurpose(purpose)
    db.session.execute(delete(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None)))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginLink(user_id=user.id, purpose=purpose, token_hash=keys.hash_key(token), created_at=now,
                    expires_at=now + _lifetime(purpose))
    db.session.add(row)
    db.session.flush()
    return row, token


def _scope_name(user):
    thing = user.organization or user.partner
    if thing is not None:
        return f" pour {thing.name}"
    return ""


def send_invitation(user, invited_by=None) -> str:
    """Issue an invitation link for `user` and queue its email (sent once the transaction commits).
    Returns the link (the CLI prints it)."""
    row, token = issue_link(user, LinkPurpose.invitation)
    url = link_url(token)
    inviter = (invited_by.name or invited_by.email) if invited_by is not None else "L'équipe de la Ville"
    body = (
        f"Bonjour{' ' + user.name if user.name else ''},\n\n"
        f"{inviter} vous ouvre un compte sur l'espace de gestion de Solidaire, en tant que "
        f"{ROLE_NAMES[user.role]}{_scope_name(user)}.\n\n"
        f"Choisissez votre mot de passe en suivant ce lien :\n{url}\n\n"
        f"Le lien sert une seule fois et jusqu'au {format_moment(row.expires_at)}. Passé ce délai, "
        "demandez une nouvelle invitation, ou un nouveau lien depuis « Mot de passe oublié ? » sur la page de "
        "connexion.\n\nVotre identifiant est cette adresse e-mail.\n"
    )
    send_after_commit(db.session, make_message(user.email, "Votre compte Solidaire : choisissez votre mot de passe",
                                               body))
    return url


def invite_user(email, role, *, organization_id=None, partner_id=None, merchant_id=None, name="",
                invited_by=None) -> User:
    """Create a user without a password (or take back one invited earlier who has none yet) and email
    them a link to choose it; the invitation is written to the action log. Conflict if the address
    belongs to someone who has a password, or to an invited user of another role or scope."""
    existing = find_user(email)
    if existing is None:
        user = create_user(email, role, organization_id=organization_id, partner_id=partner_id,
                           merchant_id=merchant_id, name=name)
        action = "user.invite"
    else:
        same_place = (existing.role.value == Role(role).value and existing.organization_id == organization_id
                      and existing.partner_id == partner_id and existing.merchant_id == merchant_id)
        if existing.password_hash or not same_place:
            raise Conflict(f"a user with the email {existing.email} exists already", "email")
        if not existing.active:
            raise Conflict(f"the user {existing.email} is deactivated; reactivate them first", "email")
        user = existing
        if name:
            user.name = name
        action = "user.reinvite"
    send_invitation(user, invited_by)
    record_action(invited_by, action, f"user:{user.email}", f"{user.role.value}{_scope_name(user)}")
    return user


def request_password_reset(email) -> None:
    """Email a link to choose a new password to the active user with this address. Says nothing
    either way: the page answers the same whether the address is known or not."""
    user = find_user(email)
    if user is None or not user.active:
        return
    row, token = issue_link(user, LinkPurpose.password_reset)
    body = (
        f"Bonjour{' ' + user.name if user.name else ''},\n\n"
        "Quelqu'un, sans doute vous, a demandé à changer le mot de passe de votre compte Solidaire.\n\n"
        f"Choisissez un nouveau mot de passe en suivant ce lien :\n{link_url(token)}\n\n"
        f"Le lien sert une seule fois et jusqu'au {format_moment(row.expires_at)}. Si vous n'avez rien "
        "demandé, ignorez ce message : votre mot de passe actuel reste valable.\n"
    )
    send_after_commit(db.session, make_message(user.email, "Solidaire : choisir un nouveau mot de passe", body))


def link_for(token) -> LoginLink:
    """The live link behind `token`; LinkRefused saying why not (unknown, used, expired)."""
    row = db.session.scalar(select(LoginLink).where(LoginLink.token_hash == keys.hash_key(token or "")))
    if row is None or not row.user.active:
        raise LinkRefused("unknown")
    if row.used_at is not None:
        raise LinkRefused("used")
    if row.expires_at <= utcnow():
        raise LinkRefused("expired")
    return row


def set_password_with_link(token, password) -> User:
    """Set the password of the link's user and spend the link (once, even if two requests race); their
    other sessions end (app.auth.services.set_password). Returns the user, to sign them in."""
    row = link_for(token)
    user = row.user
    set_password(user, password)  # InvalidInput before the link is spent: the user may try again
    spent = db.session.execute(update(LoginLink).where(LoginLink.id == row.id, LoginLink.used_at.is_(None))
                               .values(used_at=utcnow()))
    if spent.rowcount != 1:
        raise LinkRefused("used")
    db.session.execute(delete(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None)))
    record_action(user, "user.password_set", f"user:{user.email}",
                  "invitation" if row.purpose is LinkPurpose.invitation else "mot de passe oublié")
    db.session.flush()
    return user
