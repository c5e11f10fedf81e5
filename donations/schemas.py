"""Request and response shapes of the donations API."""
import marshmallow as ma
from marshmallow import fields, validate

from app.fields import Cents, Day, Id
from donations.models import DonationStatus, DonorType, PaymentMethod, ReceiptChoice

Text = lambda n, **kw: fields.String(validate=validate.Length(max=n), **kw)  # noqa: E731


class DonorIn(ma.Schema):
    donor_type = fields.Enum(DonorType, load_default=DonorType.individual)
    receipt_choice = fields.Enum(ReceiptChoice, load_default=ReceiptChoice.per_gift)
    first_name = Text(120)
    last_name = Text(120)
    email = fields.Email(validate=validate.Length(max=254))
    address_line1 = Text(200)
    address_line2 = Text(200)
    postal_code = Text(10)
    city = Text(120)
    country = Text(80)
    company_name = Text(200)
    company_legal_form = Text(120)
    company_siren = Text(20)
    anonymous = fields.Boolean(load_default=False)
    public_message = Text(500)


class GiftIn(DonorIn):
    amount_cents = Cents(required=True)
    reward_tier_id = Id(allow_none=True)
    monthly = fields.Boolean(load_default=False)
    payment_method_type = fields.String(load_default="card", validate=validate.OneOf(["card", "sepa_debit"]), metadata={
        "description": "sepa_debit: a SEPA Direct Debit (monthly gifts, or one-off from SEPA_ONE_OFF_MIN_CENTS); "
                       "the gift stays pending while the bank processes it"})
    news_consent = fields.Boolean(load_default=False, metadata={
        "description": "the donor agrees to receive the project's news by email (withdrawn by each email's link)"})


class GiftStartedOut(ma.Schema):
    id = fields.Integer()
    status = fields.Enum(DonationStatus)
    amount_cents = fields.Integer()
    monthly = fields.Boolean()
    kind = fields.String(metadata={"description": "setup_intent before the card is saved, payment_intent after"})
    client_secret = fields.String()
    token = fields.String(metadata={"description": "the donor's signed access to this gift"})
    thanks_url = fields.String()


class ConfirmIn(ma.Schema):
    token = fields.String(required=True)
    payment_method = fields.String(validate=validate.Length(max=255))


class ConfirmOut(ma.Schema):
    id = fields.Integer()
    status = fields.String()
    payment_status = fields.String(allow_none=True)
    client_secret = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)


class TokenArgs(ma.Schema):
    token = fields.String()


class DonationOut(ma.Schema):
    id = fields.Integer()
    status = fields.Enum(DonationStatus)
    campaign = fields.Function(lambda d: d.campaign.slug)
    amount_cents = fields.Integer()
    refunded_cents = fields.Integer()
    remaining_cents = fields.Integer()
    donor_type = fields.Enum(DonorType)
    donor_name = fields.String()
    email = fields.String()
    anonymous = fields.Boolean()
    public_message = fields.String()
    receipt_choice = fields.Enum(ReceiptChoice)
    reward_tier_id = fields.Integer(allow_none=True)
    tier_fair_value_cents = fields.Integer()
    monthly = fields.Boolean()
    recurring_of_id = fields.Integer(allow_none=True)
    payment_method = fields.Enum(PaymentMethod)
    payment_reference = fields.String()
    paid_on = fields.Date(allow_none=True)
    failure_reason = fields.String()
    created_at = fields.DateTime()


class RefundIn(ma.Schema):
    amount_cents = Cents(metadata={"description": "all that remains when omitted"})


class RefundOut(ma.Schema):
    id = fields.Integer()
    amount_cents = fields.Integer()
    reason = fields.Function(lambda r: r.reason.value)
    status = fields.Function(lambda r: r.status.value)
    stripe_refund_id = fields.String(allow_none=True)
    donation = fields.Function(lambda r: DonationOut().dump(r.donation))


class OfflineGiftIn(DonorIn):
    campaign = fields.String(required=True, validate=validate.Length(max=80))
    amount_cents = Cents(required=True)
    payment_method = fields.Enum(PaymentMethod, required=True)
    paid_on = Day(required=True)
    reference = Text(120)
