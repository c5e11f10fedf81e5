"""Statements collected by SEPA Direct Debit: each organization debits what a statement owes it.

`STATEMENT_DEBIT_DAYS` after a statement is issued (the statement, on the merchant's dashboard, is the
debit's advance notice, as the mandate says), the scheduled job creates, for each organization still
due on it that holds an active mandate of the merchant, one PaymentIntent on the organization's account
(the mandate's payment method, off session, confirmed; Stripe idempotency key from the statement and the
organization) and records it `processing` (`StatementDebit`, one per statement and organization).
The organization's account's events settle it: `payment_intent.succeeded` marks the organization's lines
paid through `mark_organization_paid` (paid on the day it succeeded, in the territory's time zone), so
receipts follow exactly as for a transfer marked by hand; `payment_intent.payment_failed` records the
bank's refusal, the lines stay due, and the treasurer may still mark a transfer received by hand.
"""
import logging
from datetime import timedelta

import stripe
from flask import current_app
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.formatting import local_today, to_local
from app.sql import locked
from app.types import utcnow
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.roundup.debit_models import DebitStatus, StatementDebit
from donations.roundup.models import Settlement, SettlementStatus
from donations.roundup.services.mandates import active_mandate
from donations.roundup.services.payments import mark_organization_paid, payments_due

log = logging.getLogger(__name__)

# What the merchant and the treasurer read when the bank refuses (Stripe's codes for SEPA debits).
FAILURES = {
    "insufficient_funds": "Provision insuffisante sur le compte du commerçant.",
    "account_closed": "Le compte bancaire du commerçant est clos.",
    "debit_not_authorized": "La banque du commerçant refuse ce prélèvement (mandat contesté ou non reconnu).",
    "bank_account_restricted": "Le compte bancaire du commerçant n'accepte pas les prélèvements.",
}
GENERIC_FAILURE = "La banque du commerçant a refusé le prélèvement."


def debit_key(settlement_id: int, organization_id: int) -> str:
    return f"solidaire-statement-{settlement_id}-{organization_id}-debit"


def statements_to_debit(today=None):
    """Ids of the issued statements old enough to be debited (issued STATEMENT_DEBIT_DAYS days ago or more)."""
    today = today or local_today()
    days = current_app.config["STATEMENT_DEBIT_DAYS"]
    return [settlement.id for settlement in db.session.scalars(
        select(Settlement).where(Settlement.status == SettlementStatus.issued, Settlement.total_cents > 0)
        .order_by(Settlement.id))
        if to_local(settlement.created_at).date() + timedelta(days=days) <= today]


def debit_statement(settlement: Settlement) -> list[StatementDebit]:
    """Start the debits of one statement: one per organization still due with an active mandate and no debit
    yet. Each is flushed with its PaymentIntent; the caller commits (the job commits statement by statement)."""
    db.session.scalar(locked(select(Settlement.id).where(Settlement.id == settlement.id)))
    db.session.refresh(settlement)
    started = []
    for due in payments_due(settlement):
        if due.status != "due":
            continue
        mandate = active_mandate(settlement.merchant_id, due.organization.id)
        if mandate is None or mandate.stripe_account_id != due.organization.stripe_account_id:
            continue
        exists = db.session.scalar(select(StatementDebit.id).where(
            StatementDebit.settlement_id == settlement.id, StatementDebit.organization_id == due.organization.id))
        if exists is not None:
            continue
        debit = StatementDebit(settlement_id=settlement.id, organization_id=due.organization.id, mandate_id=mandate.id,
                               amount_cents=due.amount_cents, status=DebitStatus.processing)
        db.session.add(debit)
        db.session.flush()
        try:
            intent = _create_intent(settlement, due, mandate)
        except stripe.CardError as error:  # refused at once (Stripe says so for a debit it knows will fail)
            debit.status, debit.settled_at = DebitStatus.failed, utcnow()
            debit.failure_reason = FAILURES.get(getattr(error, "code", None), GENERIC_FAILURE)
            intent_id = object_id(getattr(error.error, "payment_intent", None)) if error.error else None
            debit.stripe_payment_intent_id = intent_id
            db.session.flush()
            started.append(debit)
            continue
        debit.stripe_payment_intent_id = intent.id
        db.session.flush()
        if intent.status in ("succeeded", "requires_payment_method", "canceled"):
            settle_debit(debit, intent.to_dict())
        started.append(debit)
    return started


def _create_intent(settlement, due, mandate):
    with call_stripe("debiting the merchant's statement"):
        return stripe_client().v1.payment_intents.create(params={
            "amount": due.amount_cents, "currency": "eur", "customer": mandate.stripe_customer_id,
            "payment_method": mandate.stripe_payment_method_id, "payment_method_types": ["sepa_debit"],
            "confirm": True, "off_session": True,
            "metadata": {"settlement": str(settlement.id), "organization": due.organization.slug,
                         "reference": due.reference}},
        options=on_account(mandate.stripe_account_id,
                           idempotency_key=debit_key(settlement.id, due.organization.id)))


def reconcile_debits(older_than=timedelta(hours=1)) -> dict:
    """Debits still processing for a while are re-read from Stripe and settled: an event that came before
    the debit's row was committed (or was lost) is recovered. {outcome: count}."""
    outcomes = {}
    ids = db.session.scalars(select(StatementDebit.stripe_payment_intent_id).where(
        StatementDebit.status == DebitStatus.processing, StatementDebit.stripe_payment_intent_id.is_not(None),
        StatementDebit.created_at <= utcnow() - older_than).order_by(StatementDebit.id)).all()
    for intent_id in ids:
        try:
            outcome = settle_debit_intent(intent_id)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            log.warning("debit %s not reconciled: %s", intent_id, error.detail)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def collect_statements(today=None) -> dict:
    """The scheduled job: debit every statement due for it, one transaction per statement. {outcome: count}."""
    outcomes = {}
    for settlement_id in statements_to_debit(today):
        try:
            started = debit_statement(db.session.get(Settlement, settlement_id))
            db.session.commit()
            outcome = "debited" if started else "nothing"
        except DomainError as error:
            db.session.rollback()
            log.warning("statement %s not debited, left for the next run: %s", settlement_id, error.detail)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def settle_debit_intent(intent_id: str, account=None) -> str | None:
    """The webhook's part: None when the PaymentIntent is no statement's debit (a gift's), else what was done.
    The intent is re-read from Stripe on the mandate's account; the debit's row is locked."""
    debit = db.session.scalar(locked(select(StatementDebit).where(StatementDebit.stripe_payment_intent_id == intent_id)))
    if debit is None:
        return None
    with call_stripe("reading the statement's debit"):
        intent = stripe_client().v1.payment_intents.retrieve(
            intent_id, options=on_account(debit.mandate.stripe_account_id)).to_dict()
    return settle_debit(debit, intent)


def settle_debit(debit: StatementDebit, intent: dict) -> str:
    """Bring the debit to what Stripe says of its PaymentIntent (a repeat changes nothing)."""
    if debit.status is not DebitStatus.processing:
        return "unchanged"
    status = intent.get("status")
    if status == "succeeded":
        debit.status, debit.settled_at = DebitStatus.succeeded, utcnow()
        db.session.flush()
        settlement = db.session.get(Settlement, debit.settlement_id)
        due = next(iter(payments_due(settlement, debit.organization_id)), None)
        if due is not None and due.paid_on is not None:
            # A transfer was marked received by hand meanwhile: the merchant paid twice, which the
            # treasurer sees on the debit (succeeded) beside the line paid on another day.
            log.warning("statement %s: debit for %s succeeded after a transfer was marked", settlement.id,
                        debit.organization_id)
            return "succeeded, already paid"
        mark_organization_paid(settlement, debit.organization_id, local_today())
        return "succeeded"
    if status in ("requires_payment_method", "canceled"):
        error = intent.get("last_payment_error") or {}
        code = error.get("decline_code") or error.get("code")
        debit.status, debit.settled_at = DebitStatus.failed, utcnow()
        debit.failure_reason = FAILURES.get(code, GENERIC_FAILURE)
        db.session.flush()
        return "failed"
    return "unchanged"


def debits_of(*, settlement_ids=None, organization_id=None, statuses=None, limit=50) -> list[StatementDebit]:
    query = select(StatementDebit).order_by(StatementDebit.created_at.desc(), StatementDebit.id.desc())
    if settlement_ids is not None:
        query = query.where(StatementDebit.settlement_id.in_(list(settlement_ids)))
    if organization_id is not None:
        query = query.where(StatementDebit.organization_id == organization_id)
    if statuses is not None:
        query = query.where(StatementDebit.status.in_(list(statuses)))
    return list(db.session.scalars(query.limit(limit)))


def debit_for(settlement_id: int, organization_id: int) -> StatementDebit | None:
    """The SEPA debit collecting what a statement owes an organization, if one was started."""
    return db.session.scalar(select(StatementDebit).where(StatementDebit.settlement_id == settlement_id,
                                                          StatementDebit.organization_id == organization_id))
