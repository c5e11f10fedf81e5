"""How long receipts and donors' data are kept, the archive of a year, and the erasure after that.

- Receipts and their PDFs are kept **six years after the end of the year of issue**: the tax
  administration's right to inspect reaches documents of the six years before (livre des procédures
  fiscales, art. L102 B; the inspection itself, art. L14 A). A receipt issued in 2019 is kept until
  31/12/2025; in 2026 its retention has ended. One issued in 2020 is kept until 31/12/2026.
- Donors' personal data are kept only as long as they are needed (RGPD art. 5-1-c and 5-1-e, data
  minimisation and storage limitation; the CNIL's guidance on retention periods: keep only what the
  purpose needs — here the receipt and the accounting duty — then erase or anonymise). Here: as long as a receipt that covers the gift is kept, or for a gift without a receipt
  six years after the end of its year — never while the gift is still open (pending, disputed, a
  monthly gift still running, a receipt request not yet processed).
- What stays is what accounting needs: amounts, dates, statuses, numbers, payment references, the
  company's identity on a company gift (a legal person's name and SIREN are not personal data), and
  each receipt's number, amounts, dates and SHA-256 (which still proves a copy a donor keeps).

The erasure is irreversible, so it is a command someone runs (`receipts purge-donor-data`, with
`--dry-run` first), not a scheduled job; the archive of the year (`receipts archive`) is made before.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import undefer

from app.extensions import db
from app.formatting import local_today, to_local
from app.types import utcnow
from donations.models import Donation, DonationRefund, DonationStatus, RefundStatus
from donations.roundup.models import Roundup
from receipts.models import Receipt, ReceiptGift, ReceiptRequest, ReceiptStatus, RoundupDonor
from receipts.services.register import build_register, register_csv

RETENTION_YEARS = 6  # LPF art. L102 B
# A gift in these states is not over: its data are still needed, whatever its age.
OPEN_STATES = (DonationStatus.pending, DonationStatus.disputed)
DONOR_FIELDS = ("first_name", "last_name", "email", "address_line1", "address_line2", "postal_code", "city",
                "public_message")
# The stored PDFs of a receipt (as issued; the copy marked "ANNULÉ" where one was made): all name the donor.
PDF_COLUMNS = tuple(name for name in ("pdf", "cancelled_pdf") if name in Receipt.__table__.c)


def kept_until(year_of_issue: int) -> date:
    """The last day a receipt issued in `year_of_issue` (and its PDF) must be kept."""
    return date(year_of_issue + RETENTION_YEARS, 12, 31)


def last_expired_year(today: date | None = None) -> int:
    """The latest year of issue whose retention has ended by `today` (2019 on 27/11/2026)."""
    today = today or local_today()
    year = today.year - RETENTION_YEARS - 1
    return year + 1 if today > kept_until(year + 1) else year


# --- the archive of a year ---

def archive_year(organization, year: int, target: Path) -> list[str]:
    """Write the year's PDFs as issued (`recu-<number>.pdf`, `-annule` for a cancelled one), the
    register CSV and `MANIFEST.sha256` (the `sha256sum -c` format) into `target`; returns the names.

    Each PDF is checked against the SHA-256 stored when it was issued before it is written: an archive
    never holds a document that differs from the one handed to the donor.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    ids = db.session.scalars(select(Receipt.id).where(Receipt.organization_id == organization.id,
                                                      Receipt.year == year).order_by(Receipt.sequence)).all()
    for start in range(0, len(ids), 200):  # a few at a time: a year can hold thousands of PDFs
        rows = db.session.execute(select(Receipt.number, Receipt.status, Receipt.pdf, Receipt.pdf_sha256)
                                  .where(Receipt.id.in_(ids[start:start + 200])).order_by(Receipt.sequence))
        for number, status, pdf, sha256 in rows:
            if pdf is None:  # erased at the end of its retention: the register still lists it
                continue
            if hashlib.sha256(pdf).hexdigest() != sha256:
                raise RuntimeError(f"receipt {number}: the stored PDF does not match its SHA-256")
            name = f"recu-{number}{'-annule' if status is ReceiptStatus.cancelled else ''}.pdf"
            (target / name).write_bytes(pdf)
            written.append(name)
    name = f"registre-{organization.slug}-{year}.csv"
    (target / name).write_bytes(register_csv(build_register(organization, year)).encode("utf-8"))
    written.append(name)
    lines = [f"{hashlib.sha256((target / n).read_bytes()).hexdigest()}  {n}\n" for n in sorted(written)]
    (target / "MANIFEST.sha256").write_text("".join(lines), encoding="utf-8")
    return written


# --- the erasure of donors' data ---

@dataclass
class Purge:
    """What an erasure did (or, dry, would do)."""

    until_year: int  # receipts issued up to this year are past their retention
    receipts: list = field(default_factory=list)  # numbers whose donor block and PDF are erased
    donations: list = field(default_factory=list)  # ids of gifts whose donor data are erased
    roundups: int = 0  # round-ups whose customer email is erased
    roundup_donors: list = field(default_factory=list)  # emails of round-up donors' identities deleted


def _has_personal_data():
    return or_(*(getattr(Donation, name) != "" for name in DONOR_FIELDS))


def _open_gift():
    """Still needed: an open state, a monthly gift still running, a refund not yet carried out, a
    receipt request not yet processed."""
    return or_(Donation.status.in_(OPEN_STATES),
               and_(Donation.monthly.is_(True), Donation.stripe_subscription_id.is_not(None),
                    Donation.subscription_cancelled_at.is_(None)),
               exists().where(DonationRefund.donation_id == Donation.id, DonationRefund.status == RefundStatus.intended),
               exists().where(ReceiptRequest.donation_id == Donation.id, ReceiptRequest.processed_at.is_(None)))


def plan_purge(today: date | None = None) -> Purge:
    until = last_expired_year(today)
    purge = Purge(until_year=until)
    purge.receipts = db.session.scalars(select(Receipt.number).where(
        Receipt.year <= until, Receipt.personal_data_erased_at.is_(None))
        .order_by(Receipt.organization_id, Receipt.year, Receipt.sequence)).all()
    latest_receipt = (select(func.max(Receipt.year)).join(ReceiptGift, ReceiptGift.receipt_id == Receipt.id)
                      .where(ReceiptGift.donation_id == Donation.id).scalar_subquery())
    candidates = db.session.execute(
        select(Donation.id, Donation.paid_on, Donation.created_at, latest_receipt)
        .where(_has_personal_data(), ~_open_gift()).order_by(Donation.id)).all()
    for donation_id, paid_on, created_at, receipt_year in candidates:
        # A receipted gift: until its last receipt's retention ends. Otherwise six years after its year.
        year = receipt_year if receipt_year is not None else (paid_on or to_local(created_at).date()).year
        if year <= until:
            purge.donations.append(donation_id)
    purge.roundups = db.session.scalar(select(func.count()).select_from(Roundup).where(*_expired_roundups(until)))
    purge.roundup_donors = _expired_roundup_donors(until)
    return purge


def _expired_roundups(until):
    """Round-ups of a year up to `until - 1` (their annual receipt was issued the next year at the
    latest, `until`), unless a later receipt of that year for the same email is still kept."""
    kept = select(Receipt.donor_email).where(Receipt.year > until, Receipt.gift_year < until,
                                             Receipt.donor_email != "")
    return (Roundup.donor_email.is_not(None), Roundup.occurred_on < date(until, 1, 1),
            Roundup.donor_email.not_in(kept))


def _expired_roundup_donors(until):
    """The identities round-up donors completed, once no round-up and no kept receipt needs them."""
    in_use = select(Roundup.donor_email).where(Roundup.donor_email.is_not(None), ~and_(*_expired_roundups(until)))
    kept = select(Receipt.donor_email).where(Receipt.year > until)
    return db.session.scalars(select(RoundupDonor.email).where(
        RoundupDonor.email.not_in(in_use), RoundupDonor.email.not_in(kept)).order_by(RoundupDonor.email)).all()


def purge_donor_data(today: date | None = None, dry_run: bool = False) -> Purge:
    """Erase the personal data whose retention has ended (see the module's docstring); the caller
    commits. Amounts, dates and numbers stay. Running it again erases nothing more."""
    purge = plan_purge(today)
    if dry_run:
        return purge
    until = purge.until_year
    now = utcnow()
    if purge.receipts:
        # The receipt's frozen donor snapshot was kept for the whole retention period; now it and the
        # PDFs (which print the donor) go. Number, dates, amounts, article, status and SHA-256 stay.
        receipts = db.session.scalars(select(Receipt).options(*(undefer(getattr(Receipt, c)) for c in PDF_COLUMNS))
                                      .where(Receipt.year <= until, Receipt.personal_data_erased_at.is_(None))).all()
        for receipt in receipts:
            receipt.donor, receipt.donor_name, receipt.donor_email = {}, "", ""
            for column in PDF_COLUMNS:
                setattr(receipt, column, None)
            receipt.personal_data_erased_at = now
    for start in range(0, len(purge.donations), 500):
        db.session.execute(update(Donation).where(Donation.id.in_(purge.donations[start:start + 500]))
                           .values({name: "" for name in DONOR_FIELDS})
                           .execution_options(synchronize_session=False))
    if purge.roundup_donors:
        db.session.execute(RoundupDonor.__table__.delete().where(RoundupDonor.email.in_(purge.roundup_donors)))
    db.session.execute(update(Roundup).where(*_expired_roundups(until)).values(donor_email=None)
                       .execution_options(synchronize_session=False))
    db.session.flush()
    return purge
