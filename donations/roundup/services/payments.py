"""Merchants pay each beneficiary organization directly: what is due to whom, and its payment.

A statement (`Settlement`) is split into lines per beneficiary; the money of every line whose
recipient is the same organization is one transfer from the merchant to that organization's bank
account, with a structured creditor reference (ISO 11649, `app.banking`) derived from the statement
and the organization, so the same debt always carries the same reference. The organization's finance
officer (or an administrator) marks it paid the day the transfer arrived; that day dates the receipts
it brings (`settlement_line_paid`, one per line). The statement is paid once every organization with
something due has been paid, and `settlement_paid` is sent then, as it always was.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app.banking import creditor_reference, format_iban, format_reference
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.formatting import local_today
from app.sql import locked
from app.states import Repeat, move_to
from app.types import utcnow
from campaigns.models import Organization
from donations import signals
from donations.roundup.models import (
    SETTLEMENT_TRANSITIONS,
    Settlement,
    SettlementLine,
    SettlementStatus,
)
from donations.roundup.services.settlement import next_month


@dataclass
class PaymentDue:
    """What one statement owes one organization: its lines, the account to pay and the reference."""

    settlement: Settlement
    organization: Organization
    lines: list = field(default_factory=list)

    @property
    def amount_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def match_cents(self) -> int:
        return sum(line.match_cents for line in self.lines)

    @property
    def reference(self) -> str:
        return statement_reference(self.settlement.id, self.organization.id)

    @property
    def reference_formatted(self) -> str:
        return format_reference(self.reference)

    @property
    def iban_formatted(self) -> str:
        return format_iban(self.organization.bank_iban)

    @property
    def paid_on(self) -> date | None:
        days = {line.paid_on for line in self.lines}
        return days.pop() if len(days) == 1 else None

    @property
    def status(self) -> str:
        if self.amount_cents == 0:
            return "nothing_due"
        return "paid" if self.paid_on is not None else "due"


def statement_reference(settlement_id: int, organization_id: int) -> str:
    """`RFkk 1SSS SSSS SSOO OOOO`: "1" (a round-up statement), the statement's id on 9 digits and the
    organization's on 6. Digits only, so nothing reads as another character when copied by hand;
    stable, and unique per statement and organization."""
    return creditor_reference(f"1{settlement_id:09d}{organization_id:06d}")


def payments_due(settlement: Settlement, organization_id: int | None = None) -> list[PaymentDue]:
    """The statement's transfers, one per recipient organization (only `organization_id`'s if given)."""
    by_organization = {}
    for line in settlement.lines:
        if organization_id is not None and line.recipient_organization_id != organization_id:
            continue
        by_organization.setdefault(line.recipient_organization_id, []).append(line)
    organizations = {o.id: o for o in db.session.scalars(
        select(Organization).where(Organization.id.in_(list(by_organization))))}
    return sorted((PaymentDue(settlement, organizations[org_id], lines) for org_id, lines in by_organization.items()),
                  key=lambda due: due.organization.name)


def payment_due(settlement: Settlement, organization_slug: str) -> PaymentDue:
    for due in payments_due(settlement):
        if due.organization.slug == organization_slug:
            return due
    raise NotFound(f"statement {settlement.id} owes nothing to {organization_slug!r}")


def mark_organization_paid(settlement: Settlement, organization_id: int, paid_on: date) -> tuple[PaymentDue, bool]:
    """The merchant's transfer to one organization arrived on `paid_on`; returns (due, changed).

    One transaction: the organization's lines get their payment day (each sends `settlement_line_paid`,
    so the merchant's top-up on it is receipted, dated that day), and the statement becomes paid when
    nothing else is due on it (`settlement_paid`). Marking it again with the same day changes nothing;
    another day is a Conflict naming `paid_on`.
    """
    if not isinstance(paid_on, date):
        raise InvalidInput("paid_on is a date", "paid_on")
    if paid_on > local_today():
        raise InvalidInput("paid_on is in the future: mark a payment once it has arrived", "paid_on")
    if paid_on < next_month(settlement.month):
        raise InvalidInput(f"paid_on is before the end of {settlement.month:%Y-%m}, the month the statement "
                           "settles", "paid_on")
    # Lock the statement: two officers marking two organizations paid queue behind each other, and the
    # second one sees the first one's lines when it decides whether the statement is paid.
    db.session.scalar(locked(select(Settlement.id).where(Settlement.id == settlement.id)))
    db.session.refresh(settlement)
    due = next((d for d in payments_due(settlement, organization_id)), None)
    if due is None:
        raise NotFound(f"statement {settlement.id} owes nothing to this organization")
    if due.amount_cents == 0:
        raise InvalidInput("nothing is due to this organization on this statement", "organization")
    if due.paid_on is not None:
        if due.paid_on != paid_on:
            raise Conflict(f"already marked paid on {due.paid_on:%d/%m/%Y}", "paid_on")
        return due, False
    now = utcnow()
    for line in due.lines:
        line.paid_on, line.paid_at = paid_on, now
    db.session.flush()
    for line in due.lines:
        signals.settlement_line_paid.send(line)
    _close_if_all_paid(settlement, now)
    return due, True


def _close_if_all_paid(settlement: Settlement, now) -> None:
    if any(line.paid_on is None and line.amount_cents > 0 for line in settlement.lines):
        return
    move_to(settlement, SettlementStatus.paid, SETTLEMENT_TRANSITIONS, what="statement", repeat=Repeat.REFUSE)
    settlement.paid_at = now
    db.session.flush()
    signals.settlement_paid.send(settlement)


def mark_all_paid(settlement: Settlement, paid_on: date | None = None) -> Settlement:
    """Every organization still due on the statement was paid on `paid_on` (today by default): the
    city's team saw the merchant's transfers arrive. A statement already paid is a Conflict."""
    paid_on = paid_on or local_today()
    if settlement.status is SettlementStatus.paid:
        move_to(settlement, SettlementStatus.paid, SETTLEMENT_TRANSITIONS, what="statement", repeat=Repeat.REFUSE)
    unpaid = [due for due in payments_due(settlement) if due.status == "due"]
    for due in unpaid:
        mark_organization_paid(settlement, due.organization.id, paid_on)
    if settlement.status is not SettlementStatus.paid:  # nothing was due on it at all
        _close_if_all_paid(settlement, utcnow())
    return settlement


def unpaid_lines_of(organization_id: int):
    """The organization's statement lines still due, oldest statement first (for its treasurer)."""
    return (select(SettlementLine).join(Settlement, Settlement.id == SettlementLine.settlement_id)
            .where(SettlementLine.recipient_organization_id == organization_id, SettlementLine.paid_on.is_(None),
                   SettlementLine.amount_cents > 0)
            .order_by(Settlement.month, Settlement.id, SettlementLine.id))
