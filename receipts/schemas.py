"""Request and response shapes of the receipts API."""
import marshmallow as ma
from marshmallow import fields, validate

from app.fields import MAX_CENTS, Cents, Day, Year
from app.pagination import PageArgs


class ReceiptListArgs(PageArgs):
    organization = fields.String(validate=validate.Length(max=80))
    year = Year()
    status = fields.String(validate=validate.OneOf(["issued", "cancelled"]))
    kind = fields.String(validate=validate.OneOf(["single", "annual"]))
    q = fields.String(validate=validate.Length(max=100))


class YearArgs(ma.Schema):
    organization = fields.String(validate=validate.Length(max=80))
    year = Year(required=True)


class DeclarationArgs(ma.Schema):
    year = Year(required=True)


class DonorLinkArgs(ma.Schema):
    token = fields.String(validate=validate.Length(max=500))


class CancelIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class AnnualIn(ma.Schema):
    organization = fields.String(required=True, validate=validate.Length(max=80))
    year = Year(required=True)


class AnnualOut(ma.Schema):
    organization = fields.String()
    year = fields.Integer()
    issued = fields.Integer()
    complementary = fields.Integer(metadata={"description": "of those issued, complementary receipts: money "
                                                            "of the year received after the donor's receipt"})
    already_issued = fields.Integer(metadata={"description": "donors whose receipts already cover all their money"})
    waiting_for_address = fields.Integer(metadata={"description": "round-up donors who have not yet given "
                                                                  "the name and address a receipt needs"})


class ReceiptGiftOut(ma.Schema):
    donation_id = fields.Integer()
    amount_cents = fields.Integer()


class ReceiptOut(ma.Schema):
    number = fields.String()
    organization = fields.Function(lambda r: r.organization.slug)
    year = fields.Integer()
    sequence = fields.Integer()
    kind = fields.Function(lambda r: r.kind.value)
    status = fields.Function(lambda r: r.status.value)
    donor_type = fields.String()
    cerfa = fields.Function(lambda r: f"{r.form_number}*{r.form_version}")
    article = fields.String()
    donor_name = fields.String()
    donor_email = fields.String()
    donor = fields.Dict()
    amount_cents = fields.Integer(metadata={"description": "what earns the reduction: gifts minus rewards"})
    gift_cents = fields.Integer()
    counterpart_cents = fields.Integer()
    roundup_cents = fields.Integer()
    paid_on = fields.Date(allow_none=True)
    gift_year = fields.Integer(allow_none=True)
    payment_method = fields.String()
    issued_on = fields.Date()
    issued_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancelled_by = fields.String(allow_none=True)
    replaces = fields.Function(lambda r: r.replaces.number if r.replaces_id else None, allow_none=True)
    replaced_by = fields.Function(lambda r: r.replaced_by.number if r.replaced_by_id else None, allow_none=True)
    pdf_sha256 = fields.String()
    gifts = fields.List(fields.Nested(ReceiptGiftOut))


class ArticleFigures(ma.Schema):
    count = fields.Integer()
    total_cents = fields.Integer()


class DeclarationForm(ma.Schema):
    form = fields.String(metadata={"description": "2065-SD, 2070-SD or démarches-simplifiées"})
    where = fields.String(metadata={"description": "where on it the figures go (or the online form's address)"})
    who = fields.String(metadata={"description": "which organizations file it"})


class DeclarationFigures(ma.Schema):
    amount_eur = fields.Integer(metadata={"description": "total_cents rounded to the nearest euro, as typed"})
    count = fields.Integer()


class DeclarationOut(ma.Schema):
    organization = fields.String()
    year = fields.Integer(metadata={"description": "the year in which the financial year closes"})
    period_start = fields.Date(metadata={"description": "first day of the financial year"})
    period_end = fields.Date(metadata={"description": "its closing day (financial_year_end)"})
    calendar_year = fields.Boolean()
    closed = fields.Boolean(metadata={"description": "whether the financial year has ended"})
    count = fields.Integer(metadata={"description": "receipts, cancelled ones excluded, for money received in "
                                                    "the period, whatever their date of issue"})
    total_cents = fields.Integer()
    by_article = fields.Dict(keys=fields.String(), values=fields.Nested(ArticleFigures))
    cancelled_count = fields.Integer()
    to_declare = fields.Nested(DeclarationFigures)
    deadline = fields.Date(metadata={"description": "article 223 CGI: three months after the closing; the "
                                                   "second working day after 1 May for a 31 December closing"})
    forms = fields.List(fields.Nested(DeclarationForm))


class TaxReductionArgs(ma.Schema):
    amount_cents = Cents(required=True, strict=False)
    donor_type = fields.String(load_default="individual", validate=validate.OneOf(["individual", "company"]))
    organization = fields.String(validate=validate.Length(max=80))
    taxable_income_cents = fields.Integer(validate=validate.Range(min=0, max=10**14))
    turnover_cents = fields.Integer(validate=validate.Range(min=0, max=10**15))
    date = Day(metadata={"description": "the gift's date, whose rules apply (default: today, "
                                                "Europe/Paris)"})
    counterpart_cents = Cents(min=0, max=MAX_CENTS, strict=False, load_default=0,
                                       metadata={"description": "the fair value of the chosen reward, "
                                                                "deducted as the receipt deducts it"})


class TaxReductionOut(ma.Schema):
    amount_cents = fields.Integer()
    counterpart_cents = fields.Integer()
    eligible_cents = fields.Integer(metadata={"description": "what the receipt carries: the gift minus its "
                                                             "reward's value (0 when the reward is too large)"})
    reduction_cents = fields.Integer(metadata={"description": "rounded down to the cent"})
    net_cost_cents = fields.Integer()
    carry_forward_cents = fields.Integer(metadata={"description": "the part of the gift beyond the income or "
                                                                  "turnover limit, carried forward five years"})
    rate_percent = fields.Integer(metadata={"description": "the rate applied to what counts this year (a "
                                                           "blended rate, rounded down, when two rates apply)"})
    rule_date = fields.Date(metadata={"description": "the day whose rules were applied"})
    legal_reference = fields.String()
    notes = fields.List(fields.String(), metadata={"description": "what the donor should know, in French"})


class ReceiptRequestOut(ma.Schema):
    """A row of the issuing queue (what a gift, a partner's payment or a merchant's top-up asked for)."""
    id = fields.Integer()
    action = fields.Function(lambda r: r.action.value)
    outcome = fields.String(allow_none=True)
    created_at = fields.DateTime()
    processed_at = fields.DateTime(allow_none=True)
    set_aside_at = fields.DateTime(allow_none=True, metadata={
        "description": "when its processing failed; null once retried (the next run takes it again)"})
    error = fields.String(allow_none=True, metadata={"description": "why it was set aside"})
