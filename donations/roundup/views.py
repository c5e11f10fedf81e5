"""JSON API of the round-up: merchants (admins), the checkout (merchant keys), statements."""
from datetime import date

from flask import Response, abort, g
from flask_smorest import Blueprint

from app.auth.access import require_roles
from app.downloads import attachment
from app.errors import NotFound
from app.extensions import db
from app.formatting import local_today
from app.pagination import PageArgs, paginate
from donations.roundup import documents, services
from donations.roundup.access import (MerchantInactive, current_merchant_model, require_merchant,
                                     require_merchant_key, require_statement_reader, resolve_key, statement_scope)
from donations.roundup.models import Settlement
from donations.roundup.schemas import (BatchIn, BatchOut, ClaimOut, KeyCreatedOut, KeyIn, KeyOut, MerchantCreatedOut,
                                       MerchantIn, MerchantOut, MerchantPatch, QuoteIn, QuoteOut, RoundupIn,
                                       RoundupOut, SettlementArgs, SettlementOut, SummaryArgs, SummaryOut,
                                       TillSetupOut, TodayOut, VoidOut)
from donations.roundup.services import claims

merchants_bp = Blueprint("merchants", __name__, url_prefix="/api/v1/merchants",
                         description="Merchants offering the round-up, their rules, beneficiaries and keys.")
checkout_bp = Blueprint("roundups", __name__, url_prefix="/api/v1",
                        description="The checkout API, called by a merchant's till or back end with its key.")
settlements_bp = Blueprint("settlements", __name__, url_prefix="/api/v1/settlements",
                           description="Monthly statements: what each merchant owes, to whom.")


@merchants_bp.route("", methods=["POST"])
@require_roles("admin")
@merchants_bp.arguments(MerchantIn)
@merchants_bp.response(201, MerchantCreatedOut)
def create_merchant(data):
    merchant = services.create_merchant(**data)
    key_row, key = services.create_key(merchant, label="created with the merchant")
    db.session.commit()
    key_row.key = key
    merchant.key = key_row
    return merchant


@merchants_bp.route("", methods=["GET"])
@require_roles("admin")
@merchants_bp.arguments(PageArgs, location="query")
@merchants_bp.response(200, MerchantOut(many=True))
def list_merchants(args):
    return paginate(services.list_merchants(), args["page"], args["per_page"])


@merchants_bp.route("/<slug>", methods=["GET"])
@require_roles("admin")
@merchants_bp.response(200, MerchantOut)
def get_merchant(slug):
    return services.get_merchant(slug)


@merchants_bp.route("/<slug>", methods=["PATCH"])
@require_roles("admin")
@merchants_bp.arguments(MerchantPatch(partial=True))
@merchants_bp.response(200, MerchantOut)
def update_merchant(data, slug):
    merchant = services.update_merchant(services.get_merchant(slug), **data)
    db.session.commit()
    return merchant


@merchants_bp.route("/<slug>/keys", methods=["POST"])
@require_roles("admin")
@merchants_bp.arguments(KeyIn)
@merchants_bp.response(201, KeyCreatedOut)
def create_key(data, slug):
    row, key = services.issue_merchant_key(services.get_merchant(slug), data["kind"], data["label"])
    db.session.commit()
    row.key = key
    return row


@merchants_bp.route("/<slug>/keys", methods=["GET"])
@require_roles("admin")
@merchants_bp.response(200, KeyOut(many=True))
def list_keys(slug):
    return services.list_keys(services.get_merchant(slug))


@merchants_bp.route("/<slug>/keys/<int:key_id>/revoke", methods=["POST"])
@require_roles("admin")
@merchants_bp.response(200, KeyOut)
def revoke_key(slug, key_id):
    row = services.revoke_key(services.get_key(services.get_merchant(slug), key_id))
    db.session.commit()
    return row


@checkout_bp.route("/roundups/quote", methods=["POST"])
@require_merchant(till=True)
@checkout_bp.arguments(QuoteIn)
@checkout_bp.response(200, QuoteOut)
def quote(data):
    return services.quote(g.current_merchant, data["basket_cents"])


# Schema instances, not classes: webargs would build a new schema object on every request.
ROUNDUP_IN, ROUNDUP_OUT = RoundupIn(), RoundupOut()


@checkout_bp.route("/roundups", methods=["POST"])
@require_merchant_key
@checkout_bp.arguments(ROUNDUP_IN)
@checkout_bp.response(201, ROUNDUP_OUT)
@checkout_bp.alt_response(200, schema=ROUNDUP_OUT, description="A replay: the round-up recorded first.")
def record_roundup(data):
    """The hot path: usually one statement, in autocommit, that proves the key and inserts."""
    roundup, created = services.record_checkout(g.current_merchant, g.merchant_key_hash, data, resolve=_live_rule)
    return roundup, 201 if created else 200


def _live_rule(key_hash):
    """The key's rule read again (which refreshes this worker's cache), refused as the decorator does."""
    rule = resolve_key(key_hash)
    if rule is None:
        abort(401)
    if not rule.active:
        raise MerchantInactive("this merchant's round-up is switched off")
    return rule


@checkout_bp.route("/roundups/batch", methods=["POST"])
@require_merchant
@checkout_bp.arguments(BatchIn)
@checkout_bp.response(200, BatchOut)
def record_batch(data):
    result = services.record_batch(g.current_merchant, data["roundups"])
    db.session.commit()
    return result


@checkout_bp.route("/roundups/<external_id>/void", methods=["POST"])
@require_merchant(till=True)
@checkout_bp.response(200, VoidOut)
def void_roundup(external_id):
    roundup, after_settlement = services.void_roundup(g.current_merchant, external_id)
    db.session.commit()
    roundup.adjustment = after_settlement
    return roundup


@checkout_bp.route("/roundups/<external_id>/claim", methods=["GET"])
@require_merchant(till=True)
@checkout_bp.response(200, ClaimOut)
def claim_link(external_id):
    """A one-time link (and its QR code) for the customer to claim this round-up for their yearly receipt."""
    return claims.claim_for(g.current_merchant, external_id)


@checkout_bp.route("/merchant/summary", methods=["GET"])
@require_merchant
@checkout_bp.arguments(SummaryArgs, location="query")
@checkout_bp.response(200, SummaryOut)
def summary(args):
    today = local_today()
    date_to = args.get("date_to") or today
    date_from = args.get("date_from") or date(date_to.year, date_to.month, 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    result = services.merchant_summary(current_merchant_model(), date_from, date_to)
    result["date_from"], result["date_to"] = result.pop("from"), result.pop("to")
    return result


@checkout_bp.route("/merchant/today", methods=["GET"])
@require_merchant(till=True)
@checkout_bp.response(200, TodayOut)
def today():
    """Today's count and total of live round-ups (the territory's day): what a till keeps on screen."""
    return services.today_totals(g.current_merchant.id, local_today())


@checkout_bp.route("/merchant/till", methods=["GET"])
@require_merchant(till=True)
@checkout_bp.response(200, TillSetupOut)
def till_setup():
    """What a till needs once per device: the merchant, its rule, its beneficiaries, today's figures."""
    return services.till_setup(current_merchant_model(), g.current_merchant.key_kind, local_today())


@settlements_bp.route("", methods=["GET"])
@require_statement_reader
@settlements_bp.arguments(SettlementArgs, location="query")
@settlements_bp.response(200, SettlementOut(many=True))
def list_settlements(args):
    month = services.parse_month(args["month"]) if args.get("month") else None
    query = services.settlements_for(month=month, **statement_scope())
    return paginate(query, args["page"], args["per_page"])


@settlements_bp.route("/<int:settlement_id>/paid", methods=["POST"])
@require_roles("admin")
@settlements_bp.response(200, SettlementOut)
def mark_paid(settlement_id):
    """The city's team saw the merchant's transfer arrive."""
    settlement = services.mark_paid(services.get_settlement(settlement_id))
    db.session.commit()
    return settlement


def _readable_settlement(settlement_id):
    settlement = db.session.scalar(services.settlements_for(**statement_scope())
                                   .where(Settlement.id == settlement_id))
    if settlement is None:
        raise NotFound(f"no statement {settlement_id}")
    return settlement


@settlements_bp.route("/<int:settlement_id>", methods=["GET"])
@require_statement_reader
@settlements_bp.response(200, SettlementOut)
def get_settlement(settlement_id):
    return _readable_settlement(settlement_id)


@settlements_bp.route("/<int:settlement_id>.csv", methods=["GET"])
@require_statement_reader
def settlement_csv(settlement_id):
    settlement = _readable_settlement(settlement_id)
    return attachment(documents.statement_csv(settlement, g.get("settlement_organization_id")),
                      f"{documents.filename(settlement)}.csv")


@settlements_bp.route("/<int:settlement_id>.pdf", methods=["GET"])
@require_statement_reader
def settlement_pdf(settlement_id):
    settlement = _readable_settlement(settlement_id)
    return Response(documents.statement_pdf(settlement, g.get("settlement_organization_id")),
                    mimetype="application/pdf", headers={"Content-Disposition":
                                                         f'attachment; filename="{documents.filename(settlement)}.pdf"'})


def init_app(app):
    from app.extensions import api  # a registration on this app: only when the factory asks

    api.register_blueprint(merchants_bp)
    api.register_blueprint(checkout_bp)
    api.register_blueprint(settlements_bp)
