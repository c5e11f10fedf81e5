"""JSON API of the organizations' own Stripe accounts (Connect): create the account, an onboarding link,
read where it stands; and the payouts Stripe made to the organization's bank, reconciled."""
import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.audit import record_action
from app.auth.access import current_user, ensure_organization, require_roles
from app.extensions import db
from campaigns import services as campaigns
from donations.services import accounts, payouts

bp = Blueprint("stripe_accounts", __name__, url_prefix="/api/v1",
               description="Organizations' own Stripe accounts: their gifts are charged there.")


class AccountOut(ma.Schema):
    organization = fields.String(attribute="slug")
    stripe_account_id = fields.String(allow_none=True)
    charges_enabled = fields.Boolean()
    payouts_enabled = fields.Boolean()
    details_submitted = fields.Boolean()
    takes_payments = fields.Boolean(metadata={"description": "gifts may start and campaigns be published"})


class LinkIn(ma.Schema):
    return_url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=500), metadata={
        "description": "where Stripe sends the treasurer back (default: the service's back office)"})
    refresh_url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=500), metadata={
        "description": "where an expired or used link leads (default: return_url)"})


class LinkOut(ma.Schema):
    url = fields.String(metadata={"description": "Stripe's onboarding, single use"})
    expires_at = fields.Integer(metadata={"description": "Unix time; a few minutes"})


class PayoutLineOut(ma.Schema):
    balance_transaction = fields.String()
    kind = fields.String(metadata={"description": "gift, refund, dispute, fee or other"})
    type = fields.String(metadata={"description": "Stripe's balance transaction type"})
    amount_cents = fields.Integer()
    fee_cents = fields.Integer(metadata={"description": "Stripe's fee on this line"})
    net_cents = fields.Integer()
    created_on = fields.Date()
    source = fields.String(allow_none=True)
    donation_id = fields.Integer(allow_none=True)
    donor = fields.String(allow_none=True, metadata={"description": "none for an anonymous gift"})
    campaign = fields.String(allow_none=True)
    receipts = fields.List(fields.String(), metadata={"description": "numbers of the receipts of the gift"})


class PayoutOut(ma.Schema):
    id = fields.String()
    amount_cents = fields.Integer(metadata={"description": "what reached the organization's bank"})
    currency = fields.String()
    status = fields.String()
    arrival_on = fields.Date()
    created_on = fields.Date()
    gifts_cents = fields.Integer()
    fees_cents = fields.Integer()
    refunds_cents = fields.Integer()
    disputes_cents = fields.Integer()
    other_cents = fields.Integer()
    net_cents = fields.Integer(metadata={"description": "sum of the lines' net amounts"})
    ties = fields.Boolean(metadata={"description": "net_cents equals amount_cents"})
    unmatched = fields.Integer(metadata={"description": "lines of no gift of ours"})
    lines = fields.List(fields.Nested(PayoutLineOut))


class PayoutsArgs(ma.Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=payouts.MAX_PAYOUTS))


@bp.route("/organizations/<slug>/payouts", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(PayoutsArgs, location="query")
@bp.response(200, PayoutOut(many=True))
def list_payouts(args, slug):
    """Stripe's payouts to the organization's bank, newest first, each line matched to its gift and the
    gift's receipts; the lines' net amounts add up to the payout (`ties`)."""
    organization = campaigns.get_organization(slug)
    ensure_organization(current_user(), organization.id)
    return payouts.payouts(organization, limit=args["limit"])


@bp.route("/organizations/<slug>/stripe-account", methods=["POST"])
@require_roles("admin")
@bp.response(200, AccountOut)
@bp.alt_response(201, schema=AccountOut, description="the account was created")
def create_account(slug):
    """Create the organization's Standard connected account (once: a repeat returns it as it is)."""
    organization, created = accounts.create_account(campaigns.get_organization(slug))
    if created:
        record_action(current_user(), "stripe_account.created", organization, organization.stripe_account_id)
    db.session.commit()
    return organization, 201 if created else 200


@bp.route("/organizations/<slug>/stripe-account", methods=["GET"])
@require_roles("admin", "finance")
@bp.response(200, AccountOut)
def read_account(slug):
    organization = campaigns.get_organization(slug)
    ensure_organization(current_user(), organization.id)
    return organization


@bp.route("/organizations/<slug>/stripe-account/link", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(LinkIn)
@bp.response(201, LinkOut)
def onboarding_link(data, slug):
    """A link to Stripe's onboarding for the organization's treasurer (admins and its finance officers)."""
    organization = campaigns.get_organization(slug)
    ensure_organization(current_user(), organization.id)
    back = data.get("return_url") or f"{current_app.config['PUBLIC_URL'].rstrip('/')}/gestion"
    return accounts.onboarding_link(organization, return_url=back, refresh_url=data.get("refresh_url") or back)
