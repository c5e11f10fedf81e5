"""Organizations and partners: create, update, look up."""
from flask import current_app
from sqlalchemy import Select, select

from app.banking import ACCOUNT_HOLDER_MAX, clean_bic, clean_iban
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.identifiers import clean_rna, clean_siren
from app.images import as_png, check_image
from app.lookups import get_by_slug, unique_slug
from campaigns.models import Organization, Partner

ORGANIZATION_FIELDS = {
    "name", "slug", "legal_form", "siren", "rna", "address_line1", "address_line2", "postal_code",
    "city", "objet", "category", "receipt_regime", "signatory_name", "signatory_title", "email",
    "website", "financial_year_end", "bank_iban", "bank_bic", "bank_account_holder",
}
BANK_FIELDS = ("bank_iban", "bank_bic", "bank_account_holder")
PARTNER_FIELDS = {"name", "slug", "kind", "siren", "legal_form", "address_line1", "postal_code", "city", "website"}


def _normalise_identifiers(values):
    if values.get("siren"):
        values["siren"] = clean_siren(values["siren"])
    if values.get("rna"):
        values["rna"] = clean_rna(values["rna"])


def _normalise_bank_details(values):
    """IBAN and BIC compacted and checked, the holder's name trimmed; an empty value clears it."""
    for name, cleaner in (("bank_iban", clean_iban), ("bank_bic", clean_bic)):
        if name in values:
            try:
                values[name] = cleaner(values[name]) if values[name] else None
            except ValueError as error:
                raise InvalidInput(str(error), name)
    if "bank_account_holder" in values:
        holder = " ".join((values["bank_account_holder"] or "").split())
        if len(holder) > ACCOUNT_HOLDER_MAX:
            raise InvalidInput(f"the account holder's name is {ACCOUNT_HOLDER_MAX} characters at most",
                               "bank_account_holder")
        values["bank_account_holder"] = holder or None


def _check_bank_details(organization):
    if bool(organization.bank_iban) != bool(organization.bank_account_holder):
        missing = "bank_account_holder" if organization.bank_iban else "bank_iban"
        raise InvalidInput("bank details need both the IBAN and the account holder's name", missing)
    if organization.bank_bic and not organization.bank_iban:
        raise InvalidInput("a BIC goes with an IBAN", "bank_iban")


def create_organization(**values) -> Organization:
    values = {k: v for k, v in values.items() if k in ORGANIZATION_FIELDS and v is not None}
    _normalise_identifiers(values)
    _normalise_bank_details(values)
    values["slug"] = unique_slug(Organization, values.get("slug"), values["name"])
    organization = Organization(**values)
    _check_bank_details(organization)
    db.session.add(organization)
    db.session.flush()
    return organization


def update_organization(organization, **values) -> Organization:
    values = {k: v for k, v in values.items() if k in ORGANIZATION_FIELDS}
    _normalise_identifiers(values)
    _normalise_bank_details(values)
    if "slug" in values:
        values["slug"] = unique_slug(Organization, values["slug"], organization.name, organization.id)
    for name, value in values.items():
        setattr(organization, name, value)
    if not organization.siren and not organization.rna:
        raise Conflict("an organization keeps a SIREN or an RNA number", "siren")
    _check_bank_details(organization)
    db.session.flush()
    return organization


def set_bank_details(organization, *, iban, bic=None, account_holder) -> Organization:
    """The account merchants and partners pay the organization on (all three replaced at once).
    Administrators and the organization's finance officers; the caller records who changed it."""
    return update_organization(organization, bank_iban=iban, bank_bic=bic or None, bank_account_holder=account_holder)


# The images an organization's staff upload, and the column each is kept in (as PNG): the signature is
# printed on every receipt (none is issued without it), the stamp beside it, the logo in the header.
IMAGE_COLUMNS = {"signature": "signature_png", "stamp": "stamp_png", "logo": "logo_png"}
IMAGE_NAMES = {"signature": "the signature image", "stamp": "the stamp image", "logo": "the logo"}
IMAGE_FORMATS = ("PNG", "JPEG")
IMAGE_MAX_PIXELS = 4000 * 4000


def set_organization_image(organization, kind: str, data: bytes) -> Organization:
    """Check an uploaded signature, stamp or logo (PNG or JPEG, by its content) and keep it as PNG."""
    if kind not in IMAGE_COLUMNS:
        raise InvalidInput(f"an organization has no {kind!r} image", "kind")
    check_image(data, kind, formats=IMAGE_FORMATS, max_bytes=current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"],
                max_pixels=IMAGE_MAX_PIXELS, what=IMAGE_NAMES[kind])
    setattr(organization, IMAGE_COLUMNS[kind], as_png(data))
    db.session.flush()
    return organization


def remove_organization_image(organization, kind: str) -> Organization:
    if kind not in IMAGE_COLUMNS:
        raise InvalidInput(f"an organization has no {kind!r} image", "kind")
    setattr(organization, IMAGE_COLUMNS[kind], None)
    db.session.flush()
    return organization


def get_organization(slug) -> Organization:
    return get_by_slug(Organization, slug, "organization")


def list_organizations() -> Select:
    return select(Organization).order_by(Organization.name)


def create_partner(**values) -> Partner:
    values = {k: v for k, v in values.items() if k in PARTNER_FIELDS and v is not None}
    _normalise_identifiers(values)
    values["slug"] = unique_slug(Partner, values.get("slug"), values["name"])
    partner = Partner(**values)
    db.session.add(partner)
    db.session.flush()
    return partner


def get_partner(slug) -> Partner:
    return get_by_slug(Partner, slug, "partner")


def list_partners() -> Select:
    return select(Partner).order_by(Partner.name)
