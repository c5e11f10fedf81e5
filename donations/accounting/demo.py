"""Demo data of the accounting: each demo organization's (fictitious) bank account, and the partners'
calls for funds of the month just ended."""
from sqlalchemy import select
from stdnum import iban

from app.extensions import db
from app.formatting import local_today
from campaigns.models import Organization
from campaigns.services import issue_calls, set_bank_details

DEMO_BANK = "30003"  # a bank code shaped like a French one; the accounts below are fictitious


def _fictitious_iban(number: int) -> str:
    """A French IBAN that passes the checks (RIB key, then IBAN check digits) for a made-up account."""
    branch, account = "01234", f"{number:011d}"
    key = 97 - (89 * int(DEMO_BANK) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{DEMO_BANK}{branch}{account}{key:02d}"
    return f"FR{iban.calc_check_digits('FR00' + bban)}{bban}"


def load_bank_details():
    organizations = db.session.scalars(select(Organization).where(Organization.bank_iban.is_(None))
                                       .order_by(Organization.id)).all()
    for organization in organizations:
        set_bank_details(organization, iban=_fictitious_iban(organization.id), account_holder=organization.name[:70])
    return []


def load_calls_for_funds():
    first = local_today().replace(day=1)
    month = first.replace(year=first.year - (first.month == 1), month=(first.month - 2) % 12 + 1)
    issue_calls(month)
    return []
