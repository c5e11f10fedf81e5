"""Which organization a back-office page is about, for the signed-in staff member."""
from flask import abort

from app.auth.access import current_user
from app.auth.models import Role
from app.errors import NotFound
from campaigns import services
from campaigns.models import Organization


def organization_in_scope(slug=None) -> Organization | None:
    """A finance officer's own organization (another one's slug: 404); for an administrator, the one
    `slug` names (404 if none has it), or None when the page must first ask which."""
    user = current_user()
    if user.role is Role.finance:
        if slug and slug != user.organization.slug:
            abort(404)
        return user.organization
    if not slug:
        return None
    try:
        return services.get_organization(slug)
    except NotFound:
        abort(404)
