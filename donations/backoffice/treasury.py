"""/gestion/tresorerie: the association's treasurer — its bank details, the merchants' round-up transfers
and the partners' calls for funds to mark received (after a confirmation), and its accounting entries
(FEC, CSV). Every write goes through the service the API calls and is logged."""
from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_home_panel, add_menu_entry, confirmed, staff_page
from app.banking import clean_bic, clean_iban, format_iban
from app.downloads import attachment
from app.errors import Conflict, DomainError, NotFound
from app.extensions import csrf, db
from app.formatting import local_today
from app.money import format_eur
from app.text import with_preposition
from campaigns import services as campaigns
from campaigns.models import CallForFunds, Organization
from donations.accounting import entries, fec
from donations.roundup import services as roundup
from donations.roundup.models import Settlement, SettlementLine

bp = Blueprint("treasury", __name__, url_prefix="/gestion/tresorerie", template_folder="../accounting/templates")


def _checked(cleaner, message):
    def check(form, field):
        if field.data:
            try:
                cleaner(field.data)
            except ValueError:
                raise ValidationError(message)
    return check


class BankForm(FlaskForm):
    iban = StringField("IBAN", validators=[
        InputRequired("Indiquez l'IBAN du compte."),
        _checked(clean_iban, "Cet IBAN n'est pas valable : recopiez-le depuis le RIB de l'association.")])
    bic = StringField("BIC (facultatif)", validators=[
        Optional(), _checked(clean_bic, "Ce BIC n'est pas valable : 8 ou 11 lettres et chiffres.")])
    account_holder = StringField("Titulaire du compte", validators=[
        InputRequired("Indiquez le titulaire du compte, tel qu'il figure sur le RIB."),
        Length(max=70, message="70 caractères au plus.")])


class ReceivedForm(FlaskForm):
    day = DateField("Date d'arrivée sur le compte", validators=[InputRequired("Indiquez la date d'arrivée.")])


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a download (GET) changes nothing

    du = DateField("Du", validators=[InputRequired("Indiquez le premier jour.")])
    au = DateField("Au", validators=[InputRequired("Indiquez le dernier jour (inclus).")])


def _organization() -> Organization:
    """The signed-in finance officer's organization (staff_page let only finance officers in)."""
    return db.session.get(Organization, current_user().organization_id)


def _statements_due(organization):
    settlement_ids = list(dict.fromkeys(line.settlement_id for line in db.session.scalars(
        roundup.unpaid_lines_of(organization.id))))
    settlements = db.session.scalars(select(Settlement).where(Settlement.id.in_(settlement_ids))
                                     .order_by(Settlement.month, Settlement.id)).all()
    due = [d for s in settlements for d in roundup.payments_due(s, organization.id) if d.status == "due"]
    paid_ids = db.session.scalars(
        select(SettlementLine.settlement_id).where(SettlementLine.recipient_organization_id == organization.id,
                                                   SettlementLine.paid_on.is_not(None))
        .order_by(SettlementLine.paid_on.desc()).limit(10)).all()
    paid = [d for s in db.session.scalars(select(Settlement).where(Settlement.id.in_(paid_ids))
                                          .order_by(Settlement.month.desc()))
            for d in roundup.payments_due(s, organization.id) if d.status == "paid"]
    return due, paid


def _page(status=200, bank=None, period=None):
    organization = _organization()
    if bank is None:
        bank = BankForm(formdata=None, iban=format_iban(organization.bank_iban), bic=organization.bank_bic,
                        account_holder=organization.bank_account_holder)
    due, paid = _statements_due(organization)
    calls = db.session.scalars(campaigns.calls_for(organization_id=organization.id).limit(50)).all()
    return render_template("accounting/treasury.html", organization=organization, bank_form=bank,
                           period_form=period or PeriodForm(formdata=None), due=due, paid=paid, calls=calls,
                           received_form=ReceivedForm(formdata=None, day=local_today()),
                           call_reference=campaigns.call_reference), status


@bp.get("")
@staff_page(Role.finance)
def index():
    return _page()


@bp.post("/coordonnees-bancaires")
@staff_page(Role.finance)
def bank_details():
    csrf.protect()
    form = BankForm()
    if form.validate():
        organization = _organization()
        campaigns.set_bank_details(organization, iban=form.iban.data, bic=form.bic.data or None,
                                   account_holder=form.account_holder.data)
        record_action(current_user(), "organization.bank_details", organization,
                      f"IBAN {format_iban(organization.bank_iban)}")
        db.session.commit()
        flash("Coordonnées bancaires enregistrées : elles figurent désormais sur les relevés et les appels de fonds.",
              "success")
        return redirect(url_for("treasury.index"))
    return _page(400, bank=form)


def _received_day():
    """The date of a 'mark received' form, or None after a flash saying what is wrong."""
    form = ReceivedForm()
    if not confirmed():
        flash("Rien n'a changé : confirmez avec le bouton « Oui ».", "error")
        return None
    if not form.validate():
        flash("Indiquez la date d'arrivée du virement.", "error")
        return None
    return form.day.data


@bp.post("/releves/<int:settlement_id>/recu")
@staff_page(Role.finance)
def statement_received(settlement_id):
    csrf.protect()
    organization = _organization()
    settlement = db.session.get(Settlement, settlement_id)
    if settlement is None or not any(line.recipient_organization_id == organization.id for line in settlement.lines):
        raise NotFound(f"no statement {settlement_id}")
    day = _received_day()
    if day is None:
        return redirect(url_for("treasury.index", _anchor="releves"))
    try:
        due, changed = roundup.mark_organization_paid(settlement, organization.id, day)
    except DomainError as refused:
        db.session.rollback()
        flash(_french(refused), "error")
        return redirect(url_for("treasury.index", _anchor="releves"))
    if changed:
        record_action(current_user(), "statement.paid", f"settlement:{settlement.id}",
                      f"{organization.slug} {due.amount_cents} c le {day:%d/%m/%Y}")
    db.session.commit()
    who = with_preposition(settlement.merchant.name, "de")
    flash(f"Virement {who} ({format_eur(due.amount_cents)}) marqué reçu le {day:%d/%m/%Y} : "
          "le reçu de l'abondement du commerçant suit.", "success")
    return redirect(url_for("treasury.index", _anchor="releves"))


@bp.post("/appels/<int:call_id>/recu")
@staff_page(Role.finance)
def call_received(call_id):
    csrf.protect()
    organization = _organization()
    call = db.session.scalar(campaigns.calls_for(organization_id=organization.id).where(CallForFunds.id == call_id))
    if call is None:
        raise NotFound(f"no call for funds {call_id}")
    day = _received_day()
    if day is None:
        return redirect(url_for("treasury.index", _anchor="appels"))
    try:
        call, created = campaigns.mark_call_received(call, received_on=day)
    except DomainError as refused:
        db.session.rollback()
        flash(_french(refused), "error")
        return redirect(url_for("treasury.index", _anchor="appels"))
    if created:
        record_action(current_user(), "call_for_funds.received", f"call_for_funds:{call.id}",
                      f"{call.partner.slug} {call.payment.amount_cents} c le {day:%d/%m/%Y}")
    db.session.commit()
    who = with_preposition(call.partner.name, "de")
    flash(f"Versement {who} ({format_eur(call.payment.amount_cents)}) enregistré le {day:%d/%m/%Y} : "
          "le reçu suit s'il y a lieu.", "success")
    return redirect(url_for("treasury.index", _anchor="appels"))


def _french(refused: DomainError) -> str:
    if isinstance(refused, Conflict):
        return "Déjà marqué reçu à une autre date : rien n'a changé."
    if refused.field in ("paid_on", "received_on"):
        return "Cette date n'est pas possible : ni dans le futur, ni avant la fin du mois concerné."
    if refused.field == "amount_cents":
        return "Le partenaire doit désormais moins que le montant appelé : enregistrez son versement depuis sa fiche."
    return "Ce n'est pas possible : rien n'a changé."


@bp.get("/ecritures")
@staff_page(Role.finance)
def journal():
    if not request.args:  # the address alone: the page, its download form empty
        return _page()
    form = PeriodForm(request.args)
    valid = form.validate()
    if valid and form.du.data > form.au.data:
        form.au.errors = ["Le dernier jour vient après le premier."]
        valid = False
    if not valid:
        return _page(400, period=form)
    organization = _organization()
    journal = entries.journal(organization, form.du.data, form.au.data)
    if request.args.get("format") == "csv":
        return attachment(fec.journal_csv(journal), f"ecritures-{organization.slug}-{form.au.data:%Y%m%d}.csv")
    return Response(fec.fec_file(journal), content_type=f"text/plain; charset={fec.FEC_ENCODING}", headers={
        "Content-Disposition": f'attachment; filename="{fec.fec_filename(organization, form.au.data)}"'})


def _panel(user) -> dict:
    """The /gestion home of a finance officer: what it still awaits, and whether its IBAN is known."""
    organization = db.session.get(Organization, user.organization_id)
    lines = db.session.scalars(roundup.unpaid_lines_of(organization.id)).all()
    calls = db.session.scalars(campaigns.calls_for(organization_id=organization.id, received=False)).all()
    return {"statements_due": len({line.settlement_id for line in lines}),
            "statements_cents": sum(line.amount_cents for line in lines),
            "calls_due": len(calls), "calls_cents": sum(call.amount_cents for call in calls),
            "has_bank_details": organization.bank_iban is not None}


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "treasury.index", "Trésorerie", [Role.finance], order=40)
    add_home_panel(app, "accounting/treasury_panel.html", [Role.finance], context=_panel, order=40)

