"""Request and response shapes of the organizations, partners and campaigns API."""
from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from app.banking import ACCOUNT_HOLDER_MAX, clean_bic, clean_iban, format_iban
from app.fields import Cents, Count, Day, Id, Instant
from app.identifiers import clean_rna, clean_siren, format_siren
from app.text import SLUG_RE
from app.pagination import PageArgs
from campaigns.services.campaigns import days_left
from campaigns.services.pledges import list_pledges, partner_shares
from campaigns.models import (CampaignCategory, CampaignStatus, FundingModel, OrganizationCategory, PartnerKind,
                              PartnerPaymentMethod, ReceiptRegime)


def _checked(cleaner):
    def check(value):
        try:
            cleaner(value)
        except ValueError as error:
            raise ma.ValidationError(str(error))
    return check


def clean_financial_year_end(value):
    """`MM-DD`, a day that exists every year (29 February does not)."""
    try:
        if len(value) != 5 or value[2] != "-":
            raise ValueError
        date(2001, int(value[:2]), int(value[3:]))
    except ValueError:
        raise ValueError("a day of the year as MM-DD, e.g. 12-31 or 06-30") from None
    return value


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
    financial_year_end = fields.String(validate=_checked(clean_financial_year_end), metadata={
        "description": "the day the financial year closes, MM-DD (default 12-31): the period of the "
                       "article 222 bis figures"})
    bank_iban = fields.String(allow_none=True, validate=_checked(clean_iban), metadata={
        "description": "the account merchants and partners transfer to (with bank_account_holder)"})
    bank_bic = fields.String(allow_none=True, validate=_checked(clean_bic))
    bank_account_holder = fields.String(allow_none=True, validate=validate.Length(max=ACCOUNT_HOLDER_MAX))

    @ma.validates_schema
    def has_identifier(self, data, partial=False, **kwargs):
        if not partial and not data.get("siren") and not data.get("rna"):
            raise ma.ValidationError("give a SIREN or an RNA number", "siren")


class OrganizationPatch(OrganizationIn):
    """Any subset of the fields; use with `partial=True`."""


class BankDetailsIn(ma.Schema):
    """An organization's bank details, replaced whole (an empty BIC is none)."""

    iban = fields.String(required=True, validate=_checked(clean_iban),
                         metadata={"description": "with or without spaces: stored compact"})
    bic = fields.String(load_default=None, allow_none=True,
                        validate=lambda v: v in ("", None) or _checked(clean_bic)(v))
    account_holder = fields.String(required=True, validate=validate.Length(min=2, max=ACCOUNT_HOLDER_MAX))


class OrganizationOut(ma.Schema):
    slug = fields.String()
    name = fields.String()
    legal_form = fields.String()
    siren = fields.String(allow_none=True)
    siren_formatted = fields.Function(lambda o: format_siren(o.siren), allow_none=True)
    rna = fields.String(allow_none=True)
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
    financial_year_end = fields.String()
    has_signature = fields.Function(lambda o: o.signature_png is not None)
    has_stamp = fields.Function(lambda o: o.stamp_png is not None)
    has_logo = fields.Function(lambda o: o.logo_png is not None)
    bank_iban = fields.String(allow_none=True)
    bank_iban_formatted = fields.Function(lambda o: format_iban(o.bank_iban), metadata={
        "description": "the IBAN grouped by four, as printed"})
    bank_bic = fields.String(allow_none=True)
    bank_account_holder = fields.String(allow_none=True)
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


class PartnerPatch(ma.Schema):
    """A partner's identity as its receipts print it; a company's SIREN may be completed here."""

    name = fields.String(validate=validate.Length(min=2, max=200))
    siren = fields.String(validate=_checked(clean_siren))
    legal_form = fields.String(validate=validate.Length(max=120))
    address_line1 = fields.String(validate=validate.Length(max=200))
    postal_code = fields.String(validate=validate.Regexp(r"^(\d{5})?$", error="5 digits"))
    city = fields.String(validate=validate.Length(max=120))
    website = fields.URL(validate=validate.Length(max=300))


class PartnerPaymentIn(ma.Schema):
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=80))
    amount_cents = Cents(required=True)
    received_on = Day(required=True, metadata={"description": "the day the money was received"})
    method = fields.Enum(PartnerPaymentMethod, required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200),
                              metadata={"description": "the bank's or the cheque's reference: a replay records nothing"})


class PartnerPaymentLineOut(ma.Schema):
    contribution_id = fields.Integer()
    amount_cents = fields.Integer()


class PartnerPaymentOut(ma.Schema):
    id = fields.Integer()
    partner = fields.Function(lambda p: p.partner.slug)
    campaign = fields.Function(lambda p: p.campaign.slug)
    amount_cents = fields.Integer()
    received_on = fields.Date()
    method = fields.Enum(PartnerPaymentMethod)
    reference = fields.String()
    recorded_at = fields.DateTime()
    contributions = fields.List(fields.Nested(PartnerPaymentLineOut))


class PartnerOut(ma.Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.Enum(PartnerKind)
    siren = fields.String(allow_none=True)
    legal_form = fields.String()
    address_line1 = fields.String()
    postal_code = fields.String()
    city = fields.String()
    website = fields.String()
    created_at = fields.DateTime()


# --- Campaigns -------------------------------------------------------------------------------------

class TierIn(ma.Schema):
    id = Id()
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    description = fields.String(validate=validate.Length(max=2000))
    min_amount_cents = Cents(required=True)
    quantity_limit = Count(min=1, allow_none=True)
    fair_value_cents = Cents(min=0, max=10**10)


class StretchGoalIn(ma.Schema):
    amount_cents = Cents(required=True)
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    description = fields.String(validate=validate.Length(max=2000))


class CampaignIn(ma.Schema):
    organization = fields.String(metadata={"description": "organization slug; a holder's own by default"})
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    slug = Slug()
    summary = fields.String(validate=validate.Length(max=500))
    description = fields.String(validate=validate.Length(max=50_000), metadata={"description": "Markdown"})
    commune = fields.String(required=True, validate=validate.Length(min=1, max=120))
    insee_code = fields.String(required=True, validate=validate.Regexp(r"^(\d{5}|2[AB]\d{3})$",
                                                                     error="5 characters (2A/2B for Corsica)"))
    category = fields.Enum(CampaignCategory, required=True)
    goal_cents = Cents(required=True)
    min_gift_cents = Cents()
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    funding_model = fields.Enum(FundingModel, required=True)
    tiers = fields.List(fields.Nested(TierIn), validate=validate.Length(max=50))
    stretch_goals = fields.List(fields.Nested(StretchGoalIn), validate=validate.Length(max=20))

    @ma.validates_schema
    def ends_after_start(self, data, **kwargs):
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ma.ValidationError("the campaign ends after it starts", "ends_at")


class CampaignPatch(CampaignIn):
    """Any subset of the fields (use with `partial=True`); `tiers`, when given, is the full list."""

    class Meta:
        exclude = ("organization",)


class CampaignFilters(PageArgs):
    status = fields.Enum(CampaignStatus)
    territory = fields.String(validate=validate.Length(max=120), metadata={"description": "INSEE code or commune"})
    category = fields.Enum(CampaignCategory)
    q = fields.String(validate=validate.Length(max=200))


class TierOut(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    min_amount_cents = fields.Integer()
    quantity_limit = fields.Integer(allow_none=True)
    claimed_count = fields.Integer()
    remaining = fields.Integer(allow_none=True)
    fair_value_cents = fields.Integer()


class StretchGoalOut(ma.Schema):
    amount_cents = fields.Integer()
    title = fields.String()
    description = fields.String()


def _totals(campaign):
    return {"raised_cents": campaign.raised_cents,
            "by_source": {source: getattr(campaign, f"{source}_cents")
                          for source in ("online", "offline", "company", "roundup", "match", "grant")},
            "partners_cents": campaign.partners_cents}


class CampaignOut(ma.Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    description = fields.String(attribute="description_md")
    description_html = fields.String()
    status = fields.Enum(CampaignStatus)
    funding_model = fields.Enum(FundingModel)
    category = fields.Enum(CampaignCategory)
    commune = fields.String()
    insee_code = fields.String()
    organization = fields.Function(lambda c: {"slug": c.organization.slug, "name": c.organization.name})
    goal_cents = fields.Integer()
    min_gift_cents = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    totals = fields.Function(_totals)
    donor_count = fields.Integer()
    percent = fields.Integer()
    days_left = fields.Function(days_left)
    cover_url = fields.Function(lambda c: f"/campagnes/{c.slug}/couverture" if c.has_cover else None,
                                allow_none=True)
    tiers = fields.List(fields.Nested(TierOut))
    stretch_goals = fields.List(fields.Nested(StretchGoalOut))


class PledgeIn(ma.Schema):
    partner = fields.String(required=True, metadata={"description": "partner slug"})
    ratio_numerator = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    ratio_denominator = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    per_gift_cap_cents = Cents(allow_none=True)
    total_cap_cents = Cents(required=True)
    max_gifts_per_donor = Count(min=1, allow_none=True)


class PledgePatch(ma.Schema):
    active = fields.Boolean(required=True)


class PledgeOut(ma.Schema):
    id = fields.Integer()
    partner = fields.Function(lambda p: {"slug": p.partner.slug, "name": p.partner.name, "kind": p.partner.kind.value})
    ratio_numerator = fields.Integer()
    ratio_denominator = fields.Integer()
    per_gift_cap_cents = fields.Integer(allow_none=True)
    total_cap_cents = fields.Integer()
    max_gifts_per_donor = fields.Integer(allow_none=True)
    matched_cents = fields.Integer()
    matched_gift_count = fields.Integer()
    remaining_cents = fields.Integer()
    active = fields.Boolean()


class PartnerShareOut(ma.Schema):
    partner = fields.Function(lambda e: {"slug": e["partner"].slug, "name": e["partner"].name})
    matched_cents = fields.Integer()
    granted_cents = fields.Integer()


class CampaignDetailOut(CampaignOut):
    partners = fields.Function(lambda c: PartnerShareOut(many=True).dump(partner_shares(c)))
    pledges = fields.Function(lambda c: PledgeOut(many=True).dump(list_pledges(c)))


class GrantIn(ma.Schema):
    partner = fields.String(required=True)
    amount_cents = Cents(required=True)
    reference = fields.String(validate=validate.Length(min=1, max=200))


class GrantOut(ma.Schema):
    id = fields.Integer()
    partner = fields.Function(lambda c: c.partner and c.partner.slug, allow_none=True)
    amount_cents = fields.Integer()
    reversed_cents = fields.Integer()
    reference = fields.String(allow_none=True)
    created_at = fields.DateTime()


class NewsIn(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20_000), metadata={"description": "Markdown"})


class NewsOut(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    body_html = fields.String()
    published_at = fields.DateTime()
