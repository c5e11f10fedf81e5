"""Partners' monthly calls for funds: what each partner is asked to transfer to each organization.

See `campaigns.models.calls`. A call is issued once per partner, campaign and month (a UNIQUE
constraint: issuing again finds it), for what the partner owes on the campaign at the end of the
month; its amounts are frozen. Its reference (ISO 11649, derived from the call's id) goes on the
partner's transfer; marking the call received records the payment through `record_partner_payment`,
so the allocation to matches and grants and the partner's receipt follow exactly as for any payment.
"""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, func, select

from app.banking import creditor_reference
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.formatting import local_today
from app.lookups import get_by_id
from app.sql import insert_ignoring
from app.types import utcnow
from campaigns.models import CallForFunds, Campaign, Contribution, Partner
from campaigns.services.payments import PAID_BY_PARTNERS, record_partner_payment


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _start(day: date) -> datetime:
    """The first instant of `day` in the territory's time zone."""
    return datetime.combine(day, time(), ZoneInfo(current_app.config["TIMEZONE"]))


def call_reference(call: CallForFunds) -> str:
    """`RFkk 2CCC CCCC CC`: "2" (a partner's call for funds) and the call's id on 9 digits."""
    return creditor_reference(f"2{call.id:09d}")


def _owed_by_pair(month: date):
    """{(partner_id, campaign_id): (owed from before the month, owed from the month)} at the month's end."""
    start, end = _start(month), _start(_next_month(month))
    owed = Contribution.amount_cents - Contribution.reversed_cents - Contribution.paid_cents
    result = {}
    for position, (after, before) in enumerate(((None, start), (start, end))):
        query = (select(Contribution.partner_id, Contribution.campaign_id, func.sum(owed))
                 .where(Contribution.source.in_(PAID_BY_PARTNERS), Contribution.partner_id.is_not(None),
                        Contribution.created_at < before, owed > 0)
                 .group_by(Contribution.partner_id, Contribution.campaign_id))
        if after is not None:
            query = query.where(Contribution.created_at >= after)
        for partner_id, campaign_id, cents in db.session.execute(query):
            parts = result.setdefault((partner_id, campaign_id), [0, 0])
            parts[position] += int(cents)
    return result


def issue_calls(month: date, partner: Partner | None = None) -> list[CallForFunds]:
    """Issue `month`'s calls (of every partner, or of `partner`) for what is owed at its end; a call
    already issued stays as it is. Returns the month's calls. The month must be over."""
    if month >= local_today().replace(day=1):
        raise InvalidInput(f"{month:%Y-%m} is not over yet", "month")
    for (partner_id, campaign_id), (earlier, during) in _owed_by_pair(month).items():
        if partner is not None and partner_id != partner.id:
            continue
        insert_ignoring(CallForFunds, {
            "partner_id": partner_id, "campaign_id": campaign_id, "month": month, "earlier_cents": earlier,
            "month_cents": during, "amount_cents": earlier + during, "issued_at": utcnow()},
            ["partner_id", "campaign_id", "month"])
    db.session.flush()
    query = calls_for(month=month, partner_id=partner.id if partner is not None else None)
    return db.session.scalars(query).all()


def calls_for(*, month: date | None = None, partner_id: int | None = None, organization_id: int | None = None,
              received: bool | None = None) -> Select:
    """Calls for funds, newest month first, filtered by month, partner, the campaign's organization."""
    query = select(CallForFunds).join(Campaign, Campaign.id == CallForFunds.campaign_id)
    if month is not None:
        query = query.where(CallForFunds.month == month)
    if partner_id is not None:
        query = query.where(CallForFunds.partner_id == partner_id)
    if organization_id is not None:
        query = query.where(Campaign.organization_id == organization_id)
    if received is not None:
        query = query.where(CallForFunds.payment_id.is_not(None) if received else CallForFunds.payment_id.is_(None))
    return query.order_by(CallForFunds.month.desc(), CallForFunds.partner_id, CallForFunds.id)


def get_call(call_id) -> CallForFunds:
    return get_by_id(CallForFunds, call_id, "call for funds")


def mark_call_received(call: CallForFunds, *, received_on: date, amount_cents: int | None = None,
                       method: str = "transfer") -> tuple[CallForFunds, bool]:
    """The partner's transfer for `call` arrived on `received_on` (the call's amount unless told
    otherwise); returns (call, created). The payment is recorded by `record_partner_payment` with the
    call's reference: it is allocated to the partner's matches and grants and receipted as any payment,
    and a replay with the same values records nothing. A call received already with other values is a
    Conflict."""
    amount = call.amount_cents if amount_cents is None else amount_cents
    if call.payment is not None:
        known = call.payment
        if (known.amount_cents, known.received_on, known.method.value) != (amount, received_on, method):
            raise Conflict(f"this call was received already on {known.received_on:%d/%m/%Y}", "received_on")
        return call, False
    payment, created = record_partner_payment(call.partner, call.campaign, amount_cents=amount,
                                              received_on=received_on, method=method, reference=call_reference(call))
    call.payment = payment
    db.session.flush()
    return call, created
