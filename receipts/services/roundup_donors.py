"""Round-up donors' identities: the name and address their annual receipt will carry."""
from sqlalchemy import select

from app.errors import InvalidInput
from app.extensions import db
from receipts.models import Receipt, RoundupDonor

IDENTITY_FIELDS = ("first_name", "last_name", "address_line1", "address_line2", "postal_code", "city")
REQUIRED = ("first_name", "last_name", "address_line1", "city")


def get_roundup_donor(email: str) -> RoundupDonor | None:
    return db.session.scalar(select(RoundupDonor).where(RoundupDonor.email == email))


def identity_locked(email: str) -> bool:
    """Once a receipt carries the identity, it is frozen there; later changes would not match it."""
    return db.session.scalar(select(Receipt.id).where(Receipt.donor_email == email).limit(1)) is not None


def save_roundup_identity(email: str, values: dict) -> RoundupDonor:
    """Record (or correct, until a receipt carries it) the identity of a round-up donor.

    Raises InvalidInput naming every missing or malformed field (French messages, shown beside the
    fields). A frozen identity is returned unchanged. The caller commits.
    """
    values = {name: (values.get(name) or "").strip()[:200] for name in IDENTITY_FIELDS}
    errors = {name: ["Ce champ est obligatoire sur un reçu fiscal."] for name in REQUIRED if not values[name]}
    if not (values["postal_code"].isdigit() and len(values["postal_code"]) == 5):
        errors["postal_code"] = ["Indiquez un code postal à 5 chiffres."]
    if errors:
        raise InvalidInput("a receipt needs the donor's name and address", errors=errors)
    profile = get_roundup_donor(email)
    if profile is None:
        profile = RoundupDonor(email=email, **values)
        db.session.add(profile)
    elif not identity_locked(email):
        for name, value in values.items():
            setattr(profile, name, value)
    db.session.flush()
    return profile
