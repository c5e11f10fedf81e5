"""What the donor space shows a signed-in donor: their receipts at every organization, their
round-ups once identified, and all their receipts of a year in one ZIP. Plain arguments: the email
the sign-in link proved."""
import zipfile
from dataclasses import dataclass

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import undefer

from app.errors import NotFound
from app.extensions import db
from campaigns.models import Organization
from donations.roundup.models import Merchant, Roundup
from receipts.models import Receipt, ReceiptGift, ReceiptKind, ReceiptStatus
from receipts.services.links import donor_token


def receipts_of(email: str) -> list[Receipt]:
    """Every receipt made out to this email, at every organization, newest first."""
    return db.session.scalars(select(Receipt).where(Receipt.donor_email == email)
                              .order_by(Receipt.issued_at.desc(), Receipt.id.desc())).all()


def gift_year(receipt: Receipt) -> int:
    """The year of the gifts a receipt attests: the one whose tax return it goes with."""
    return receipt.gift_year if receipt.kind is ReceiptKind.annual else receipt.paid_on.year


def _gift_year_column():
    return case((Receipt.kind == ReceiptKind.annual, Receipt.gift_year), else_=extract("year", Receipt.paid_on))


def gift_years(email: str) -> list[int]:
    """The years of gifts this donor holds receipts for (with their PDFs still kept), newest first."""
    years = db.session.scalars(select(_gift_year_column()).where(
        Receipt.donor_email == email, Receipt.personal_data_erased_at.is_(None)).distinct()).all()
    return sorted({int(y) for y in years}, reverse=True)


def owned_receipt(email: str, organization_slug: str, number: str) -> Receipt:
    """A receipt of this donor with its PDF; another donor's receipt, or one whose PDF was erased at
    the end of its retention, is a 404."""
    receipt = db.session.scalar(
        select(Receipt).join(Organization, Organization.id == Receipt.organization_id)
        .options(undefer(Receipt.pdf), undefer(Receipt.cancelled_pdf))
        .where(Organization.slug == organization_slug, Receipt.number == number, Receipt.donor_email == email))
    if receipt is None or receipt.personal_data_erased_at is not None or not email:
        raise NotFound("no such receipt")
    return receipt


def year_zip(email: str, year: int, target) -> int:
    """Write every receipt of the gifts of `year` (each organization's, the copy marked "ANNULÉ" for a
    cancelled one) into `target`, a file object; returns how many. NotFound when there is none."""
    ids = db.session.scalars(select(Receipt.id).where(
        Receipt.donor_email == email, Receipt.personal_data_erased_at.is_(None), _gift_year_column() == year)
        .order_by(Receipt.organization_id, Receipt.year, Receipt.sequence)).all()
    if not ids or not email:
        raise NotFound(f"no receipt for the gifts of {year}")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(ids), 50):
            receipts = db.session.scalars(select(Receipt).options(undefer(Receipt.pdf), undefer(Receipt.cancelled_pdf))
                                          .where(Receipt.id.in_(ids[start:start + 50]))
                                          .order_by(Receipt.organization_id, Receipt.year, Receipt.sequence)).all()
            for receipt in receipts:
                suffix = "-annule" if receipt.status is ReceiptStatus.cancelled else ""
                archive.writestr(f"{receipt.organization.slug}-recu-{receipt.number}{suffix}.pdf", receipt.download[0])
    return len(ids)


@dataclass
class RoundupYear:
    year: int
    merchant: str
    count: int
    cents: int


def roundups_of(email: str) -> list[RoundupYear]:
    """This donor's round-ups at the tills (voided ones left out), per year and shop, newest first."""
    year = extract("year", Roundup.occurred_on)
    rows = db.session.execute(
        select(year, Merchant.name, func.count(), func.sum(Roundup.roundup_cents))
        .join(Merchant, Merchant.id == Roundup.merchant_id)
        .where(Roundup.donor_email == email, Roundup.voided_at.is_(None))
        .group_by(year, Merchant.name).order_by(year.desc(), Merchant.name)).all()
    return [RoundupYear(int(y), name, int(count), int(cents)) for y, name, count, cents in rows]


def receipt_of_gift(donation_id: int) -> Receipt | None:
    """The valid receipt that attests this gift (the latest, after a correction), if one is issued."""
    return db.session.scalar(
        select(Receipt).join(ReceiptGift, ReceiptGift.receipt_id == Receipt.id)
        .where(ReceiptGift.donation_id == donation_id, Receipt.status == ReceiptStatus.issued,
               Receipt.personal_data_erased_at.is_(None))
        .order_by(Receipt.issued_at.desc(), Receipt.id.desc()).limit(1))


def receipts_token(receipt: Receipt) -> str:
    """The signed link to the donor's receipts at the receipt's organization (as emailed with it)."""
    return donor_token(receipt.organization_id, receipt.donor_email)
