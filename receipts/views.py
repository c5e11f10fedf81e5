"""JSON API: receipts for finance officers and administrators (and donors with their signed link),
the article 222 bis figures, and the public tax-reduction simulator."""
import io

from flask import abort, send_file
from flask_smorest import Blueprint

from app.api import OPTIONAL_BEARER, PUBLIC
from app.auth.access import current_user, ensure_organization, require_roles
from app.downloads import attachment
from app.errors import InvalidInput
from app.extensions import db
from app.pagination import paginate
from app.extensions import api
from campaigns import services as organizations
from receipts import jobs, schemas
from receipts.services import cancellation, exports, links, queue, register, tax

bp = Blueprint("receipts_api", __name__, url_prefix="/api/v1",
               description="Tax receipts, exports, article 222 bis figures and the tax-reduction simulator.")


def _organization_for(slug):
    """The organization a finance officer or admin asks about: their own by default; 404 for another."""
    user = current_user()
    if not slug:
        if user.organization_id is None:
            raise InvalidInput("say which organization", "organization")
        organization = user.organization
    else:
        organization = organizations.get_organization(slug)
    ensure_organization(user, organization.id)
    return organization


def _receipt_for_reader(slug, number, token, with_pdf=False):
    """A donor with the signed link of their email; otherwise finance officers and admins by bearer token."""
    if token:
        organization_id, email = links.read_donor_token(token)
        organization = organizations.get_organization(slug)
        receipt = exports.get_receipt(organization.id, number, with_pdf)
        if organization.id != organization_id or receipt.donor_email != email:
            abort(404)
        return receipt
    return _staff_receipt(slug, number, with_pdf)


@require_roles("admin", "finance")
def _staff_receipt(slug, number, with_pdf=False):
    organization = organizations.get_organization(slug)
    ensure_organization(current_user(), organization.id)
    return exports.get_receipt(organization.id, number, with_pdf)


def pdf_response(receipt):
    # Once cancelled, the copy marked "ANNULÉ" (the PDF as issued stays stored, unchanged).
    data, sha256 = receipt.download
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"recu-{receipt.number}.pdf", etag=sha256)
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.route("/receipts", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(schemas.ReceiptListArgs, location="query")
@bp.response(200, schemas.ReceiptOut(many=True))
def list_receipts(args):
    organization = _organization_for(args.get("organization"))
    statement = exports.receipts_query(organization.id, args.get("year"), args.get("status"), args.get("kind"),
                                       args.get("q"))
    return paginate(statement, args["page"], args["per_page"])


@bp.route("/receipts/export.csv", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(schemas.YearArgs, location="query")
def export_csv(args):
    organization = _organization_for(args.get("organization"))
    body = exports.export_csv(organization.id, args["year"])  # starts with a BOM for French spreadsheets
    return attachment(body, f"recus-{organization.slug}-{args['year']}.csv")


@bp.route("/receipts/register.csv", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(schemas.YearArgs, location="query")
def register_csv(args):
    """The register for the inspector: every number of the year in order, and the sequence check."""
    organization = _organization_for(args.get("organization"))
    body = register.register_csv(register.build_register(organization, args["year"]))
    return attachment(body, f"registre-{organization.slug}-{args['year']}.csv")


@bp.route("/receipts/register.pdf", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(schemas.YearArgs, location="query")
def register_pdf(args):
    organization = _organization_for(args.get("organization"))
    body = register.register_pdf(register.build_register(organization, args["year"]))
    return send_file(io.BytesIO(body), mimetype="application/pdf", as_attachment=True,
                     download_name=f"registre-{organization.slug}-{args['year']}.pdf")


@bp.route("/receipts/archive.zip", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(schemas.YearArgs, location="query")
def export_zip(args):
    organization = _organization_for(args.get("organization"))
    buffer = io.BytesIO()
    exports.export_zip(organization.id, args["year"], buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"recus-{organization.slug}-{args['year']}.zip")


@bp.route("/receipts/annual", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(schemas.AnnualIn)
@bp.response(200, schemas.AnnualOut)
def issue_annual(data):
    organization = _organization_for(data["organization"])
    if not organization.issues_receipts:
        raise InvalidInput("this organization does not issue tax receipts", "organization")
    plan, issued = jobs.issue_annual(organization, data["year"])
    return {"organization": organization.slug, "year": data["year"], "issued": issued,
            "complementary": plan.complementary, "already_issued": plan.already_issued,
            "waiting_for_address": len(plan.waiting_for_address)}


@bp.route("/receipts/<organization>/<number>.pdf", methods=["GET"])
@bp.arguments(schemas.DonorLinkArgs, location="query")
@bp.doc(security=OPTIONAL_BEARER)
def receipt_pdf(args, organization, number):
    return pdf_response(_receipt_for_reader(organization, number, args.get("token"), with_pdf=True))


@bp.route("/receipts/<organization>/<number>", methods=["GET"])
@bp.arguments(schemas.DonorLinkArgs, location="query")
@bp.response(200, schemas.ReceiptOut)
@bp.doc(security=OPTIONAL_BEARER)
def get_receipt(args, organization, number):
    return _receipt_for_reader(organization, number, args.get("token"))


@bp.route("/receipts/<organization>/<number>/cancel", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(schemas.CancelIn)
@bp.response(200, schemas.ReceiptOut)
def cancel(data, organization, number):
    receipt = _receipt_for_reader(organization, number, None)
    cancellation.cancel_receipt(receipt, data["reason"], by=current_user().email)
    db.session.commit()
    return receipt


@bp.route("/receipts/requests/<int:request_id>/retry", methods=["POST"])
@require_roles("admin")
@bp.response(200, schemas.ReceiptRequestOut)
def retry_request(request_id):
    """Put a queue row set aside (its processing failed) back in the queue, once its cause is fixed."""
    request = queue.retry_request(request_id)
    db.session.commit()
    return request


@bp.route("/organizations/<slug>/tax-declaration", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(schemas.DeclarationArgs, location="query")
@bp.response(200, schemas.DeclarationOut)
def tax_declaration(args, slug):
    organization = _organization_for(slug)
    return {"organization": organization.slug, **exports.tax_declaration(organization.id, args["year"])}


@bp.route("/tax-reduction", methods=["GET"])
@bp.arguments(schemas.TaxReductionArgs, location="query")
@bp.response(200, schemas.TaxReductionOut)
@bp.doc(security=PUBLIC)
def tax_reduction(args):
    """Public: what a gift costs after the tax reduction, with the rules in force on its date (TAX_RULES)."""
    regime = organizations.get_organization(args["organization"]).receipt_regime if args.get("organization") else None
    return tax.simulate(args["amount_cents"], args["donor_type"], regime, args.get("taxable_income_cents"),
                        args.get("turnover_cents"), day=args.get("date"), counterpart_cents=args["counterpart_cents"])


def init_app(app):
    api.register_blueprint(bp)
