"""Annual receipts: one per donor and organization for a calendar year ("cumul 2026").

They cover the gifts whose donors chose an annual receipt, and the round-ups of identified round-up
donors. A round-up donor gave only an email at checkout: no receipt is issued for them until they
have completed their name and address through the signed link we email them (`RoundupDonor`);
until then they are reported as waiting, never given a receipt with an invented identity.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from campaigns.models import Campaign
from donations.models import Donation, ReceiptChoice
from donations.roundup.services import donor_year_totals
from receipts.models import Receipt, ReceiptKind, RoundupDonor
from receipts.services.eligibility import (RECEIPTED_STATES, campaign_allows_receipts, counterpart_within_limits,
                                           donor_key, donor_snapshot, eligible_cents)
from receipts.services.issuing import ReceiptDraft, issue_receipts

CHUNK = 64  # receipts per transaction: the counter lock is held while a chunk renders


def annual_source_key(year: int, donor_key: str) -> str:
    return f"annual:{year}:{hashlib.sha256(donor_key.encode()).hexdigest()[:40]}"


def _donor_key(donation):
    return donor_key(donation)  # one key for a donor's annual receipt and their year's counterparts


@dataclass
class AnnualPlan:
    drafts: list = field(default_factory=list)
    already_issued: int = 0
    waiting_for_address: list = field(default_factory=list)  # (email, cents) of round-up donors


def plan_annual(organization, year: int) -> AnnualPlan:
    """The annual receipts the organization owes for `year`, those already issued left out."""
    # The dated table: a year's receipt takes the figures of that year (on 31 December, see
    # app.tax_rules.rules_day), and so does the check of each donor's counterparts over the year.
    rules = current_app.config["TAX_RULES"]
    gifts = db.session.scalars(
        select(Donation).join(Campaign, Campaign.id == Donation.campaign_id)
        .where(Donation.organization_id == organization.id, Donation.receipt_choice == ReceiptChoice.annual,
               Donation.status.in_(RECEIPTED_STATES),
               Donation.paid_on >= date(year, 1, 1), Donation.paid_on <= date(year, 12, 31))
        .order_by(Donation.paid_on, Donation.id)).all()
    groups = {}
    for gift in gifts:
        if not campaign_allows_receipts(gift.campaign) or not counterpart_within_limits(gift, rules):
            continue
        if eligible_cents(gift) > 0:
            groups.setdefault(_donor_key(gift), []).append(gift)
    roundups = {email.strip().lower(): cents for email, cents in donor_year_totals(organization.id, year) if cents > 0}
    profiles = {p.email: p for p in db.session.scalars(
        select(RoundupDonor).where(RoundupDonor.email.in_(list(roundups))))} if roundups else {}
    existing = set(db.session.scalars(select(Receipt.source_key).where(
        Receipt.organization_id == organization.id, Receipt.source_key.like(f"annual:{year}:%"))))
    plan = AnnualPlan()
    for key, donor_gifts in groups.items():
        email = key.removeprefix("individual:") if key.startswith("individual:") else None
        draft = _draft(organization, year, key, donor_gifts, roundups.pop(email, 0) if email else 0)
        if draft.source_key in existing:
            plan.already_issued += 1
        else:
            plan.drafts.append(draft)
    for email, cents in sorted(roundups.items()):
        profile = profiles.get(email)
        if profile is None:
            plan.waiting_for_address.append((email, cents))
            continue
        draft = _draft(organization, year, f"individual:{email}", [], cents, profile)
        if draft.source_key in existing:
            plan.already_issued += 1
        else:
            plan.drafts.append(draft)
    return plan


def _profile_snapshot(profile):
    return {"first_name": profile.first_name, "last_name": profile.last_name,
            "address_line1": profile.address_line1, "address_line2": profile.address_line2 or "",
            "postal_code": profile.postal_code, "city": profile.city, "country": profile.country,
            "email": profile.email}


def _draft(organization, year, donor_key, gifts, roundup_cents, profile=None, replaces=None):
    latest = gifts[-1] if gifts else None
    kept = sum(g.amount_cents - g.refunded_cents for g in gifts)
    counterpart = sum(min(g.tier_fair_value_cents or 0, g.amount_cents - g.refunded_cents) for g in gifts)
    methods = sorted({g.payment_method.value for g in gifts}) or ["card"]  # round-ups are paid by card
    return ReceiptDraft(
        organization=organization,
        source_key=f"replaces:{replaces.number}" if replaces is not None else annual_source_key(year, donor_key),
        kind=ReceiptKind.annual,
        donor_type=latest.donor_type.value if latest else "individual",
        donor=donor_snapshot(latest) if latest else _profile_snapshot(profile),
        gift_cents=kept + roundup_cents, counterpart_cents=counterpart, roundup_cents=roundup_cents,
        gift_year=year, payment_methods=methods,
        gifts=[(g.id, eligible_cents(g)) for g in gifts], replaces=replaces)


def annual_replacement_draft(receipt: Receipt) -> ReceiptDraft | None:
    """After a refund: the same donor and year, the gifts as they now stand; None if nothing is left."""
    gifts = [g for g in (db.session.get(Donation, rg.donation_id) for rg in receipt.gifts) if eligible_cents(g) > 0]
    if not gifts and not receipt.roundup_cents:
        return None
    draft = _draft(receipt.organization, receipt.gift_year, "", gifts, receipt.roundup_cents, replaces=receipt)
    draft.donor = dict(receipt.donor)  # the donor as printed on the receipt being corrected
    draft.donor_type = receipt.donor_type
    return draft


def run_annual(organization, year, *, renderer=None, progress=None, on_chunk=None) -> tuple[AnnualPlan, int]:
    """Issue every annual receipt the organization owes for `year`, committing chunk by chunk.

    This batch commits (unlike other services) so that a run killed half-way keeps what it issued
    and a re-run, which re-plans, issues only the rest: each receipt once, numbers without gap.
    """
    plan = plan_annual(organization, year)
    issued = 0
    for start in range(0, len(plan.drafts), CHUNK):
        chunk = plan.drafts[start:start + CHUNK]
        try:
            receipts = issue_receipts(chunk, renderer=renderer)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        issued += len(receipts)
        if on_chunk is not None:
            on_chunk(receipts)
        for receipt in receipts:  # their PDFs are stored: keep memory flat over a long batch
            db.session.expunge(receipt)
        if progress is not None:
            progress(len(chunk))
    return plan, issued
