"""/gestion/recus: the finance officers' receipts. The receipts of a gift; a receipt's page (amount,
donor, status, the reason it was cancelled and the receipt that replaces it, its PDF) and its
cancellation with a reason after a confirmation step; the organization's signature image and
signatory, without which no receipt is issued. The forms call the services the API and /finance use
(cancel_receipt, set_organization_image, update_organization); administrators act for any organization.
"""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_menu_entry, confirmed, staff_page
from app.errors import DomainError, NotFound
from app.extensions import csrf, db
from campaigns import services as campaigns
from campaigns.scope import organization_in_scope
from donations.models import Donation
from receipts.models import Receipt, ReceiptGift, ReceiptStatus
from receipts.services import cancellation, exports
from receipts.services.queue import waiting_for_signature

bp = Blueprint("receipt_backoffice", __name__, url_prefix="/gestion/recus", template_folder="../templates")

STAFF = (Role.admin, Role.finance)


class SignatoryForm(FlaskForm):
    signatory_name = StringField("Nom du signataire", validators=[
        DataRequired("Indiquez le nom de la personne qui signe les reçus."), Length(max=200, message="200 caractères au plus.")])
    signatory_title = StringField("Qualité du signataire", validators=[
        DataRequired("Indiquez sa qualité, par exemple Présidente ou Trésorier."),
        Length(max=200, message="200 caractères au plus.")])


class SignatureForm(FlaskForm):
    signature = FileField("Image de la signature (PNG ou JPEG)")


def _receipt(slug, number) -> Receipt:
    organization = organization_in_scope(slug)
    try:
        return exports.get_receipt(organization.id, number)
    except NotFound:
        abort(404)


def _admin_slug(organization):
    return organization.slug if current_user().role is Role.admin else None


@bp.get("/don/<int:donation_id>")
@staff_page(*STAFF)
def for_gift(donation_id):
    donation = db.session.get(Donation, donation_id)
    user = current_user()
    if donation is None or (user.role is Role.finance and donation.organization_id != user.organization_id):
        abort(404)
    receipts = db.session.scalars(select(Receipt).join(ReceiptGift, ReceiptGift.receipt_id == Receipt.id)
                                  .where(ReceiptGift.donation_id == donation.id).order_by(Receipt.id)).all()
    return render_template("receipts/backoffice/gift_receipts.html", gift=donation, receipts=receipts,
                           organization=donation.organization,
                           waiting=waiting_for_signature(donation.organization_id))


def _receipt_page(receipt, *, reason="", error=None, status=200):
    return render_template("receipts/backoffice/receipt.html", receipt=receipt, organization=receipt.organization,
                           admin_slug=_admin_slug(receipt.organization), reason=reason, error=error,
                           cancelled=receipt.status is ReceiptStatus.cancelled), status


@bp.get("/<slug>/<number>")
@staff_page(*STAFF)
def show(slug, number):
    return _receipt_page(_receipt(slug, number))


@bp.post("/<slug>/<number>/annuler")
@staff_page(*STAFF)
def cancel(slug, number):
    """Two steps: the reason, then the confirmation that cancels (the number stays taken)."""
    csrf.protect()
    receipt = _receipt(slug, number)
    reason = (request.form.get("reason") or "").strip()[:2000]
    if receipt.status is ReceiptStatus.cancelled:
        flash("Ce reçu est déjà annulé.", "error")
        return redirect(url_for(".show", slug=slug, number=number))
    if len(reason) < 3:
        return _receipt_page(receipt, reason=reason, status=400,
                             error="Indiquez pourquoi le reçu est annulé (3 caractères au moins) : le donateur le lira.")
    if not confirmed():
        return render_template("receipts/backoffice/cancel_confirm.html", receipt=receipt, reason=reason, slug=slug)
    try:
        cancellation.cancel_receipt(receipt, reason, by=current_user().email)
    except DomainError:
        db.session.rollback()
        return _receipt_page(_receipt(slug, number), reason=reason, status=409,
                             error="Ce reçu n'a pas pu être annulé : il a changé entre-temps. Rechargez la page.")
    record_action(current_user(), "receipt.cancelled", receipt, reason)
    db.session.commit()
    flash(f"Reçu {receipt.number} annulé. Son numéro reste pris ; le donateur est prévenu par courriel.", "success")
    return redirect(url_for(".show", slug=slug, number=number))


@bp.route("/reglages", methods=["GET", "POST"])
@staff_page(*STAFF)
def settings():
    organization = organization_in_scope(request.values.get("organisation"))
    if organization is None:
        return render_template("receipts/backoffice/settings_choose.html",
                               organizations=db.session.scalars(campaigns.list_organizations()).all())
    signatory = SignatoryForm(prefix="signataire", obj=organization if request.method == "GET" else None)
    signature = SignatureForm(prefix="signature")
    status = 200
    if request.method == "POST":
        csrf.protect()
        if "signataire-signatory_name" in request.form:
            if signatory.validate():
                campaigns.update_organization(organization, signatory_name=signatory.signatory_name.data.strip(),
                                              signatory_title=signatory.signatory_title.data.strip())
                record_action(current_user(), "organization.signatory", organization,
                              f"{organization.signatory_name}, {organization.signatory_title}")
                db.session.commit()
                flash("Signataire enregistré : il figure sur les prochains reçus.", "success")
                return redirect(url_for(".settings", organisation=_admin_slug(organization)))
            status = 400
        else:
            upload = request.files.get("signature-signature")
            limit = current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"]
            try:
                campaigns.set_organization_image(organization, "signature", upload.read(limit + 1) if upload else b"")
            except DomainError:
                db.session.rollback()
                signature.signature.errors = [f"Choisissez une image PNG ou JPEG de {limit // 1024} Kio au plus."]
                status = 400
            else:
                record_action(current_user(), "organization.signature", organization)
                db.session.commit()
                flash("Signature enregistrée : les reçus en attente seront émis dans la minute.", "success")
                return redirect(url_for(".settings", organisation=_admin_slug(organization)))
    return render_template("receipts/backoffice/settings.html", organization=organization, signatory=signatory,
                           signature=signature, admin_slug=_admin_slug(organization),
                           waiting=waiting_for_signature(organization.id),
                           image_max_kib=current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"] // 1024), status


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "receipt_backoffice.settings", "Signature des reçus", STAFF, order=36)
    add_menu_entry(app, "finance_pages.index", "Reçus et registre", STAFF, order=37)
