"""/gestion/partenaires/<slug>/financements: a partner's match pledges (create, pause, resume), grants
and the payments received from it, for the town's administrators. Each form calls the service the API
calls (`POST /campaigns/{slug}/pledges`, `/grants`, `POST /partners/{slug}/payments`)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import confirmed, staff_page
from app.errors import Conflict, DomainError
from app.extensions import csrf, db
from app.money import format_eur
from campaigns import services
from campaigns.backoffice_forms import (
    METHOD_LABELS,
    GrantForm,
    PaymentForm,
    PledgeForm,
    choices,
    refuse,
)
from campaigns.models import (
    Campaign,
    Contribution,
    ContributionSource,
    PartnerPaymentMethod,
)
from campaigns.services.partner_accounts import (
    campaigns_open_to_pledges,
    campaigns_taking_money,
    partner_accounts,
    partner_pledges,
)

bp = Blueprint("partner_money", __name__, url_prefix="/gestion/partenaires/<slug>/financements",
               template_folder="../templates")

PLEDGE_FIELDS = {"total_cap_cents": "total_cap", "per_gift_cap_cents": "per_gift_cap", "campaign": "campaign"}
GRANT_FIELDS = {"amount_cents": "amount", "campaign_id": "campaign", "campaign": "campaign"}
PAYMENT_FIELDS = {"amount_cents": "amount", "campaign": "campaign"}


def _forms(partner, pledge=None, grant=None, payment=None):
    pledge = pledge or PledgeForm(formdata=None, prefix="pledge")
    grant = grant or GrantForm(formdata=None, prefix="grant")
    payment = payment or PaymentForm(formdata=None, prefix="payment")
    accounts = partner_accounts(partner.id)
    pledge.campaign.choices = choices((c.slug, f"{c.title} ({c.organization.name})") for c in campaigns_open_to_pledges())
    grant.campaign.choices = choices((c.slug, f"{c.title} ({c.organization.name})") for c in campaigns_taking_money())
    payment.campaign.choices = choices((a.campaign.slug, f"{a.campaign.title} : {format_eur(a.due_cents)} dus")
                                       for a in accounts if a.due_cents > 0)
    return pledge, grant, payment, accounts


def _page(partner, status=200, pending=None, **forms):
    pledge, grant, payment, accounts = _forms(partner, **forms)
    grants = db.session.execute(select(Contribution, Campaign).join(Campaign, Campaign.id == Contribution.campaign_id)
                                .where(Contribution.partner_id == partner.id,
                                       Contribution.source == ContributionSource.grant)
                                .order_by(Contribution.created_at.desc())).all()
    payments = db.session.scalars(services.partner_payments(partner).limit(100)).all()
    return render_template("campaigns/backoffice/partner_money.html", partner=partner, accounts=accounts,
                           pledges=partner_pledges(partner.id), grants=grants, payments=payments,
                           pledge_form=pledge, grant_form=grant, payment_form=payment,
                           methods=METHOD_LABELS, pending=pending), status


def _pending(anchor, prefix, button, question):
    """What the confirmation step shows: the question, and the typed values sent again with confirm=1."""
    return {"anchor": anchor, "button": button, "question": question, "action": request.path,
            "fields": {name: value for name, value in request.form.items() if name.startswith(prefix)}}


def _back(slug, anchor):
    return redirect(url_for("partner_money.index", slug=slug, _anchor=anchor))


@bp.get("")
@staff_page(Role.admin)
def index(slug):
    return _page(services.get_partner(slug))


@bp.post("/engagements")
@staff_page(Role.admin)
def create_pledge(slug):
    partner = services.get_partner(slug)
    csrf.protect()
    form = PledgeForm(prefix="pledge")
    _forms(partner, pledge=form)
    if form.validate():
        try:
            campaign = services.get_campaign(form.campaign.data)
            pledge = services.create_pledge(
                campaign, partner.id, total_cap_cents=form.total_cap.cents,
                ratio_numerator=form.ratio_numerator.data, ratio_denominator=form.ratio_denominator.data,
                per_gift_cap_cents=form.per_gift_cap.cents, max_gifts_per_donor=form.max_gifts_per_donor.data)
        except DomainError as refused:
            db.session.rollback()
            refuse(form, [refused.field or "campaign"], PLEDGE_FIELDS)
        else:
            record_action(current_user(), "pledge.create", campaign,
                          f"{partner.name} : {pledge.ratio_numerator} pour {pledge.ratio_denominator}, "
                          f"plafond {format_eur(pledge.total_cap_cents)}")
            db.session.commit()
            flash(f"Engagement enregistré sur « {campaign.title} ».", "success")
            return _back(slug, "engagements")
    return _page(services.get_partner(slug), 400, pledge=form)


@bp.post("/engagements/<int:pledge_id>/<any(suspendre, reprendre):action>")
@staff_page(Role.admin)
def toggle_pledge(slug, pledge_id, action):
    partner = services.get_partner(slug)
    csrf.protect()
    campaign = next((c for p, c in partner_pledges(partner.id) if p.id == pledge_id), None)
    if campaign is None:
        abort(404)
    services.set_pledge_active(campaign, pledge_id, action == "reprendre")
    record_action(current_user(), f"pledge.{'resume' if action == 'reprendre' else 'pause'}", campaign, partner.name)
    db.session.commit()
    flash("Engagement repris." if action == "reprendre" else
          "Engagement suspendu : les dons suivants ne sont plus abondés, ceux déjà abondés le restent.", "success")
    return _back(slug, "engagements")


@bp.post("/subventions")
@staff_page(Role.admin)
def record_grant(slug):
    partner = services.get_partner(slug)
    csrf.protect()
    form = GrantForm(prefix="grant")
    _forms(partner, grant=form)
    if form.validate():
        try:
            campaign = services.get_campaign(form.campaign.data)
            grant = services.record_grant(campaign, partner.id, form.amount.cents,
                                          reference=(form.reference.data or "").strip() or None)
        except DomainError as refused:
            db.session.rollback()
            refuse(form, [refused.field or "campaign"], GRANT_FIELDS,
                   "Cette campagne ne reçoit plus d'argent." if isinstance(refused, Conflict) else None)
        else:
            if not confirmed():
                # A grant cannot be taken back from these pages: checked by the service, undone until confirmed.
                db.session.rollback()
                pending = _pending("subventions", "grant-", "Oui, enregistrer cette subvention",
                                   f"Enregistrer une subvention de {format_eur(form.amount.cents)} de {partner.name} "
                                   f"sur « {campaign.title} » ? Elle compte aussitôt dans la collecte de la campagne "
                                   "et le partenaire la doit jusqu'à son paiement.")
                return _page(services.get_partner(slug), 200, grant=form, pending=pending)
            record_action(current_user(), "grant.record", campaign, f"{partner.name} : {format_eur(grant.amount_cents)}")
            db.session.commit()
            flash(f"Subvention de {format_eur(grant.amount_cents)} enregistrée sur « {campaign.title} ».", "success")
            return _back(slug, "subventions")
    return _page(services.get_partner(slug), 400, grant=form)


@bp.post("/paiements")
@staff_page(Role.admin)
def record_payment(slug):
    partner = services.get_partner(slug)
    csrf.protect()
    form = PaymentForm(prefix="payment")
    _forms(partner, payment=form)
    if form.validate():
        try:
            campaign = services.get_campaign(form.campaign.data)
            payment, created = services.record_partner_payment(
                partner, campaign, amount_cents=form.amount.cents, received_on=form.received_on.data,
                method=form.method.data, reference=form.reference.data)
        except DomainError as refused:
            db.session.rollback()
            message = None
            if refused.field == "amount_cents":
                message = "Ce montant dépasse ce que le partenaire doit sur cette campagne."
            refuse(form, [refused.field or "campaign"], PAYMENT_FIELDS, message)
        else:
            if created and not confirmed():
                # Checked by the service itself, then undone: the payment is written (and its company
                # receipt queued) only once the administrator confirms what they typed.
                db.session.rollback()
                method = METHOD_LABELS[PartnerPaymentMethod(form.method.data)].lower()
                pending = _pending("paiements", "payment-", "Oui, enregistrer ce paiement",
                                   f"Enregistrer ce paiement ? {format_eur(form.amount.cents)} reçus le "
                                   f"{form.received_on.data:%d/%m/%Y} par {method} (référence "
                                   f"{form.reference.data.strip()}) pour « {campaign.title} ». Le reçu de mécénat "
                                   "du partenaire sera émis à cette date : vérifiez avant de confirmer.")
                return _page(services.get_partner(slug), 200, payment=form, pending=pending)
            if created:
                record_action(current_user(), "partner.payment", campaign,
                              f"{partner.name} : {format_eur(payment.amount_cents)} ({payment.reference})")
            db.session.commit()
            flash(f"Paiement de {format_eur(payment.amount_cents)} enregistré : le reçu de mécénat suit."
                  if created else "Ce paiement était déjà enregistré : rien n'a changé.", "success")
            return _back(slug, "paiements")
    return _page(services.get_partner(slug), 400, payment=form)


def register(app):
    app.register_blueprint(bp)
    # No menu entry of its own: reached from each partner's page.
