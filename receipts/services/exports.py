"""Finance officers' views of the receipts: lists, the accountant's CSV, a year's ZIP, 222 bis figures."""
import csv
import io
import zipfile

from sqlalchemy import Select, func, select
from sqlalchemy.orm import undefer

from app.errors import NotFound
from app.extensions import db
from app.money import format_cents_plain
from donations.models import Donation
from receipts.models import ARTICLES, Receipt, ReceiptGift, ReceiptStatus

CSV_COLUMNS = ["number", "issued_on", "kind", "donor_type", "donor", "email", "address", "postal_code", "city",
               "country", "amount_eur", "gift_eur", "counterpart_eur", "period", "article", "cerfa", "status",
               "cancel_reason", "replaces", "replaced_by", "gift_references", "sha256"]


def receipts_query(organization_id, year=None, status=None, kind=None, q=None) -> Select:
    """The organization's receipts, newest first, filtered; a statement to paginate or read."""
    statement = select(Receipt).where(Receipt.organization_id == organization_id)
    if year:
        statement = statement.where(Receipt.year == year)
    if status:
        statement = statement.where(Receipt.status == ReceiptStatus(status))
    if kind:
        statement = statement.where(Receipt.kind == kind)
    if q:
        like = f"%{q.strip().lower()}%"
        statement = statement.where(func.lower(Receipt.donor_name).like(like) | Receipt.donor_email.like(like)
                                    | Receipt.number.like(like))
    return statement.order_by(Receipt.year.desc(), Receipt.sequence.desc())


def donor_receipts(organization_id, email) -> list[Receipt]:
    """Every receipt of this email at this organization, newest first: what the donor's link shows."""
    return db.session.scalars(select(Receipt).where(Receipt.organization_id == organization_id,
                                                    Receipt.donor_email == email)
                              .order_by(Receipt.year.desc(), Receipt.sequence.desc())).all()


def get_receipt(organization_id, number, with_pdf=False) -> Receipt:
    statement = select(Receipt).where(Receipt.organization_id == organization_id, Receipt.number == number)
    if with_pdf:
        statement = statement.options(undefer(Receipt.pdf))
    receipt = db.session.scalar(statement)
    if receipt is None:
        raise NotFound(f"no receipt {number!r}")
    return receipt


def _gift_references(receipt_ids):
    references = {}
    rows = db.session.execute(select(ReceiptGift.receipt_id, Donation.public_id)
                              .join(Donation, Donation.id == ReceiptGift.donation_id)
                              .where(ReceiptGift.receipt_id.in_(receipt_ids)).order_by(Donation.id))
    for receipt_id, public_id in rows:
        references.setdefault(receipt_id, []).append(public_id)
    return references


def export_csv(organization_id, year) -> str:
    """One line per receipt, cancelled ones included with their reason; amounts as `1234.56`."""
    receipts = db.session.scalars(receipts_query(organization_id, year).order_by(None)
                                  .order_by(Receipt.year, Receipt.sequence)).all()
    numbers = {r.id: r.number for r in receipts}
    references = _gift_references(list(numbers))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in receipts:
        donor = r.donor
        address = ", ".join(x for x in (donor.get("address_line1"), donor.get("address_line2")) if x)
        writer.writerow([
            r.number, r.issued_on.isoformat(), r.kind.value, r.donor_type, r.donor_name, r.donor_email, address,
            donor.get("postal_code", ""), donor.get("city", ""), donor.get("country", ""),
            format_cents_plain(r.amount_cents), format_cents_plain(r.gift_cents),
            format_cents_plain(r.counterpart_cents),
            f"cumul {r.gift_year}" if r.gift_year else r.paid_on.isoformat(), r.article,
            f"{r.form_number}*{r.form_version}", r.status.value, r.cancel_reason or "",
            numbers.get(r.replaces_id) or _number_of(r.replaces_id), numbers.get(r.replaced_by_id) or _number_of(r.replaced_by_id),
            " ".join(references.get(r.id, [])), r.pdf_sha256,
        ])
    return out.getvalue()


def _number_of(receipt_id):
    return db.session.scalar(select(Receipt.number).where(Receipt.id == receipt_id)) if receipt_id else ""


def export_zip(organization_id, year, target) -> int:
    """Write every PDF of the year (the stored bytes) into `target`, a file object; returns the count."""
    ids = db.session.scalars(select(Receipt.id).where(Receipt.organization_id == organization_id,
                                                      Receipt.year == year).order_by(Receipt.sequence)).all()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(ids), 200):  # a few at a time: a year can hold thousands of PDFs
            batch = db.session.execute(select(Receipt.number, Receipt.status, Receipt.pdf)
                                       .where(Receipt.id.in_(ids[start:start + 200])).order_by(Receipt.sequence))
            for number, status, pdf in batch:
                suffix = "-annule" if status is ReceiptStatus.cancelled else ""
                archive.writestr(f"recu-{number}{suffix}.pdf", pdf)
    return len(ids)


def tax_declaration(organization_id, year) -> dict:
    """Article 222 bis CGI: receipts issued in `year`, cancelled ones excluded, count and total by article."""
    rows = db.session.execute(
        select(Receipt.article, func.count(), func.coalesce(func.sum(Receipt.amount_cents), 0))
        .where(Receipt.organization_id == organization_id, Receipt.year == year,
               Receipt.status == ReceiptStatus.issued)
        .group_by(Receipt.article)).all()
    by_article = {article: {"count": 0, "total_cents": 0} for article in ARTICLES}
    for article, count, total in rows:
        by_article[article] = {"count": int(count), "total_cents": int(total)}
    cancelled = db.session.scalar(select(func.count()).where(
        Receipt.organization_id == organization_id, Receipt.year == year, Receipt.status == ReceiptStatus.cancelled))
    return {
        "year": year,
        "count": sum(v["count"] for v in by_article.values()),
        "total_cents": sum(v["total_cents"] for v in by_article.values()),
        "by_article": by_article,
        "cancelled_count": int(cancelled),
    }


def receipt_years(organization_id) -> list[int]:
    return db.session.scalars(select(Receipt.year).where(Receipt.organization_id == organization_id)
                              .distinct().order_by(Receipt.year.desc())).all()
