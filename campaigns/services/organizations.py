"""Organizations and partners: create, update, look up."""
from sqlalchemy import Select, select

from app.errors import Conflict
from app.extensions import db
from app.identifiers import clean_rna, clean_siren
from app.lookups import get_by_slug, unique_slug
from campaigns.models import Organization, Partner

ORGANIZATION_FIELDS = {
    "name", "slug", "legal_form", "siren", "rna", "address_line1", "address_line2", "postal_code",
    "city", "objet", "category", "receipt_regime", "signatory_name", "signatory_title", "email",
    "website", "financial_year_end",
}
PARTNER_FIELDS = {"name", "slug", "kind", "siren", "legal_form", "address_line1", "postal_code", "city", "website"}


def _normalise_identifiers(values):
    if values.get("siren"):
        values["siren"] = clean_siren(values["siren"])
    if values.get("rna"):
        values["rna"] = clean_rna(values["rna"])


def create_organization(**values) -> Organization:
    values = {k: v for k, v in values.items() if k in ORGANIZATION_FIELDS and v is not None}
    _normalise_identifiers(values)
    values["slug"] = unique_slug(Organization, values.get("slug"), values["name"])
    organization = Organization(**values)
    db.session.add(organization)
    db.session.flush()
    return organization


def update_organization(organization, **values) -> Organization:
    values = {k: v for k, v in values.items() if k in ORGANIZATION_FIELDS}
    _normalise_identifiers(values)
    if "slug" in values:
        values["slug"] = unique_slug(Organization, values["slug"], organization.name, organization.id)
    for name, value in values.items():
        setattr(organization, name, value)
    if not organization.siren and not organization.rna:
        raise Conflict("an organization keeps a SIREN or an RNA number", "siren")
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
