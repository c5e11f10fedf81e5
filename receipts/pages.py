"""HTML pages: the public receipt check, donors' receipts by signed link, and the finance officers' portal."""
import hmac
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for

from app.auth.access import current_user, ensure_organization, require_roles
from app import jobs_log
from app.auth.models import Role
from app.downloads import attachment
from app.errors import InvalidInput, NotFound
from app.extensions import csrf, db
from app.formatting import local_today
from app.pagination import paginate
from campaigns import services as organizations
from campaigns.models import Organization
from donations.roundup.services import claims
from receipts.models import ReceiptStatus
from receipts.services import exports, links, register, roundup_donors
from receipts.services.queue import retry_request as retry_queue_request
from receipts.services.queue import set_aside_requests, waiting_for_signature

public_bp = Blueprint("receipt_pages", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/receipts")
finance_bp = Blueprint("finance_pages", __name__, url_prefix="/finance", template_folder="templates")


@public_bp.route("/verifier/<organization>/<number>")
def verify(organization, number):
    """Confirms number, date, amount and beneficiary; says nothing about the donor."""
    try:
        org = organizations.get_organization(organization)
        receipt = exports.get_receipt(org.id, number)
    except NotFound:
        receipt = None
    token = request.args.get("k", "")
    if receipt is None or not hmac.compare_digest(token.encode(), receipt.verification_token.encode()):
        return render_template("receipts/verify.html", receipt=None), 404
    return render_template("receipts/verify.html", receipt=receipt)


@public_bp.route("/recus/<token>")
def donor_receipts(token):
    organization_id, email = links.read_donor_token(token)
    organization = db.session.get(Organization, organization_id) or abort(404)
    return render_template("receipts/donor.html", organization=organization,
                           receipts=exports.donor_receipts(organization_id, email), token=token)


@public_bp.route("/recus/<token>/<number>.pdf")
def donor_pdf(token, number):
    organization_id, email = links.read_donor_token(token)
    receipt = exports.get_receipt(organization_id, number, with_pdf=True)
    if receipt.donor_email != email:
        abort(404)
    return _pdf(receipt)


@public_bp.route("/recus/arrondi/<token>", methods=["GET", "POST"])
def roundup_identity(token):
    """A round-up donor gives the name and address their annual receipt must carry."""
    email = links.read_roundup_token(token)
    profile = roundup_donors.get_roundup_donor(email)
    fields = roundup_donors.IDENTITY_FIELDS
    values = {f: getattr(profile, f) or "" for f in fields} if profile else {f: "" for f in fields}
    errors = {}
    if request.method == "POST":
        csrf.protect()
        values = {f: request.form.get(f, "").strip()[:200] for f in fields}
        try:
            roundup_donors.save_roundup_identity(email, values)
        except InvalidInput as error:
            db.session.rollback()
            errors = {name: messages[0] for name, messages in (error.errors or {}).items()}
        else:
            db.session.commit()
            flash("Merci : votre reçu annuel sera établi avec ces informations.", "success")
            return redirect(url_for("receipt_pages.roundup_identity", token=token))
    year = local_today().year
    return render_template("receipts/roundup_identity.html", email=email, values=values, errors=errors,
                           locked=profile is not None and roundup_donors.identity_locked(email),
                           year=year, year_roundups=claims.donor_year_roundups(email, year)), \
        (400 if errors else 200)


def _pdf(receipt):
    # Once cancelled, the copy marked "ANNULÉ" (the PDF as issued stays stored, unchanged).
    data, sha256 = receipt.download
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"recu-{receipt.number}.pdf", etag=sha256)
    response.headers["X-Content-SHA256"] = sha256
    return response


# --- finance officers ---

def _finance_organization():
    """The organization asked about: a finance officer's own by default; None lets an admin choose."""
    user = current_user()
    slug = request.args.get("organization")
    if user.role is Role.finance and not slug:
        return user.organization
    if not slug:
        return None
    organization = organizations.get_organization(slug)
    ensure_organization(user, organization.id)
    return organization


def _year():
    try:
        year = int(request.args.get("year") or local_today().year)
    except ValueError:
        abort(404)
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@finance_bp.before_request
def signed_in():
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.full_path))


@finance_bp.route("")
@require_roles("admin", "finance")
def index():
    organization = _finance_organization()
    if organization is None:  # an administrator chooses the organization
        choices = db.session.scalars(organizations.list_organizations()).all()
        return render_template("receipts/finance_choose.html", organizations=choices, **_admin_notices(None))
    year = _year()
    status = request.args.get("status") or None
    if status not in (None, "issued", "cancelled"):
        status = None
    q = (request.args.get("q") or "").strip()[:100] or None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    receipts = paginate(exports.receipts_query(organization.id, year, status, None, q), page, 50)
    cancelled = db.session.scalars(exports.receipts_query(organization.id, year, "cancelled")).all()
    return render_template("receipts/finance.html", organization=organization, year=year, status=status, q=q,
                           receipts=receipts, page=page, cancelled=cancelled,
                           declaration=exports.tax_declaration(organization.id, year),
                           register_check=register.sequence_check(organization.id, year)[1],
                           years=sorted(set(exports.receipt_years(organization.id)) | {local_today().year},
                                        reverse=True),
                           ReceiptStatus=ReceiptStatus,
                           waiting_for_signature=waiting_for_signature(organization.id),
                           image_max_kib=current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"] // 1024,
                           **_admin_notices(organization))


def _admin_notices(organization):
    """For administrators: the queue rows set aside (of this organization, or all) and the scheduled
    jobs' recent failures and skipped runs."""
    if current_user().role is not Role.admin:
        return {"set_aside": [], "job_problems": []}
    return {"set_aside": set_aside_requests(organization.id if organization else None),
            "job_problems": jobs_log.recent_problems()}


@finance_bp.route("/demandes/<int:request_id>/relancer", methods=["POST"])
@require_roles("admin")
def retry_request(request_id):
    """An administrator puts a set-aside queue row back once its cause is fixed."""
    csrf.protect()
    retry_queue_request(request_id)
    db.session.commit()
    flash("Demande relancée : elle sera traitée dans la minute.", "success")
    return redirect(url_for("finance_pages.index", organization=request.form.get("organization") or None))


@finance_bp.route("/signature", methods=["POST"])
@require_roles("admin", "finance")
def upload_signature():
    """The signatory's image, from the finance page: receipts waiting for it are issued at the next run."""
    csrf.protect()
    organization = _finance_organization() or abort(404)
    upload = request.files.get("signature")
    try:
        organizations.set_organization_image(
            organization, "signature",
            upload.read(current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"] + 1) if upload else b"")
    except InvalidInput:
        db.session.rollback()
        flash("Image refusée : choisissez une image PNG ou JPEG de "
              f"{current_app.config['ORGANIZATION_IMAGE_MAX_BYTES'] // 1024} Kio au plus.", "error")
    else:
        db.session.commit()
        flash("Signature enregistrée : les reçus en attente seront émis dans la minute.", "success")
    slug = organization.slug if current_user().role is Role.admin else None
    return redirect(url_for("finance_pages.index", organization=slug))


@finance_bp.route("/recus/<number>.pdf")
@require_roles("admin", "finance")
def receipt_pdf(number):
    organization = _finance_organization() or abort(404)
    return _pdf(exports.get_receipt(organization.id, number, with_pdf=True))


@finance_bp.route("/export.csv")
@require_roles("admin", "finance")
def export_csv():
    organization = _finance_organization() or abort(404)
    year = _year()
    return attachment(exports.export_csv(organization.id, year), f"recus-{organization.slug}-{year}.csv")


@finance_bp.route("/registre.csv")
@require_roles("admin", "finance")
def register_csv():
    """The register for the inspector (every number of the year, the sequence check) as CSV."""
    organization = _finance_organization() or abort(404)
    year = _year()
    return attachment(register.register_csv(register.build_register(organization, year)),
                      f"registre-{organization.slug}-{year}.csv")


@finance_bp.route("/registre.pdf")
@require_roles("admin", "finance")
def register_pdf():
    organization = _finance_organization() or abort(404)
    year = _year()
    return send_file(io.BytesIO(register.register_pdf(register.build_register(organization, year))),
                     mimetype="application/pdf", as_attachment=True,
                     download_name=f"registre-{organization.slug}-{year}.pdf")


@finance_bp.route("/archive.zip")
@require_roles("admin", "finance")
def export_zip():
    organization = _finance_organization() or abort(404)
    year = _year()
    buffer = io.BytesIO()
    exports.export_zip(organization.id, year, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"recus-{organization.slug}-{year}.zip")


def init_app(app):
    app.register_blueprint(public_bp)
    app.register_blueprint(finance_bp)
