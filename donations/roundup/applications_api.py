"""JSON API of shops' applications (administrators): the same services as the back-office pages."""
import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.auth.access import current_user, require_roles
from app.extensions import db
from app.identifiers import format_siret
from app.pagination import PageArgs, paginate
from donations.roundup.applications import ApplicationStatus
from donations.roundup.services.applications import (
    REFUSAL_REASON_MAX,
    approve_application,
    get_application,
    list_applications,
    refuse_application,
)

bp = Blueprint("merchant_applications_api", __name__, url_prefix="/api/v1/merchant-applications",
               description="Shops' applications to join the round-up (sent from /devenir-commercant), "
                           "approved or refused by the town.")


class MerchantApplicationArgs(PageArgs):
    status = fields.String(validate=validate.OneOf([status.value for status in ApplicationStatus]))


class MerchantApplicationBeneficiaryOut(ma.Schema):
    organization = fields.Function(lambda b: b.organization.slug if b.organization_id else None, allow_none=True)
    campaign = fields.Function(lambda b: b.campaign.slug if b.campaign_id else None, allow_none=True)
    share_basis_points = fields.Integer()


class MerchantApplicationOut(ma.Schema):
    id = fields.Integer()
    status = fields.Function(lambda a: a.status.value)
    name = fields.String()
    siret = fields.String()
    siret_formatted = fields.Function(lambda a: format_siret(a.siret))
    address_line1 = fields.String()
    postal_code = fields.String()
    city = fields.String()
    contact_name = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    rounding_step_cents = fields.Integer()
    round_exact_baskets = fields.Boolean()
    top_ups_cents = fields.List(fields.Integer())
    max_roundup_cents = fields.Integer(allow_none=True)
    charter_text = fields.String()
    beneficiaries = fields.List(fields.Nested(MerchantApplicationBeneficiaryOut))
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    refusal_reason = fields.String()
    merchant = fields.Function(lambda a: a.merchant.slug if a.merchant_id else None, allow_none=True)


class MerchantApplicationRefusalIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=REFUSAL_REASON_MAX))


@bp.route("", methods=["GET"])
@require_roles("admin")
@bp.arguments(MerchantApplicationArgs, location="query")
@bp.response(200, MerchantApplicationOut(many=True))
def index(args):
    status = ApplicationStatus(args["status"]) if args.get("status") else None
    return paginate(list_applications(status), args["page"], args["per_page"])


@bp.route("/<int:application_id>", methods=["GET"])
@require_roles("admin")
@bp.response(200, MerchantApplicationOut)
def show(application_id):
    return get_application(application_id)


@bp.route("/<int:application_id>/approve", methods=["POST"])
@require_roles("admin")
@bp.response(200, MerchantApplicationOut)
def approve(application_id):
    """Create the merchant and invite its contact (role `merchant`); 409 once decided."""
    application = approve_application(application_id, by=current_user())
    db.session.commit()
    return application


@bp.route("/<int:application_id>/refuse", methods=["POST"])
@require_roles("admin")
@bp.arguments(MerchantApplicationRefusalIn)
@bp.response(200, MerchantApplicationOut)
def refuse(data, application_id):
    """Refuse with a reason, emailed to the contact; 409 once decided."""
    application = refuse_application(application_id, by=current_user(), reason=data["reason"])
    db.session.commit()
    return application
