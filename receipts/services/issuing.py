"""Issuing receipts: the draft of a gift's, a partner's payment's or a merchant's top-up's receipt, numbering
without gap or duplicate, the frozen snapshot, the PDF, the row.

Numbers are given under a lock on the organization's counter row for the year, taken by the issuing
transaction itself and held until it commits: two issuers of the same organization queue behind one
another (PostgreSQL row lock; SQLite has a single writer), and a transaction that fails or is killed
rolls its numbers back with its receipts. So the sequence has no gap and no duplicate.
"""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.errors import InvalidInput
from app.extensions import db
from app.formatting import local_today
from app.sql import insert_ignoring
from campaigns.models import PartnerPayment
from donations.models import Donation
from donations.roundup.models import SettlementLine
from receipts.models import Receipt, ReceiptCounter, ReceiptGift, ReceiptKind
from receipts.services import documents
from receipts.services.eligibility import (donor_snapshot, eligible_cents, gift_date, merchant_snapshot,
                                           partner_snapshot, settlement_paid_on)
from receipts.services.pdf import InlineRenderer


@dataclass
class ReceiptDraft:
    """Everything a receipt says, before it has a number."""

    organization: object
    source_key: str  # what it is issued for; the database allows one receipt per key
    kind: ReceiptKind
    donor_type: str  # "individual" or "company"
    donor: dict  # first_name, last_name or company_name, legal_form, siren; address; email
    gift_cents: int
    counterpart_cents: int = 0
    roundup_cents: int = 0
    paid_on: date | None = None
    gift_year: int | None = None
    period_start: date | None = None  # a merchant's monthly top-up: the month it was given over
    period_end: date | None = None
    payment_methods: list = field(default_factory=list)  # PaymentMethod values: card, cheque...
    gifts: list = field(default_factory=list)  # (donation_id, eligible cents)
    replaces: Receipt | None = None
    complements: Receipt | None = None  # a complementary annual receipt: the donor's first one of the year

    @property
    def amount_cents(self) -> int:
        return self.gift_cents - self.counterpart_cents

    @property
    def donor_name(self) -> str:
        if self.donor_type == "company":
            return self.donor.get("company_name", "")
        return f"{self.donor.get('first_name', '')} {self.donor.get('last_name', '')}".strip()


def single_draft(donation: Donation, replaces: Receipt | None = None) -> ReceiptDraft:
    """The receipt of one gift as it now stands (what was kept), or of its correction after a refund."""
    kept = donation.amount_cents - donation.refunded_cents
    counterpart = min(donation.tier_fair_value_cents or 0, kept)
    return ReceiptDraft(
        organization=donation.organization, source_key=(f"replaces:{replaces.number}" if replaces is not None
                                                        else f"gift:{donation.id}"),
        kind=ReceiptKind.single, donor_type=donation.donor_type.value, donor=donor_snapshot(donation),
        gift_cents=kept, counterpart_cents=counterpart, paid_on=gift_date(donation),
        payment_methods=[donation.payment_method.value], gifts=[(donation.id, eligible_cents(donation))],
        replaces=replaces)


def partner_payment_draft(payment: PartnerPayment, organization) -> ReceiptDraft:
    """A company partner's payment for its matches and grants: a Cerfa 16216 receipt for the money
    received, dated the day it arrived, paid as recorded (transfer, cheque, direct debit)."""
    return ReceiptDraft(
        organization=organization, source_key=f"partner-payment:{payment.id}", kind=ReceiptKind.single,
        donor_type="company", donor=partner_snapshot(payment.partner), gift_cents=payment.amount_cents,
        paid_on=payment.received_on, payment_methods=[payment.method.value])


def merchant_topup_draft(line: SettlementLine, organization) -> ReceiptDraft:
    """A merchant's own top-up on one paid line of a statement: a Cerfa 16216 receipt to the merchant
    for its part of the line, dated the day its transfer reached the organization (the line's
    `paid_on`; the statement's payment day for a line paid before lines carried their own), for the
    statement's month."""
    settlement = line.settlement
    month = settlement.month
    last_day = date(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)
    return ReceiptDraft(
        organization=organization, source_key=f"merchant-topup:{line.id}", kind=ReceiptKind.single,
        donor_type="company", donor=merchant_snapshot(settlement.merchant), gift_cents=line.match_cents,
        paid_on=line.paid_on or settlement_paid_on(settlement), period_start=month, period_end=last_day,
        payment_methods=["transfer"])


def format_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:06d}"


def lock_counter(organization_id: int, year: int) -> int:
    """Lock the counter row for this transaction and return the last sequence given."""
    insert_ignoring(ReceiptCounter, {"organization_id": organization_id, "year": year, "last_sequence": 0},
                    ["organization_id", "year"])
    # An UPDATE (even to the same value) takes the row lock on PostgreSQL and the write lock on
    # SQLite, where a SELECT ... FOR UPDATE would take nothing.
    return db.session.execute(
        update(ReceiptCounter)
        .where(ReceiptCounter.organization_id == organization_id, ReceiptCounter.year == year)
        .values(last_sequence=ReceiptCounter.last_sequence)
        .returning(ReceiptCounter.last_sequence)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def last_sequence(organization_id: int, year: int) -> int:
    """The last sequence given, read without lock: what numbers rendered ahead assume (see `Ahead`)."""
    return db.session.scalar(select(ReceiptCounter.last_sequence).where(
        ReceiptCounter.organization_id == organization_id, ReceiptCounter.year == year)) or 0


@dataclass
class Ahead:
    """Receipts numbered and sent to the renderer before their transaction locks the counter, on the
    assumption that `after` will then be the last number given: a batch renders its next chunk while
    it stores the current one. `issue_receipts` uses them only if the assumption holds under the lock
    (and none of the drafts has been receipted meanwhile); otherwise it numbers and renders again."""

    drafts: list
    after: int
    issued_on: date
    receipts: list
    pdfs: object  # the renderer's iterator of PDFs, in order

    def discard(self):
        close = getattr(self.pdfs, "close", None)
        if close is not None:
            close()  # a pool's iterator cancels the renderings not yet started


def render_ahead(drafts, after: int, issued_on: date, renderer=None) -> Ahead:
    """Number `drafts` from `after` + 1 and start rendering them (see `Ahead`)."""
    organization = drafts[0].organization
    beneficiary = documents.beneficiary_snapshot(organization)
    receipts = [numbered_receipt(draft, issued_on.year, after + offset, issued_on, beneficiary)
                for offset, draft in enumerate(drafts, start=1)]
    pdfs = (renderer or InlineRenderer()).render_many(
        [documents.build_document(receipt, draft) for receipt, draft in zip(receipts, drafts)])
    return Ahead(list(drafts), after, issued_on, receipts, pdfs)


def article_for(organization, donor_type: str) -> str:
    if donor_type == "company":
        return "238 bis"
    # An organization whose gifts reduce the wealth tax (IFI) instead is listed in configuration.
    if organization.slug in current_app.config.get("RECEIPTS_ARTICLE_978_ORGANIZATIONS", ()):
        return "978"
    return "200"


def _check(draft):
    if draft.amount_cents <= 0:
        raise InvalidInput("nothing in this gift earns a tax reduction", "amount_cents")
    if draft.kind is ReceiptKind.single and draft.paid_on is None:
        raise InvalidInput("a single receipt needs the date the money was received", "paid_on")
    if draft.kind is ReceiptKind.annual and draft.gift_year is None:
        raise InvalidInput("an annual receipt needs its year", "year")
    if not draft.payment_methods:
        raise InvalidInput("a receipt states how the money was paid", "payment_method")


def numbered_receipt(draft: ReceiptDraft, year: int, sequence: int, issued_on: date, beneficiary: dict) -> Receipt:
    """The receipt row a draft becomes under `sequence`, not yet rendered nor added to the session."""
    organization = draft.organization
    form = documents.form_for(draft.donor_type)
    return Receipt(
        organization=organization, organization_id=organization.id, year=year, sequence=sequence,
        number=format_number(year, sequence), kind=draft.kind, donor_type=draft.donor_type,
        form_number=form["number"], form_version=form["version"],
        article=article_for(organization, draft.donor_type), source_key=draft.source_key,
        gift_cents=draft.gift_cents, counterpart_cents=draft.counterpart_cents,
        roundup_cents=draft.roundup_cents, amount_cents=draft.amount_cents, paid_on=draft.paid_on,
        gift_year=draft.gift_year, period_start=draft.period_start, period_end=draft.period_end,
        payment_method=documents.payment_words(draft.payment_methods),
        donor_name=draft.donor_name, donor_email=(draft.donor.get("email") or "").strip().lower(),
        donor=dict(draft.donor), beneficiary=beneficiary, issued_on=issued_on,
        verification_token=secrets.token_urlsafe(24),
    )


def issue_receipts(drafts, *, renderer=None, issued_on=None, ahead: Ahead | None = None) -> list[Receipt]:
    """Number, render and store receipts of one organization, in the caller's transaction.

    Drafts whose source is already receipted are skipped (a re-run issues nothing twice). The
    counter lock is held from the first number to the commit; the caller commits. `ahead`: these
    drafts as `render_ahead` numbered and rendered them, used if their numbers are still the next.
    """
    if not drafts:
        return []
    organization = drafts[0].organization
    if any(d.organization.id != organization.id for d in drafts):
        raise ValueError("issue_receipts takes the drafts of one organization at a time")
    if not organization.issues_receipts:
        raise InvalidInput("this organization does not issue tax receipts", "organization")
    if organization.signature_png is None:
        # A receipt is signed (the signatory's image); none is issued before the organization uploads it.
        raise InvalidInput("the organization has no signature image: upload it before issuing receipts",
                           "signature")
    for draft in drafts:
        _check(draft)
    issued_on = issued_on or local_today()
    year = issued_on.year
    last = lock_counter(organization.id, year)
    # Read after the lock: a concurrent issuer of the same source has committed by now.
    done = set(db.session.scalars(select(Receipt.source_key).where(
        Receipt.organization_id == organization.id, Receipt.source_key.in_([d.source_key for d in drafts]))))
    seen, pending = set(done), []
    for draft in drafts:
        if draft.source_key not in seen:
            seen.add(draft.source_key)
            pending.append(draft)
    if not pending:
        return []
    if (ahead is not None and ahead.after == last and ahead.issued_on == issued_on
            and [d.source_key for d in ahead.drafts] == [d.source_key for d in pending]):
        receipts, pdfs = ahead.receipts, ahead.pdfs
    else:
        if ahead is not None:
            ahead.discard()  # numbered on an assumption that no longer holds
        beneficiary = documents.beneficiary_snapshot(organization)
        receipts = [numbered_receipt(draft, year, last + offset, issued_on, beneficiary)
                    for offset, draft in enumerate(pending, start=1)]
        pdfs = (renderer or InlineRenderer()).render_many(
            [documents.build_document(receipt, draft) for receipt, draft in zip(receipts, pending)])
    for index, (receipt, draft, pdf) in enumerate(zip(receipts, pending, pdfs), start=1):
        receipt.pdf = pdf
        receipt.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        receipt.replaces_id = draft.replaces.id if draft.replaces is not None else None
        receipt.complements_id = draft.complements.id if draft.complements is not None else None
        db.session.add(receipt)
        if index % 16 == 0:
            db.session.flush()  # store these while the pool renders the next ones
    db.session.execute(
        update(ReceiptCounter)
        .where(ReceiptCounter.organization_id == organization.id, ReceiptCounter.year == year)
        .values(last_sequence=last + len(pending))
        .execution_options(synchronize_session=False))
    db.session.flush()
    for receipt, draft in zip(receipts, pending):
        db.session.add_all(ReceiptGift(receipt_id=receipt.id, donation_id=donation_id, amount_cents=cents)
                           for donation_id, cents in draft.gifts)
        if draft.replaces is not None:
            draft.replaces.replaced_by_id = receipt.id
    db.session.flush()
    return receipts
