"""Partners' payments: the money a partner actually paid for its matches and grants.

See `campaigns.models.payments` for the design (a payment row, the ledger lines it covers, and each
line's `paid_cents`). The partner's company receipt is issued for a payment, dated when it was
received, never for a pledge or a grant agreement.
"""
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, select

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.formatting import local_today
from app.identifiers import clean_siren
from app.money import format_eur
from app.sql import locked
from campaigns import signals
from campaigns.models import (Campaign, Contribution, ContributionSource, Partner, PartnerPayment,
                              PartnerPaymentContribution, PartnerPaymentMethod)
from campaigns.services.organizations import PARTNER_FIELDS

# The ledger lines a partner pays for: its matches of citizens' gifts and its grants.
PAID_BY_PARTNERS = (ContributionSource.match, ContributionSource.grant)


def _unpaid_lines(partner_id, campaign_id, lock=False) -> Sequence[Contribution]:
    statement = (select(Contribution)
                 .where(Contribution.partner_id == partner_id, Contribution.campaign_id == campaign_id,
                        Contribution.source.in_(PAID_BY_PARTNERS),
                        Contribution.paid_cents + Contribution.reversed_cents < Contribution.amount_cents)
                 .order_by(Contribution.created_at, Contribution.id))
    return db.session.scalars(locked(statement) if lock else statement).all()


def owed_cents(partner: Partner, campaign: Campaign) -> int:
    """What the partner still owes on the campaign: its matches and grants, less reversals and payments."""
    return sum(line.amount_cents - line.reversed_cents - line.paid_cents
               for line in _unpaid_lines(partner.id, campaign.id))


def record_partner_payment(partner: Partner, campaign: Campaign, *, amount_cents: int, received_on: date,
                           method: str, reference: str) -> tuple[PartnerPayment, bool]:
    """Record money the partner paid for its matches and grants on `campaign`; returns (payment, created).

    The amount is allocated to the partner's unpaid lines on the campaign, oldest first, to the cent;
    more than is owed is refused (InvalidInput naming `amount_cents`). `reference` (the bank's or the
    cheque's) makes it idempotent: a replay with the same values returns the first payment and changes
    nothing; the same reference with other values is a Conflict. `partner_payment_recorded` tells the
    receipts package, in this transaction.
    """
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 1:
        raise InvalidInput("amount_cents is a positive whole number of cents", "amount_cents")
    if not isinstance(received_on, date):
        raise InvalidInput("received_on is a date", "received_on")
    if received_on > local_today():
        raise InvalidInput("received_on is in the future: record a payment once it has arrived", "received_on")
    try:
        method = PartnerPaymentMethod(method)
    except ValueError:
        raise InvalidInput("method is one of " + ", ".join(m.value for m in PartnerPaymentMethod), "method")
    reference = (reference or "").strip()
    if not reference or len(reference) > 200:
        raise InvalidInput("reference is 1 to 200 characters (the bank's or the cheque's)", "reference")
    # Lock the lines first: two payments of the same partner on the same campaign queue behind each other.
    lines = _unpaid_lines(partner.id, campaign.id, lock=True)
    known = db.session.scalar(select(PartnerPayment).where(PartnerPayment.partner_id == partner.id,
                                                           PartnerPayment.reference == reference))
    if known is not None:
        if (known.campaign_id, known.amount_cents, known.received_on, known.method) != (
                campaign.id, amount_cents, received_on, method):
            raise Conflict(f"the payment {reference!r} was recorded with other values "
                           f"({format_eur(known.amount_cents)} on {known.received_on:%d/%m/%Y})", "reference")
        return known, False
    owed = sum(line.amount_cents - line.reversed_cents - line.paid_cents for line in lines)
    if amount_cents > owed:
        raise InvalidInput(f"{partner.name} owes {format_eur(owed)} on this campaign: a payment of "
                           f"{format_eur(amount_cents)} is more than that", "amount_cents")
    payment = PartnerPayment(partner_id=partner.id, campaign_id=campaign.id, amount_cents=amount_cents,
                             received_on=received_on, method=method, reference=reference)
    db.session.add(payment)
    db.session.flush()
    left = amount_cents
    for line in lines:
        if left == 0:
            break
        part = min(left, line.amount_cents - line.reversed_cents - line.paid_cents)
        line.paid_cents += part
        left -= part
        db.session.add(PartnerPaymentContribution(payment_id=payment.id, contribution_id=line.id, amount_cents=part))
    db.session.flush()
    db.session.refresh(payment, ["contributions"])
    signals.partner_payment_recorded.send(payment)
    return payment, True


def partner_payments(partner: Partner) -> Select:
    """The partner's payments, newest first."""
    return (select(PartnerPayment).where(PartnerPayment.partner_id == partner.id)
            .order_by(PartnerPayment.received_on.desc(), PartnerPayment.id.desc()))


def update_partner(partner: Partner, **values) -> Partner:
    """Change a partner's identity (name, legal form, SIREN, address). Recording a SIREN the partner
    lacked sends `partner_siren_recorded`: its company receipts that waited for it may be issued."""
    values = {k: v for k, v in values.items() if k in PARTNER_FIELDS - {"slug"} and v is not None}
    if values.get("siren"):
        try:
            values["siren"] = clean_siren(values["siren"])
        except ValueError as error:
            raise InvalidInput(str(error), "siren")
    had_siren = bool(partner.siren)
    for name, value in values.items():
        setattr(partner, name, value)
    db.session.flush()
    if partner.siren and not had_siren:
        signals.partner_siren_recorded.send(partner)
    return partner
