"""Staff accounts as the back office manages them: who they are, deactivating and reactivating them.

Each change is written to the action log (app.audit) in the same transaction.
"""
from sqlalchemy import select

from app.audit import record_action
from app.auth.models import User
from app.auth.services import deactivate_user, end_sessions
from app.errors import Conflict
from app.extensions import db


def staff_list(*, organization_id=None, partner_id=None, merchant_id=None):
    """Users by role then address; only the given organization's, partner's or merchant's when one is named."""
    query = select(User)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if partner_id is not None:
        query = query.where(User.partner_id == partner_id)
    if merchant_id is not None:
        query = query.where(User.merchant_id == merchant_id)
    return db.session.scalars(query.order_by(User.role, User.email)).all()


def deactivate(user, by):
    """`user` can no longer sign in (sessions and API tokens end at once). An administrator cannot
    deactivate themselves: the town would risk being left with no one to run the service."""
    if by is not None and user.id == by.id:
        raise Conflict("you cannot deactivate your own account", "user")
    if not user.active:
        return user
    deactivate_user(user)
    record_action(by, "user.deactivate", f"user:{user.email}", user.role.value)
    return user


def reactivate(user, by):
    """`user` may sign in again, with the password they had (or through a new link if they had none)."""
    if user.active:
        return user
    user.active = True
    end_sessions(user)
    db.session.flush()
    record_action(by, "user.reactivate", f"user:{user.email}", user.role.value)
    return user

