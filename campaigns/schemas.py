"""Request and response shapes of the organizations and partners API."""
import marshmallow as ma
from marshmallow import fields, validate

from app.identifiers import clean_rna, clean_siren, format_siren
from app.text import SLUG_RE
from campaigns.models import OrganizationCategory, PartnerKind, ReceiptRegime


def _checked(cleaner):
    def check(value):
        try:
            cleaner(value)
        except ValueError as error:
            raise ma.ValidationError(str(error))
    return check


Slug = lambda **kw: fields.String(validate=[validate.Length(max=80), validate.Regexp(SLUG_RE, error="lower-case letters, digits and dashes only")], **kw)  # noqa: E731


class OrganizationIn(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    slug = Slug()
    legal_form = fields.String(required=True, validate=validate.Length(min=2, max=120))
    siren = fields.String(allow_none=True, validate=_checked(clean_siren))
    rna = fields.String(allow_none=True, validate=_checked(clean_rna))
    address_line1 = fields.String(required=True, validate=validate.Length(min=2, max=200))
    address_line2 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(required=True, validate=validate.Regexp(r"^\d{5}$", error="5 digits"))
    city = fields.String(required=True, validate=validate.Length(min=1, max=120))
    objet = fields.String(required=True, validate=validate.Length(min=10, max=2000))
    category = fields.Enum(OrganizationCategory)
    receipt_regime = fields.Enum(ReceiptRegime, required=True)
    signatory_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    signatory_title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    email = fields.Email()
    website = fields.URL(validate=validate.Length(max=300))

    @ma.validates_schema
    def has_identifier(self, data, partial=False, **kwargs):
        if not partial and not data.get("siren") and not data.get("rna"):
            raise ma.ValidationError("give a SIREN or an RNA number", "siren")


class OrganizationPatch(OrganizationIn):
    """Any subset of the fields; use with `partial=True`."""


class OrganizationOut(ma.Schema):
    slug = fields.String()
    name = fields.String()
    legal_form = fields.String()
    siren = fields.String()
    siren_formatted = fields.Function(lambda o: format_siren(o.siren))
    rna = fields.String()
    address_line1 = fields.String()
    address_line2 = fields.String()
    postal_code = fields.String()
    city = fields.String()
    objet = fields.String()
    category = fields.Enum(OrganizationCategory)
    receipt_regime = fields.Enum(ReceiptRegime)
    signatory_name = fields.String()
    signatory_title = fields.String()
    email = fields.String()
    website = fields.String()
    created_at = fields.DateTime()


class PartnerIn(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    slug = Slug()
    kind = fields.Enum(PartnerKind, required=True)
    siren = fields.String(allow_none=True, validate=_checked(clean_siren))
    legal_form = fields.String(validate=validate.Length(max=120))
    address_line1 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(validate=validate.Regexp(r"^(\d{5})?$", error="5 digits"))
    city = fields.String(validate=validate.Length(max=120))
    website = fields.URL(validate=validate.Length(max=300))

    @ma.validates_schema
    def company_has_siren(self, data, **kwargs):
        if data.get("kind") is PartnerKind.company and not data.get("siren"):
            raise ma.ValidationError("a company partner needs its SIREN", "siren")


class PartnerOut(ma.Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.Enum(PartnerKind)
    siren = fields.String()
    legal_form = fields.String()
    address_line1 = fields.String()
    postal_code = fields.String()
    city = fields.String()
    website = fields.String()
    created_at = fields.DateTime()
