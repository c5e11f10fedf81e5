"""A donor's rights over their data, from the donor space: correct the postal address future receipts
will carry, take a copy of everything about them (RGPD art. 15 and 20), and have it erased (art. 17)
except what the law makes receipts keep (LPF art. L102 B; see receipts/services/retention.py)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, extract, func, select, update

from app.errors import InvalidInput
from app.extensions import db
from app.formatting import local_today
from app.keys import hash_key
from app.types import utcnow
from donations.models import (
    Donation,
    DonationRefund,
    DonorType,
    ReceiptChoice,
    RefundStatus,
)
from donations.roundup.models import Roundup
from donations.services.donors import current_monthly_amount, gifts_of, monthly_gifts_of
from receipts.donor_space.account import gift_year, receipts_of, roundups_of
from receipts.donor_space.models import DonorErasure, DonorSignInLink
from receipts.models import (
    Receipt,
    ReceiptGift,
    ReceiptKind,
    ReceiptRequest,
    RoundupDonor,
)
from receipts.services.retention import DONOR_FIELDS, OPEN_STATES, kept_until

ADDRESS_FIELDS = ("address_line1", "address_line2", "postal_code", "city", "country")


def _of(email):
    return func.lower(Donation.email) == email


def _receipted():
    return exists().where(ReceiptGift.donation_id == Donation.id)


def _running_monthly():
    return Donation.monthly.is_(True) & Donation.stripe_subscription_id.is_not(None) \
        & Donation.subscription_cancelled_at.is_(None) & Donation.recurring_of_id.is_(None)


# --- the postal address of future receipts ---

def current_address(email: str) -> dict:
    """The address of the donor's latest individual gift (else their round-up identity), to prefill."""
    gift = db.session.scalar(select(Donation).where(_of(email), Donation.donor_type == DonorType.individual)
                             .order_by(Donation.created_at.desc()).limit(1))
    source = gift or db.session.scalar(select(RoundupDonor).where(RoundupDonor.email == email))
    return {name: (getattr(source, name, "") or "") if source else "" for name in ADDRESS_FIELDS} | \
        ({"country": source.country or "France"} if source else {"country": "France"})


def correct_address(email: str, values: dict) -> int:
    """The address the donor's coming receipts will carry: their gifts no receipt covers yet, the
    running monthly gifts (whose coming months copy it) and their round-up identity. An issued receipt
    keeps the address it was issued with (its frozen copy and PDF are never touched). Returns how many
    gifts changed; raises InvalidInput naming each field (French messages). The caller commits."""
    values = {name: (values.get(name) or "").strip()[:200] for name in ADDRESS_FIELDS}
    values["country"] = values["country"][:80] or "France"
    values["postal_code"] = values["postal_code"][:10]
    values["city"] = values["city"][:120]
    errors = {name: ["Ce champ est obligatoire sur un reçu fiscal."] for name in ("address_line1", "city")
              if not values[name]}
    if values["country"].lower() == "france" and not (values["postal_code"].isdigit()
                                                      and len(values["postal_code"]) == 5):
        errors["postal_code"] = ["Indiquez un code postal à 5 chiffres."]
    elif not values["postal_code"]:
        errors["postal_code"] = ["Ce champ est obligatoire sur un reçu fiscal."]
    if errors:
        raise InvalidInput("a receipt needs the donor's address", errors=errors)
    changed = db.session.execute(
        update(Donation).where(_of(email), Donation.donor_type == DonorType.individual,
                               ~_receipted() | _running_monthly())
        .values(values).execution_options(synchronize_session="fetch")).rowcount
    profile = db.session.scalar(select(RoundupDonor).where(RoundupDonor.email == email))
    if profile is not None:
        for name, value in values.items():
            setattr(profile, name, value)
    db.session.flush()
    return changed


# --- a copy of everything ---

def _day(value):
    return value.isoformat() if value else None


def export_data(email: str) -> dict:
    """Everything Solidaire holds about this email, as plain JSON values (amounts in cents)."""
    identity = db.session.scalar(select(RoundupDonor).where(RoundupDonor.email == email))
    links = db.session.scalars(select(DonorSignInLink).where(DonorSignInLink.email == email)
                               .order_by(DonorSignInLink.created_at)).all()
    return {
        "email": email,
        "exported_at": utcnow().isoformat(),
        "gifts": [{
            "id": g.public_id, "organization": g.organization.name, "campaign": g.campaign.title,
            "amount_cents": g.amount_cents, "refunded_cents": g.refunded_cents, "status": g.status.value,
            "paid_on": _day(g.paid_on), "created_at": g.created_at.isoformat(), "monthly": g.monthly,
            "monthly_amount_cents": current_monthly_amount(g) if g.monthly and g.recurring_of_id is None else None,
            "monthly_stopped_at": _day(g.subscription_cancelled_at), "payment_method": g.payment_method.value,
            "receipt_choice": g.receipt_choice.value, "donor_type": g.donor_type.value, "anonymous": g.anonymous,
            "public_message": g.public_message, "reward_fair_value_cents": g.tier_fair_value_cents,
            **{name: getattr(g, name) for name in ("first_name", "last_name", "email", "address_line1",
                                                   "address_line2", "postal_code", "city", "country",
                                                   "company_name", "company_legal_form", "company_siren")},
        } for g in gifts_of(email)],
        "receipts": [{
            "organization": r.organization.name, "number": r.number, "kind": r.kind.value, "status": r.status.value,
            "issued_on": _day(r.issued_on), "gift_year": gift_year(r), "amount_cents": r.amount_cents,
            "gift_cents": r.gift_cents, "counterpart_cents": r.counterpart_cents, "roundup_cents": r.roundup_cents,
            "article": r.article, "donor": r.donor, "cancel_reason": r.cancel_reason,
            "kept_until": _day(kept_until(r.year)),
        } for r in receipts_of(email)],
        "roundups": [{"year": r.year, "shop": r.merchant, "count": r.count, "amount_cents": r.cents}
                     for r in roundups_of(email)],
        "roundup_identity": ({name: getattr(identity, name) for name in (
            "first_name", "last_name", "address_line1", "address_line2", "postal_code", "city", "country")}
            if identity else None),
        "sign_in_links": [{"sent_at": link.created_at.isoformat(), "used_at": _day(link.used_at)} for link in links],
    }


# --- erasure ---

@dataclass
class Erasure:
    """What an erasure does (or, planned, would do) for one email."""

    running_monthly: list = field(default_factory=list)  # monthly gifts to stop first
    gifts_erased: list = field(default_factory=list)  # ids of gifts whose donor data go
    gifts_kept: list = field(default_factory=list)  # (gift, why) kept as they are
    receipts_kept: list = field(default_factory=list)  # (receipt, kept until)
    roundup_years_kept: set = field(default_factory=set)  # round-ups of these years keep the email


def plan_erasure(email: str, today: date | None = None) -> Erasure:
    """Which of this donor's data can go now, and what stays and why: a gift a kept receipt attests
    (until the receipt's retention ends), a gift not over (awaiting the bank, disputed, a refund or a
    receipt still being made) and the receipts themselves (LPF art. L102 B)."""
    plan = Erasure(running_monthly=[g for g in monthly_gifts_of(email) if g.subscription_cancelled_at is None])
    today = today or local_today()
    receipts = [r for r in receipts_of(email) if r.personal_data_erased_at is None]
    plan.receipts_kept = [(r, kept_until(r.year)) for r in receipts if kept_until(r.year) >= today]
    plan.roundup_years_kept = {r.gift_year for r, _ in plan.receipts_kept
                               if r.kind is ReceiptKind.annual and r.roundup_cents}
    receipted = set(db.session.scalars(select(ReceiptGift.donation_id).join(Receipt, Receipt.id == ReceiptGift.receipt_id)
                                       .where(Receipt.personal_data_erased_at.is_(None))))
    busy = set(db.session.scalars(select(DonationRefund.donation_id).where(
        DonationRefund.status == RefundStatus.intended))) | set(db.session.scalars(select(
            ReceiptRequest.donation_id).where(ReceiptRequest.processed_at.is_(None), ReceiptRequest.donation_id.is_not(None))))
    for gift in gifts_of(email):
        if gift.id in receipted:
            plan.gifts_kept.append((gift, "receipt"))
        elif gift.status in OPEN_STATES or gift.id in busy:
            plan.gifts_kept.append((gift, "open"))
        else:
            plan.gifts_erased.append(gift.id)
    return plan


def erase_data(email: str, today: date | None = None) -> Erasure:
    """Erase what `plan_erasure` says can go: the donor fields of those gifts (amounts, dates and
    statuses stay for the accounts), the round-up identity, the email on round-ups no kept receipt
    covers, the sign-in links; record the erasure under the email's keyed hash. Refused (InvalidInput
    on `monthly`) while a monthly gift still runs. The caller commits; the caller ends the session."""
    plan = plan_erasure(email, today)
    if plan.running_monthly:
        raise InvalidInput("stop the monthly gifts first", "monthly")
    for start in range(0, len(plan.gifts_erased), 500):
        db.session.execute(update(Donation).where(Donation.id.in_(plan.gifts_erased[start:start + 500]))
                           # No receipt can be made out to nobody: a gift awaiting its annual receipt
                           # would otherwise get one without a name.
                           .values({name: "" for name in DONOR_FIELDS}
                                   | {"anonymous": True, "receipt_choice": ReceiptChoice.none})
                           .execution_options(synchronize_session="fetch"))
    db.session.execute(RoundupDonor.__table__.delete().where(RoundupDonor.email == email))
    roundups = update(Roundup).where(Roundup.donor_email == email)
    if plan.roundup_years_kept:
        roundups = roundups.where(extract("year", Roundup.occurred_on).not_in(sorted(plan.roundup_years_kept)))
    db.session.execute(roundups.values(donor_email=None).execution_options(synchronize_session=False))
    db.session.execute(DonorSignInLink.__table__.delete().where(DonorSignInLink.email == email))
    db.session.add(DonorErasure(email_hash=hash_key(email), gifts_erased=len(plan.gifts_erased),
                                gifts_kept=len(plan.gifts_kept), receipts_kept=len(plan.receipts_kept)))
    db.session.flush()
    return plan
