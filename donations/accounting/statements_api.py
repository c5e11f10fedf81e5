"""JSON API: what each round-up statement owes each association, and marking a transfer received."""
import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint

from app.audit import record_action
from app.auth.access import current_user, require_roles
from app.auth.models import Role
from app.errors import NotFound
from app.extensions import db
from app.fields import Day
from campaigns.services import get_organization
from donations.roundup import services
from donations.roundup.access import require_statement_reader, statement_scope
from donations.roundup.models import Settlement
from donations.roundup.schemas import PaymentDueOut

bp = Blueprint("statement_payments", __name__, url_prefix="/api/v1/settlements",
               description="Each statement's transfers: one per beneficiary organization, to its own account.")


class PaidIn(ma.Schema):
    paid_on = Day(required=True, metadata={"description": "the day the transfer reached the organization's account"})


def _readable(settlement_id) -> Settlement:
    settlement = db.session.scalar(services.settlements_for(**statement_scope()).where(Settlement.id == settlement_id))
    if settlement is None:
        raise NotFound(f"no statement {settlement_id}")
    return settlement


@bp.route("/<int:settlement_id>/payments", methods=["GET"])
@require_statement_reader
@bp.response(200, PaymentDueOut(many=True))
def list_payments(settlement_id):
    """The transfers the merchant makes: to each organization, its amount, bank details and reference
    (a finance officer sees its own organization's only)."""
    settlement = _readable(settlement_id)
    return services.payments_due(settlement, g.get("settlement_organization_id"))


@bp.route("/<int:settlement_id>/payments/<organization>/paid", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(PaidIn)
@bp.response(200, PaymentDueOut)
def mark_paid(data, settlement_id, organization):
    """The merchant's transfer reached the organization on `paid_on`: its lines are paid, the receipts
    they bring follow, and the statement is paid once nothing else is due. Administrators and the
    organization's finance officers; the same day again changes nothing."""
    user = current_user()
    target = get_organization(organization)
    if not (user.is_admin or (user.role is Role.finance and user.organization_id == target.id)):
        abort(404)
    settlement = services.get_settlement(settlement_id)
    due, changed = services.mark_organization_paid(settlement, target.id, data["paid_on"])
    if changed:
        record_action(user, "statement.paid", f"settlement:{settlement.id}",
                      f"{target.slug} {due.amount_cents} c le {data['paid_on']:%d/%m/%Y}")
    db.session.commit()
    return due


def init_app(app):
    from app.extensions import (
        api,  # a registration on this app: only when the factory asks
    )

    api.register_blueprint(bp)
