"""/gestion/dons: the finance officers' gifts. The organization's latest gifts; a gift received by
cheque, cash or transfer recorded by hand (donor, day, amount, individual or company); a gift's page
with its refunds, and a refund of all or part of it after a confirmation step. Each form calls the
service the API uses (record_offline_gift, refund_gift); administrators act for any organization."""
import re
import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, EmailField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_menu_entry, confirmed, staff_page
from app.errors import DomainError
from app.extensions import csrf, db
from app.formatting import local_today
from app.money import format_eur
from campaigns import services as campaigns
from campaigns.models import Campaign, CampaignStatus
from campaigns.scope import organization_in_scope
from donations import services
from donations.models import (
    REFUNDABLE,
    Donation,
    DonationRefund,
    DonationStatus,
    PaymentMethod,
)

bp = Blueprint("gift_pages", __name__, url_prefix="/gestion/dons", template_folder="../templates")

STAFF = (Role.admin, Role.finance)
# Money received, even if given back since; not the card payments that never went through.
LISTED = (DonationStatus.succeeded, DonationStatus.partially_refunded, DonationStatus.refunded,
          DonationStatus.disputed)
PER_PAGE = 50
METHOD_LABELS = {PaymentMethod.card: "Carte bancaire", PaymentMethod.direct_debit: "Prélèvement",
                 PaymentMethod.cheque: "Chèque", PaymentMethod.cash: "Espèces", PaymentMethod.transfer: "Virement"}
STATUS_LABELS = {DonationStatus.pending: "En attente du paiement", DonationStatus.succeeded: "Reçu",
                 DonationStatus.failed: "Refusé", DonationStatus.refunded: "Remboursé",
                 DonationStatus.partially_refunded: "Remboursé en partie",
                 DonationStatus.disputed: "Contesté par la banque"}
# The service names the field it refuses (in English, for programs): the officer reads French beside it.
REFUSALS = {
    "amount_cents": "Indiquez un montant d'au moins 0,01 €, dans la limite des dons enregistrés à la main.",
    "paid_on": "Indiquez le jour où l'argent a été reçu : aujourd'hui ou avant, depuis le 01/01/2021.",
    "campaign": "Choisissez une campagne de l'association qui reçoit encore des dons.",
    "payment_method": "Choisissez chèque, espèces ou virement.",
    "email": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
    "first_name": "Indiquez le prénom : il figure sur le reçu fiscal.",
    "last_name": "Indiquez le nom : il figure sur le reçu fiscal.",
    "address_line1": "Indiquez l'adresse : elle figure sur le reçu fiscal.",
    "postal_code": "Indiquez le code postal.",
    "city": "Indiquez la ville.",
    "company_name": "Indiquez la raison sociale de l'entreprise.",
    "company_legal_form": "Indiquez la forme juridique de l'entreprise.",
    "company_siren": "Indiquez un SIREN valide : 9 chiffres.",
}
AMOUNT = re.compile(r"^(\d{1,9})(?:[.,](\d{1,2}))?$")


def cents_of(text) -> int | None:
    """`12,50` or `12.5` or `1 200` -> cents; None when it is not an amount in euros."""
    match = AMOUNT.match(re.sub(r"[\s\u00a0\u202f€]", "", text or ""))
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def _choices(*pairs):
    return [SelectChoice(value, label) for value, label in pairs]


class OfflineGiftForm(FlaskForm):
    campaign = SelectField("Campagne", validators=[DataRequired("Choisissez la campagne.")])
    payment_method = RadioField("Moyen de paiement", choices=_choices(("cheque", "Chèque"), ("cash", "Espèces"),
                                                                      ("transfer", "Virement")), default="cheque",
                                validators=[InputRequired("Choisissez chèque, espèces ou virement.")])
    paid_on = DateField("Date de réception", validators=[InputRequired("Indiquez la date de réception (jj/mm/aaaa).")])
    amount = StringField("Montant en euros", validators=[DataRequired("Indiquez le montant, par exemple 50 ou 12,50.")])
    reference = StringField("Référence (n° de chèque, libellé du virement)", validators=[Optional(), Length(max=120)])
    donor_type = RadioField("Donateur", choices=_choices(("individual", "Particulier"),
                                                         ("company", "Entreprise (mécénat)")), default="individual")
    company_name = StringField("Raison sociale", validators=[Optional(), Length(max=200)])
    company_legal_form = StringField("Forme juridique", validators=[Optional(), Length(max=120)])
    company_siren = StringField("SIREN", validators=[Optional(), Length(max=11)])
    first_name = StringField("Prénom", validators=[Optional(), Length(max=120)])
    last_name = StringField("Nom", validators=[Optional(), Length(max=120)])
    email = EmailField("Adresse e-mail", validators=[
        Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Saisissez une adresse e-mail valide, par exemple "
                                                                 "nom@exemple.fr."), Length(max=254)])
    address_line1 = StringField("Adresse", validators=[Optional(), Length(max=200)])
    postal_code = StringField("Code postal", validators=[Optional(), Length(max=10)])
    city = StringField("Ville", validators=[Optional(), Length(max=120)])
    receipt_choice = RadioField("Reçu fiscal", choices=_choices(("per_gift", "Un reçu pour ce don"),
                                                                ("annual", "Dans le reçu annuel"),
                                                                ("none", "Pas de reçu")), default="per_gift")

    def validate_amount(self, field):
        if cents_of(field.data) in (None, 0):
            raise ValidationError("Indiquez un montant en euros, par exemple 50 ou 12,50.")

    def refuse(self, names):
        for name in names or ["amount"]:
            target = getattr(self, "amount" if name == "amount_cents" else name, None) or self.amount
            target.errors = list(target.errors or []) + [REFUSALS.get(name, "Vérifiez ce champ.")]

    def gift_values(self):
        values = {name: getattr(self, name).data or "" for name in (
            "payment_method", "reference", "donor_type", "first_name", "last_name", "email", "address_line1",
            "postal_code", "city", "receipt_choice")}
        if self.donor_type.data == "company":
            values.update(company_name=self.company_name.data, company_legal_form=self.company_legal_form.data,
                          company_siren=self.company_siren.data)
        return dict(values, amount_cents=cents_of(self.amount.data), paid_on=self.paid_on.data)


def _gift(donation_id) -> Donation:
    """A gift of the user's organization (any, for an administrator); 404 otherwise."""
    donation = db.session.get(Donation, donation_id)
    user = current_user()
    if donation is None or (user.role is Role.finance and donation.organization_id != user.organization_id):
        abort(404)
    return donation


@bp.get("")
@staff_page(*STAFF)
def index():
    organization = organization_in_scope(request.args.get("organisation"))
    if organization is None:
        return render_template("donations/backoffice/gifts_choose.html",
                               organizations=db.session.scalars(campaigns.list_organizations()).all())
    gifts = db.session.execute(
        select(Donation, Campaign.title).join(Campaign, Campaign.id == Donation.campaign_id)
        .where(Donation.organization_id == organization.id, Donation.status.in_(LISTED))
        .order_by(Donation.created_at.desc(), Donation.id.desc()).limit(PER_PAGE)).all()
    return render_template("donations/backoffice/gifts.html", organization=organization, gifts=gifts,
                           methods=METHOD_LABELS, statuses=STATUS_LABELS)


def _campaign_choices(organization):
    recordable = db.session.scalars(select(Campaign).where(
        Campaign.organization_id == organization.id,
        Campaign.status.in_((CampaignStatus.published, CampaignStatus.succeeded))).order_by(Campaign.title)).all()
    return _choices(*((campaign.slug, campaign.title) for campaign in recordable))


@bp.route("/nouveau", methods=["GET", "POST"])
@staff_page(*STAFF)
def record():
    organization = organization_in_scope(request.values.get("organisation"))
    if organization is None:
        abort(404)
    form = OfflineGiftForm()
    form.campaign.choices = _campaign_choices(organization)
    if request.method == "GET":
        form.paid_on.data = local_today()
        return render_template("donations/backoffice/gift_form.html", form=form, organization=organization)
    csrf.protect()
    if form.validate():
        try:
            donation = services.record_offline_gift(organization.id, form.campaign.data, **form.gift_values())
        except DomainError as refused:
            db.session.rollback()
            errors = refused.errors
            form.refuse(list(errors) if errors else [refused.field])
        else:
            record_action(current_user(), "gift.offline_recorded", donation,
                          f"{METHOD_LABELS[donation.payment_method]} {format_eur(donation.amount_cents)}")
            db.session.commit()
            flash(f"Don de {format_eur(donation.amount_cents)} enregistré. Son reçu sera émis dans la minute "
                  "si le donateur en demande un.", "success")
            return redirect(url_for(".gift", donation_id=donation.id))
    return render_template("donations/backoffice/gift_form.html", form=form, organization=organization), 400


def _gift_page(donation, *, refund_error=None, refund_amount="", status=200):
    refunds = db.session.scalars(select(DonationRefund).where(DonationRefund.donation_id == donation.id)
                                 .order_by(DonationRefund.id)).all()
    return render_template("donations/backoffice/gift.html", gift=donation, campaign=donation_campaign(donation),
                           refunds=refunds, methods=METHOD_LABELS, statuses=STATUS_LABELS,
                           refund_error=refund_error, refund_amount=refund_amount,
                           refundable=donation.status in REFUNDABLE), status


def donation_campaign(donation):
    return db.session.get(Campaign, donation.campaign_id)


@bp.get("/<int:donation_id>")
@staff_page(*STAFF)
def gift(donation_id):
    return _gift_page(_gift(donation_id))


@bp.post("/<int:donation_id>/rembourser")
@staff_page(*STAFF)
def refund(donation_id):
    """Two steps: the amount (empty: all that remains), then the confirmation that carries it out."""
    csrf.protect()
    donation = _gift(donation_id)
    text = (request.form.get("amount") or "").strip()
    cents = donation.remaining_cents if not text else cents_of(text)
    if not cents or cents > donation.remaining_cents:
        return _gift_page(donation, refund_amount=text, status=400, refund_error=(
            f"Indiquez un montant entre 0,01 € et {format_eur(donation.remaining_cents)}, ou laissez vide pour "
            "tout rembourser."))
    if not confirmed():
        return render_template("donations/backoffice/refund_confirm.html", gift=donation, cents=cents,
                               key=uuid.uuid4().hex)
    key = re.sub(r"[^0-9a-f]", "", request.form.get("key", ""))[:32] or None
    try:
        done = services.refund_gift(donation.id, cents, requested_by_id=current_user().id, idempotency_key=key)
    except DomainError:
        db.session.rollback()
        return _gift_page(_gift(donation_id), refund_amount=text, status=409, refund_error=(
            "Ce remboursement n'a pas pu être fait : le don a changé entre-temps, ou le service de paiement ne "
            "répond pas. Rechargez la page et réessayez."))
    record_action(current_user(), "gift.refunded", donation, format_eur(done.amount_cents))
    db.session.commit()
    flash(f"Remboursement de {format_eur(done.amount_cents)} enregistré." + (
        " Rendez l'argent au donateur (chèque, espèces ou virement)." if donation.is_offline else ""), "success")
    return redirect(url_for(".gift", donation_id=donation.id))


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "gift_pages.index", "Dons reçus", STAFF, order=35)
