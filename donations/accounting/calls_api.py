"""JSON API of partners' calls for funds: issue a month's calls, read them (JSON, CSV, PDF), mark received."""
from datetime import datetime

import marshmallow as ma
from flask import Response, abort
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.audit import record_action
from app.auth.access import current_user, require_roles
from app.auth.models import Role
from app.banking import format_iban, format_reference
from app.downloads import attachment
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.fields import Cents, Day
from app.pagination import PageArgs, paginate
from campaigns import services
from campaigns.models import CallForFunds, PartnerPaymentMethod
from donations.accounting import documents

bp = Blueprint("calls_for_funds", __name__, url_prefix="/api/v1/calls-for-funds", template_folder="templates",
               description="Partners' monthly calls for funds: what each partner transfers to each association.")

MONTH = validate.Regexp(r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", error="YYYY-MM, from 2000-01 to 2100-12")


def _month(value):
    return datetime.strptime(value, "%Y-%m").date() if value else None


class IssueIn(ma.Schema):
    month = fields.String(required=True, validate=MONTH)
    partner = fields.String(validate=validate.Length(min=1, max=80), metadata={"description": "one partner only"})


class CallArgs(PageArgs):
    month = fields.String(validate=MONTH)
    received = fields.Boolean()


class ReceivedIn(ma.Schema):
    received_on = Day(required=True, metadata={"description": "the day the transfer reached the association"})
    amount_cents = Cents(metadata={"description": "what arrived (default: the amount called)"})
    method = fields.Enum(PartnerPaymentMethod, load_default=PartnerPaymentMethod.transfer)


def _organization(call):
    o = call.campaign.organization
    return {"slug": o.slug, "name": o.name, "iban": o.bank_iban, "iban_formatted": format_iban(o.bank_iban),
            "bic": o.bank_bic, "account_holder": o.bank_account_holder}


class CallOut(ma.Schema):
    id = fields.Integer()
    month = fields.String(attribute="month_label")
    partner = fields.Function(lambda c: {"slug": c.partner.slug, "name": c.partner.name})
    campaign = fields.Function(lambda c: {"slug": c.campaign.slug, "title": c.campaign.title})
    organization = fields.Function(_organization)
    earlier_cents = fields.Integer(metadata={"description": "still owed from before the month"})
    month_cents = fields.Integer(metadata={"description": "the month's matches and grants, net of reversals"})
    amount_cents = fields.Integer(metadata={"description": "what the partner is asked to transfer"})
    reference = fields.Function(lambda c: services.call_reference(c))
    reference_formatted = fields.Function(lambda c: format_reference(services.call_reference(c)))
    issued_at = fields.DateTime()
    received_on = fields.Function(lambda c: c.payment.received_on.isoformat() if c.payment else None)
    received_cents = fields.Function(lambda c: c.payment.amount_cents if c.payment else None)


def _scope(user) -> dict:
    """What the caller may read: everything (admin), its partner's calls, its organization's."""
    if user.is_admin:
        return {}
    if user.role is Role.partner:
        return {"partner_id": user.partner_id or -1}
    return {"organization_id": user.organization_id or -1}


def _readable(call_id) -> CallForFunds:
    call = db.session.scalar(services.calls_for(**_scope(current_user())).where(CallForFunds.id == call_id))
    if call is None:
        raise NotFound(f"no call for funds {call_id}")
    return call


@bp.route("", methods=["POST"])
@require_roles("admin")
@bp.arguments(IssueIn)
@bp.response(200, CallOut(many=True))
def issue(data):
    """Issue the month's calls (for every partner, or one): a call already issued is left as it is."""
    partner = services.get_partner(data["partner"]) if data.get("partner") else None
    calls = services.issue_calls(_month(data["month"]), partner)
    db.session.commit()
    return calls


@bp.route("", methods=["GET"])
@require_roles("admin", "finance", "partner")
@bp.arguments(CallArgs, location="query")
@bp.response(200, CallOut(many=True))
def list_calls(args):
    query = services.calls_for(month=_month(args.get("month")), received=args.get("received"),
                               **_scope(current_user()))
    return paginate(query, args["page"], args["per_page"])


@bp.route("/export.csv", methods=["GET"])
@require_roles("admin", "finance", "partner")
@bp.arguments(CallArgs, location="query")
@bp.response(200, content_type="text/csv")
def export_csv(args):
    month = _month(args.get("month"))
    calls = db.session.scalars(services.calls_for(month=month, received=args.get("received"),
                                                  **_scope(current_user()))).all()
    return attachment(documents.calls_csv(calls), f"appels-de-fonds{'-' + args['month'] if month else ''}.csv")


@bp.route("/<int:call_id>", methods=["GET"])
@require_roles("admin", "finance", "partner")
@bp.response(200, CallOut)
def get_call(call_id):
    return _readable(call_id)


@bp.route("/<int:call_id>.csv", methods=["GET"])
@require_roles("admin", "finance", "partner")
@bp.response(200, content_type="text/csv")
def call_csv(call_id):
    call = _readable(call_id)
    return attachment(documents.calls_csv([call]), f"{documents.call_filename(call)}.csv")


@bp.route("/<int:call_id>.pdf", methods=["GET"])
@require_roles("admin", "finance", "partner")
@bp.response(200, content_type="application/pdf")
def call_pdf(call_id):
    call = _readable(call_id)
    return Response(documents.call_pdf(call), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{documents.call_filename(call)}.pdf"'})


@bp.route("/<int:call_id>/received", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(ReceivedIn)
@bp.response(200, CallOut)
def mark_received(data, call_id):
    """The partner's transfer arrived: recorded as the partner's payment (POST /partners/{slug}/payments
    does the same) with the call's reference, allocated to its matches and grants and receipted. The
    association's finance officers and administrators; a replay with the same values changes nothing."""
    user = current_user()
    if user.role is Role.partner:
        abort(403)
    call = _readable(call_id)
    if data["received_on"] < call.month:
        raise InvalidInput("received_on is before the month called", "received_on")
    call, created = services.mark_call_received(call, received_on=data["received_on"],
                                                amount_cents=data.get("amount_cents"), method=data["method"].value)
    if created:
        record_action(user, "call_for_funds.received", f"call_for_funds:{call.id}",
                      f"{call.partner.slug} {call.payment.amount_cents} c le {call.payment.received_on:%d/%m/%Y}")
    db.session.commit()
    return call


def init_app(app):
    from app.extensions import (
        api,  # a registration on this app: only when the factory asks
    )

    api.register_blueprint(bp)
