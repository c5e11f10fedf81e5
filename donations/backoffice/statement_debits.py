"""The statements' SEPA debits in the back office: a panel of the /gestion home for finance officers (their
organization's debits in progress or refused) and administrators (all of them), and the merchant's mandates
on its back-office page (/gestion/commercants/<slug>, through the Jinja global `merchant_mandates`)."""
from app.auth.models import Role
from app.backoffice import add_home_panel
from donations.roundup.debit_models import DebitStatus
from donations.roundup.services import debits, mandates

OPEN = (DebitStatus.processing, DebitStatus.failed)


def _still_due(debit) -> bool:
    """A refused debit matters until the organization's lines of that statement are paid (by a transfer)."""
    return debit.status is DebitStatus.processing or any(
        line.paid_on is None for line in debit.settlement.lines if line.recipient_organization_id == debit.organization_id)


def _context(user):
    organization_id = user.organization_id if user.role is Role.finance else None
    found = debits.debits_of(organization_id=organization_id, statuses=OPEN, limit=20)
    return {"debits": [debit for debit in found if _still_due(debit)], "by_organization": organization_id is None}


def register(app):
    add_home_panel(app, "donations/backoffice/debits_panel.html", [Role.finance, Role.admin], context=_context,
                   order=45)
    app.jinja_env.globals["merchant_mandates"] = lambda merchant: mandates.mandates_of(merchant.id)
