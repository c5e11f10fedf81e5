"""Request and response shapes of the round-up API (merchants, checkout, statements)."""
from decimal import Decimal

import marshmallow as ma
from flask import g
from marshmallow import fields, validate

from app.extensions import db
from app.fields import Cents, Count, Day, Instant
from app.identifiers import clean_siret, format_siret
from app.text import SLUG_RE
from campaigns.models import Campaign
from donations.roundup.models import SettlementStatus
from donations.roundup.services.debits import debit_for
from donations.roundup.services.payments import payments_due


def _valid_siret(value):
    try:
        clean_siret(value)
    except ValueError as error:
        raise ma.ValidationError(str(error))


class BeneficiaryIn(ma.Schema):
    organization = fields.String(validate=validate.Length(max=80))
    campaign = fields.String(validate=validate.Length(max=80))
    share_percent = fields.Decimal(required=True, places=2, as_string=False,
                                   validate=validate.Range(min=Decimal("0.01"), max=Decimal("100")))

    @ma.validates_schema
    def one_target(self, data, **kwargs):
        if "share_percent" not in data:  # even in a PATCH (partial load): each beneficiary has its share
            raise ma.ValidationError("Missing data for required field.", "share_percent")
        if bool(data.get("organization")) == bool(data.get("campaign")):
            raise ma.ValidationError("give either an organization or a campaign slug", "organization")

    @ma.validates("share_percent")
    def whole_hundredths(self, value, **kwargs):
        if value != value.quantize(Decimal("0.01")):
            raise ma.ValidationError("at most two decimals")

    @ma.post_load
    def to_basis_points(self, data, **kwargs):
        data["share_basis_points"] = int(data.pop("share_percent") * 100)
        return data


class MerchantIn(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    slug = fields.String(validate=[validate.Length(max=80), validate.Regexp(SLUG_RE)])
    siret = fields.String(required=True, validate=_valid_siret)
    address_line1 = fields.String(required=True, validate=validate.Length(min=2, max=200))
    postal_code = fields.String(required=True, validate=validate.Regexp(r"^\d{5}$", error="5 digits"))
    city = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email()
    rounding_step_cents = Cents(max=100_000)
    round_exact_baskets = fields.Boolean()
    top_ups_cents = fields.List(Cents(max=100_000), validate=validate.Length(max=5))
    max_roundup_cents = Cents(allow_none=True)
    match_ratio_percent = Count(max=1000)
    match_monthly_cap_cents = Cents(min=0, allow_none=True)
    active = fields.Boolean()
    beneficiaries = fields.List(fields.Nested(BeneficiaryIn), required=True, validate=validate.Length(min=1, max=10))


class MerchantPatch(MerchantIn):
    """Any subset of the fields; use with `partial=True`."""


class BeneficiaryOut(ma.Schema):
    kind = fields.Function(lambda b: "organization" if b.organization_id else "campaign")
    organization = fields.Function(lambda b: b.organization.slug if b.organization_id else None, allow_none=True)
    campaign = fields.Function(lambda b: _campaign_slug(b.campaign_id) if b.campaign_id else None, allow_none=True)
    share_basis_points = fields.Integer()
    share_percent = fields.Function(lambda b: f"{b.share_basis_points / 100:.2f}")


def _campaign_slug(campaign_id):
    return db.session.get(Campaign, campaign_id).slug


class MerchantOut(ma.Schema):
    slug = fields.String()
    name = fields.String()
    siret = fields.String()
    siret_formatted = fields.Function(lambda m: format_siret(m.siret))
    address_line1 = fields.String()
    postal_code = fields.String()
    city = fields.String()
    email = fields.String()
    rounding_step_cents = fields.Integer()
    round_exact_baskets = fields.Boolean()
    top_ups_cents = fields.List(fields.Integer())
    max_roundup_cents = fields.Integer(allow_none=True)
    match_ratio_percent = fields.Integer()
    match_monthly_cap_cents = fields.Integer(allow_none=True)
    active = fields.Boolean()
    beneficiaries = fields.List(fields.Nested(BeneficiaryOut))
    created_at = fields.DateTime()


class KeyIn(ma.Schema):
    label = fields.String(load_default="", validate=validate.Length(max=100))
    kind = fields.String(load_default="api", validate=validate.OneOf(["api", "till"]), metadata={
        "description": "api (default: everything a checkout may do) or till (a device at the counter: "
                       "quote, record, void, today's count and total)"})


class KeyOut(ma.Schema):
    id = fields.Integer()
    prefix = fields.String()
    kind = fields.Function(lambda key: getattr(key.kind, "value", key.kind))
    label = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class KeyCreatedOut(KeyOut):
    key = fields.String(metadata={"description": "Shown once: only its hash is stored."})


class MerchantCreatedOut(MerchantOut):
    key = fields.Nested(KeyCreatedOut)


class QuoteIn(ma.Schema):
    basket_cents = Cents(required=True, min=0, max=10_000_000)


class QuoteOption(ma.Schema):
    roundup_cents = fields.Integer()
    total_cents = fields.Integer()


class QuoteOut(ma.Schema):
    basket_cents = fields.Integer()
    roundup_cents = fields.Integer()
    total_cents = fields.Integer()
    options = fields.List(fields.Nested(QuoteOption))


class RoundupIn(ma.Schema):
    # Types and storable bounds; the service checks the merchant's rule, the email and the time, for both paths.
    external_id = fields.String(required=True)
    basket_cents = Cents(required=True, min=0)
    roundup_cents = Cents(required=True, min=0)
    occurred_at = Instant(load_default=None)
    donor_email = fields.String(load_default=None, allow_none=True)
    payment_method = fields.String(load_default="card", metadata={"description": "card (default) or cash"})


class RoundupOut(ma.Schema):
    external_id = fields.String()
    basket_cents = fields.Integer()
    roundup_cents = fields.Integer()
    total_cents = fields.Function(lambda r: r.basket_cents + r.roundup_cents)
    occurred_at = fields.DateTime()
    payment_method = fields.Function(lambda r: getattr(r.payment_method, "value", r.payment_method))
    status = fields.String()
    created_at = fields.DateTime()


class VoidOut(RoundupOut):
    adjustment = fields.Boolean(metadata={"description": "True when the round-up was settled already: "
                                                         "it is given back on the next statement."})


class ClaimOut(ma.Schema):
    claim_url = fields.String(metadata={"description": "opened by the customer's phone; works once, then expires"})
    qr_svg = fields.String(metadata={"description": "the URL as a QR code (SVG) for the till's screen"})
    expires_at = fields.DateTime()


class TodayOut(ma.Schema):
    day = fields.Date()
    roundup_count = fields.Integer()
    roundups_cents = fields.Integer()


class TillRule(ma.Schema):
    rounding_step_cents = fields.Integer()
    round_exact_baskets = fields.Boolean()
    top_ups_cents = fields.List(fields.Integer())
    max_roundup_cents = fields.Integer(allow_none=True)
    rule_version = fields.Integer()


class TillSetupOut(ma.Schema):
    merchant = fields.Dict(metadata={"description": "slug and name"})
    rule = fields.Nested(TillRule, metadata={"description": "the rounding rule, for the till to compute "
                                                               "round-ups offline as POST /roundups/quote does"})
    beneficiaries = fields.List(fields.String())
    key_kind = fields.String()
    today = fields.Nested(TodayOut)


class BatchIn(ma.Schema):
    roundups = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=10_000))


class Rejected(ma.Schema):
    index = fields.Integer()
    errors = fields.Dict()


class BatchOut(ma.Schema):
    accepted = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.List(fields.Nested(Rejected))


class SummaryArgs(ma.Schema):
    date_from = Day(data_key="from")
    date_to = Day(data_key="to")


class SummaryDay(ma.Schema):
    day = fields.Date()
    roundup_count = fields.Integer()
    roundups_cents = fields.Integer()


class SummaryBeneficiary(ma.Schema):
    name = fields.String()
    kind = fields.String()
    share_basis_points = fields.Integer()
    roundups_cents = fields.Integer()


class SummaryOut(ma.Schema):
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    roundup_count = fields.Integer()
    roundups_cents = fields.Integer()
    days = fields.List(fields.Nested(SummaryDay))
    beneficiaries = fields.List(fields.Nested(SummaryBeneficiary))


class SettlementArgs(ma.Schema):
    month = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="YYYY-MM"))
    page = Count(min=1, strict=False, load_default=1)
    per_page = Count(min=1, max=100, strict=False, load_default=20)


class SettlementLineOut(ma.Schema):
    label = fields.String()
    kind = fields.Function(lambda line: "campaign" if line.campaign_id else "organization")
    share_basis_points = fields.Integer()
    amount_cents = fields.Integer()
    match_cents = fields.Integer(metadata={"description": "the merchant's own gift within amount_cents"})
    paid_on = fields.Date(allow_none=True, metadata={"description": "the day the merchant's transfer arrived"})


class PaymentDueOut(ma.Schema):
    """What the statement owes one organization: the transfer the merchant makes to it."""

    organization = fields.Function(lambda due: {"slug": due.organization.slug, "name": due.organization.name})
    amount_cents = fields.Integer()
    match_cents = fields.Integer(metadata={"description": "the merchant's own gift within amount_cents"})
    iban = fields.Function(lambda due: due.organization.bank_iban, allow_none=True)
    iban_formatted = fields.String()
    bic = fields.Function(lambda due: due.organization.bank_bic, allow_none=True)
    account_holder = fields.Function(lambda due: due.organization.bank_account_holder, allow_none=True)
    reference = fields.String(metadata={"description": "ISO 11649 creditor reference to put on the transfer"})
    reference_formatted = fields.String()
    status = fields.String(metadata={"description": "due, paid or nothing_due"})
    paid_on = fields.Date(allow_none=True)
    debit = fields.Function(lambda due: _debit(due), allow_none=True, metadata={
        "description": "the SEPA debit collecting it when the merchant signed a mandate for this organization: "
                       "status (processing, succeeded, failed), amount_cents, failure_reason, created_at; "
                       "null when none was started"})


def _debit(due):
    debit = debit_for(due.settlement.id, due.organization.id)
    if debit is None:
        return None
    return {"status": debit.status.value, "amount_cents": debit.amount_cents, "failure_reason": debit.failure_reason,
            "created_at": debit.created_at.isoformat()}


class SettlementOut(ma.Schema):
    id = fields.Integer()
    merchant = fields.Function(lambda s: {"slug": s.merchant.slug, "name": s.merchant.name})
    month = fields.Function(lambda s: s.month_label)
    status = fields.Enum(SettlementStatus)
    roundup_count = fields.Integer()
    roundups_cents = fields.Integer()
    match_cents = fields.Integer()
    adjustment_count = fields.Integer()
    adjustments_cents = fields.Integer()
    carried_in_cents = fields.Integer()
    carry_out_cents = fields.Integer()
    total_cents = fields.Integer()
    created_at = fields.DateTime()
    paid_at = fields.DateTime(allow_none=True)
    lines = fields.Method("visible_lines")

    def visible_lines(self, settlement):
        # A beneficiary's finance officer reads its own share of a statement, not the others'.
        only = g.get("settlement_organization_id")
        lines = [line for line in settlement.lines if only is None or line.recipient_organization_id == only]
        return SettlementLineOut(many=True).dump(lines)

    payments = fields.Method("visible_payments", metadata={
        "description": "one transfer per beneficiary organization: amount, bank details, reference, status"})

    def visible_payments(self, settlement):
        return PaymentDueOut(many=True).dump(payments_due(settlement, g.get("settlement_organization_id")))
