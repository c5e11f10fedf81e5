"""Annual receipts: one per donor and organization for a calendar year ("cumul 2026").

They cover the gifts whose donors chose an annual receipt, and the round-ups of identified round-up
donors. A round-up donor gave only an email at checkout: no receipt is issued for them until they
have completed their name and address through the signed link we email them (`RoundupDonor`);
until then they are reported as waiting, never given a receipt with an invented identity.

Only a year that has ended is receipted (`ensure_year_closed`): an annual receipt attests the whole
year's money. Money of the year that arrives after the donor's annual receipt was issued (a round-up
statement the merchant pays in February, a cheque of December recorded in January) is never left
out and never receipted twice: the next run (the monthly job, the command or the API) issues a
*complementary* annual receipt for exactly what the donor's earlier receipts do not cover — the
gifts they do not list and the round-up cents above theirs. Its key is the first receipt's key
with a sequence (`annual:<year>:<donor>:2`, `:3`...), so two runs that plan the same complement
collide on the unique key and only one is issued.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.errors import InvalidInput
from app.extensions import db
from app.formatting import local_today
from campaigns.models import Campaign
from donations.models import Donation, ReceiptChoice
from donations.roundup.services import donor_year_totals
from receipts.models import Receipt, ReceiptKind, RoundupDonor
from receipts.services.eligibility import (RECEIPTED_STATES, campaign_allows_receipts, counterpart_within_limits,
                                           donor_key, donor_snapshot, eligible_cents)
from receipts.services.issuing import ReceiptDraft, issue_receipts, last_sequence, render_ahead

CHUNK = 64  # receipts per transaction: the counter lock is held while a chunk renders


def annual_source_key(year: int, donor_key: str, sequence: int = 1) -> str:
    """The key of a donor's `sequence`-th annual receipt of `year` (1: the first; 2...: complementary)."""
    key = f"annual:{year}:{hashlib.sha256(donor_key.encode()).hexdigest()[:40]}"
    return key if sequence == 1 else f"{key}:{sequence}"


def first_day_after(year: int) -> date:
    return date(year + 1, 1, 1)


def ensure_year_closed(year: int, today: date | None = None) -> None:
    """Refuse a calendar year that has not ended in the territory's time zone (Europe/Paris): its
    money is not all received, and an annual receipt attests the year's whole ("cumul <year>")."""
    opens = first_day_after(year)
    if (today or local_today()) < opens:
        raise InvalidInput(f"the year {year} has not ended: its annual receipts may be issued from "
                           f"{opens:%d/%m/%Y}", "year")


def _donor_key(donation):
    return donor_key(donation)  # one key for a donor's annual receipt and their year's counterparts


@dataclass
class AnnualPlan:
    drafts: list = field(default_factory=list)
    already_issued: int = 0
    waiting_for_address: list = field(default_factory=list)  # (email, cents) of round-up donors

    @property
    def complementary(self) -> int:
        """How many of the drafts are complementary receipts (late money of an already receipted donor)."""
        return sum(1 for draft in self.drafts if draft.complements is not None)


@dataclass
class _DonorReceipts:
    """What a donor's annual receipts of the year already say."""

    count: int = 0  # receipts issued from the donor's key: the first one and its complements
    first: Receipt | None = None  # the first receipt, or the one that now stands in its place
    roundup_cents: int = 0  # round-up cents the standing receipts attest


def _issued_for_year(organization_id, year):
    """The donor keys' receipts, and the gifts any annual receipt of the year (even cancelled) lists.

    A replacement after a refund has its own key (`replaces:<number>`): it is traced back to the
    receipt it replaces to find whose it is. A receipt cancelled without replacement still counts as
    covering its money: cancelling it was a decision, not something a re-run should undo.
    """
    receipts = db.session.scalars(select(Receipt).where(
        Receipt.organization_id == organization_id, Receipt.kind == ReceiptKind.annual,
        Receipt.gift_year == year).order_by(Receipt.id)).all()
    by_id = {r.id: r for r in receipts}
    covered = {gift.donation_id for r in receipts for gift in r.gifts}
    donors = {}
    for receipt in receipts:
        root = receipt
        while root.replaces_id is not None and root.replaces_id in by_id:
            root = by_id[root.replaces_id]
        if not root.source_key.startswith("annual:"):
            continue
        base = ":".join(root.source_key.split(":")[:3])
        donor = donors.setdefault(base, _DonorReceipts())
        if receipt is root:
            donor.count += 1
        if receipt.replaced_by_id is None:  # it stands: valid, or cancelled without replacement
            donor.roundup_cents += receipt.roundup_cents
            if root.source_key == base:
                donor.first = receipt
    return donors, covered


def plan_annual(organization, year: int, today: date | None = None) -> AnnualPlan:
    """The annual receipts the organization owes for `year`, what earlier receipts cover left out:
    a first receipt for a donor who has none, a complementary one for money their receipts miss."""
    ensure_year_closed(year, today)
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
    # Round-ups of paid statements only, with the modes the tills recorded (card, cash).
    roundup_totals = donor_year_totals(organization.id, year)
    roundups = {t.email.strip().lower(): t.cents for t in roundup_totals if t.cents > 0}
    roundup_methods = {t.email.strip().lower(): t.payment_methods for t in roundup_totals}
    profiles = {p.email: p for p in db.session.scalars(
        select(RoundupDonor).where(RoundupDonor.email.in_(list(roundups))))} if roundups else {}
    issued, covered = _issued_for_year(organization.id, year)
    plan = AnnualPlan()

    def owe(donor_key, donor_gifts, roundup_cents, profile=None):
        earlier = issued.get(annual_source_key(year, donor_key))
        if earlier is None:
            plan.drafts.append(_draft(organization, year, donor_key, donor_gifts, roundup_cents, profile,
                                      roundup_methods=roundup_methods.get(donor_key.removeprefix("individual:"), ())))
            return
        late_gifts = [g for g in donor_gifts if g.id not in covered]
        late_roundups = max(0, roundup_cents - earlier.roundup_cents)
        if not late_gifts and not late_roundups:
            plan.already_issued += 1
            return
        first = earlier.first
        if not late_gifts and profile is None and first is None:
            plan.waiting_for_address.append((donor_key.removeprefix("individual:"), late_roundups))
            return
        # Round-ups alone: the donor as the first receipt printed them (or as they completed them).
        donor = (dict(first.donor), first.donor_type) if not late_gifts and profile is None else None
        plan.drafts.append(_draft(organization, year, donor_key, late_gifts, late_roundups, profile,
                                  sequence=earlier.count + 1, complements=first, donor=donor,
                                  roundup_methods=roundup_methods.get(donor_key.removeprefix("individual:"), ())))

    for key, donor_gifts in groups.items():
        email = key.removeprefix("individual:") if key.startswith("individual:") else None
        owe(key, donor_gifts, roundups.pop(email, 0) if email else 0)
    for email, cents in sorted(roundups.items()):
        profile = profiles.get(email)
        if profile is None:
            if annual_source_key(year, f"individual:{email}") not in issued:
                plan.waiting_for_address.append((email, cents))
                continue
        owe(f"individual:{email}", [], cents, profile)
    return plan


def _profile_snapshot(profile):
    return {"first_name": profile.first_name, "last_name": profile.last_name,
            "address_line1": profile.address_line1, "address_line2": profile.address_line2 or "",
            "postal_code": profile.postal_code, "city": profile.city, "country": profile.country,
            "email": profile.email}


def _draft(organization, year, donor_key, gifts, roundup_cents, profile=None, replaces=None, *, sequence=1,
           complements=None, donor=None, roundup_methods=()):
    """`donor`: (snapshot, donor type) to print instead of the gifts' or the profile's; `roundup_methods`:
    how the tills were paid for the round-ups (card, cash)."""
    latest = gifts[-1] if gifts else None
    kept = sum(g.amount_cents - g.refunded_cents for g in gifts)
    counterpart = sum(min(g.tier_fair_value_cents or 0, g.amount_cents - g.refunded_cents) for g in gifts)
    methods = sorted({g.payment_method.value for g in gifts} | (set(roundup_methods) if roundup_cents else set())
                     ) or ["card"]
    return ReceiptDraft(
        organization=organization,
        source_key=(f"replaces:{replaces.number}" if replaces is not None
                    else annual_source_key(year, donor_key, sequence)),
        kind=ReceiptKind.annual,
        donor_type=donor[1] if donor else latest.donor_type.value if latest else "individual",
        donor=donor[0] if donor else donor_snapshot(latest) if latest else _profile_snapshot(profile),
        gift_cents=kept + roundup_cents, counterpart_cents=counterpart, roundup_cents=roundup_cents,
        gift_year=year, payment_methods=methods,
        gifts=[(g.id, eligible_cents(g)) for g in gifts], replaces=replaces, complements=complements)


def annual_replacement_draft(receipt: Receipt) -> ReceiptDraft | None:
    """After a refund: the same donor and year, the gifts as they now stand; None if nothing is left."""
    gifts = [g for g in (db.session.get(Donation, rg.donation_id) for rg in receipt.gifts) if eligible_cents(g) > 0]
    if not gifts and not receipt.roundup_cents:
        return None
    # The donor as printed on the receipt being corrected; a corrected complementary receipt still
    # completes the donor's first one.
    return _draft(receipt.organization, receipt.gift_year, "", gifts, receipt.roundup_cents, replaces=receipt,
                  complements=receipt.complements, donor=(dict(receipt.donor), receipt.donor_type))


def run_annual(organization, year, *, renderer=None, progress=None, on_chunk=None,
               today: date | None = None) -> tuple[AnnualPlan, int]:
    """Issue every annual receipt the organization owes for `year` (an ended year only: see
    `ensure_year_closed`), first and complementary ones, committing chunk by chunk. `today`, the day
    of the run, defaults to today in the territory's time zone; receipts are issued that day.

    This batch commits (unlike other services) so that a run killed half-way keeps what it issued
    and a re-run, which re-plans, issues only the rest: each receipt once, numbers without gap.
    """
    plan = plan_annual(organization, year, today)
    issued_on = today or local_today()
    chunks = [plan.drafts[start:start + CHUNK] for start in range(0, len(plan.drafts), CHUNK)]
    issued = 0
    # The renderer never waits for this process: while a chunk is stored, committed and announced,
    # the next one is already rendering, numbered as if the stored one took the numbers planned for
    # it (`render_ahead`; `issue_receipts` checks that under the counter lock and renders again if
    # another issuer took numbers in between).
    after = last_sequence(organization.id, issued_on.year)
    ahead = render_ahead(chunks[0], after, issued_on, renderer) if chunks else None
    for index, chunk in enumerate(chunks):
        following = (render_ahead(chunks[index + 1], after + len(chunk), issued_on, renderer)
                     if index + 1 < len(chunks) else None)
        try:
            receipts = issue_receipts(chunk, renderer=renderer, issued_on=issued_on, ahead=ahead)
            db.session.commit()
        except Exception:
            db.session.rollback()
            if following is not None:
                following.discard()
            raise
        ahead = following
        after = receipts[-1].sequence if receipts else last_sequence(organization.id, issued_on.year)
        issued += len(receipts)
        if on_chunk is not None:
            on_chunk(receipts)
        for receipt in receipts:  # their PDFs are stored: keep memory flat over a long batch
            db.session.expunge(receipt)
        if progress is not None:
            progress(len(chunk))
    return plan, issued
