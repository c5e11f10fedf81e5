"""Finance officers' views of the receipts: lists, the accountant's CSV, a year's ZIP, 222 bis figures."""
import calendar
import zipfile
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import undefer

from app.csv import write_csv
from app.errors import NotFound
from app.extensions import db
from app.formatting import local_today, to_local
from app.money import format_cents_plain
from app.sql import contains_pattern
from campaigns.models import Organization
from donations.models import Donation
from receipts.models import ARTICLES, Receipt, ReceiptGift, ReceiptKind, ReceiptStatus

# The accountant's CSV: French headers, `;` and decimal commas, dates dd/mm/yyyy, UTF-8 with a BOM:
# what a French spreadsheet opens as columns of numbers and dates without an import dialog.
CSV_COLUMNS = ["Numéro", "Date d'émission", "Type de reçu", "Type de donateur", "Donateur", "Email", "Adresse",
               "Code postal", "Ville", "Pays", "Date du don", "Montant ouvrant droit à réduction (€)",
               "Montant versé (€)", "Valeur des contreparties (€)", "Dont arrondis en caisse (€)", "Article du CGI",
               "Cerfa", "Mode de paiement", "État", "Annulé le", "Annulé par", "Motif d'annulation", "Remplace",
               "Remplacé par", "Complète le reçu", "Dons couverts", "Paiements", "Empreinte SHA-256 du PDF"]
KIND_LABELS = {"single": "Don", "annual": "Annuel"}
DONOR_TYPE_LABELS = {"individual": "Particulier", "company": "Entreprise"}
STATUS_LABELS = {"issued": "Valide", "cancelled": "Annulé"}
PAYMENT_LABELS = {"card": "carte", "direct_debit": "prélèvement", "cheque": "chèque", "cash": "espèces",
                  "transfer": "virement"}


def euros(cents) -> str:
    """`123456` -> `1234,56`: a number a French spreadsheet reads (no grouping, decimal comma)."""
    return format_cents_plain(cents).replace(".", ",")


def day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def french_csv(header, rows) -> str:
    """`;`-separated lines with a BOM, every cell neutralised (app.csv)."""
    return write_csv(header, rows, bom=True)


def received_label(receipt) -> str:
    """When the receipted money was received: the day, or "cumul <year>" for an annual receipt."""
    return f"cumul {receipt.gift_year}" if receipt.gift_year else day(receipt.paid_on)


def kind_label(receipt) -> str:
    return "Annuel complémentaire" if receipt.complements_id else KIND_LABELS[receipt.kind.value]


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
        like = contains_pattern(q)
        statement = statement.where(func.lower(Receipt.donor_name).like(like, escape="\\")
                                    | func.lower(Receipt.donor_email).like(like, escape="\\")
                                    | Receipt.number.like(like, escape="\\"))
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
    if with_pdf and receipt.personal_data_erased_at is not None:
        # Its retention period ended (LPF art. L102 B): the PDF, which names the donor, was deleted.
        raise NotFound(f"the PDF of receipt {number} was deleted at the end of its retention period")
    return receipt


def covered_gifts(receipt_ids) -> tuple[dict, dict]:
    """Per receipt: the gifts it covers ("reference (dd/mm/yyyy, 25,00 €)") and their payments (the
    Stripe PaymentIntent, the cheque or transfer reference, with the day the money arrived)."""
    gifts, payments = {}, {}
    rows = db.session.execute(
        select(ReceiptGift.receipt_id, Donation.public_id, Donation.paid_on, Donation.amount_cents,
               Donation.payment_method, Donation.payment_reference, Donation.stripe_payment_intent_id)
        .join(Donation, Donation.id == ReceiptGift.donation_id)
        .where(ReceiptGift.receipt_id.in_(receipt_ids)).order_by(Donation.paid_on, Donation.id))
    for receipt_id, public_id, paid_on, cents, method, reference, intent in rows:
        gifts.setdefault(receipt_id, []).append(f"{public_id} ({day(paid_on)}, {euros(cents)} €)")
        label = PAYMENT_LABELS.get(method.value, method.value)
        what = intent if intent else f"{label} {reference}".strip()
        payments.setdefault(receipt_id, []).append(f"{what} ({label}, {day(paid_on)})" if intent
                                                   else f"{what} ({day(paid_on)})")
    return gifts, payments


def _numbers(ids) -> dict:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return dict(db.session.execute(select(Receipt.id, Receipt.number).where(Receipt.id.in_(ids))).all())


def export_csv(organization_id, year) -> str:
    """The accountant's CSV of the receipts issued in `year` (by number): one line per receipt,
    cancelled ones included with when, by whom and why, and what each covers (gifts and payments;
    a partner's or merchant's payment by its source; round-ups as a total). Starts with a BOM."""
    receipts = db.session.scalars(receipts_query(organization_id, year).order_by(None)
                                  .order_by(Receipt.year, Receipt.sequence)).all()
    ids = [r.id for r in receipts]
    numbers = _numbers({i for r in receipts for i in (r.replaces_id, r.replaced_by_id, r.complements_id)})
    gifts, payments = covered_gifts(ids)
    rows = []
    for r in receipts:
        donor = r.donor or {}
        address = ", ".join(x for x in (donor.get("address_line1"), donor.get("address_line2")) if x)
        covered = list(gifts.get(r.id, []))
        if r.roundup_cents:
            covered.append(f"arrondis en caisse ({euros(r.roundup_cents)} €)")
        paid = payments.get(r.id) or ([] if r.gifts else [f"{r.source_key} ({r.payment_method}, {received_label(r)})"])
        rows.append([
            r.number, day(r.issued_on), kind_label(r), DONOR_TYPE_LABELS.get(r.donor_type, r.donor_type),
            r.donor_name, r.donor_email, address, donor.get("postal_code", ""), donor.get("city", ""),
            donor.get("country", ""), received_label(r), euros(r.amount_cents), euros(r.gift_cents),
            euros(r.counterpart_cents), euros(r.roundup_cents), r.article, f"{r.form_number}*{r.form_version}",
            r.payment_method, STATUS_LABELS[r.status.value], day(to_local(r.cancelled_at).date()) if r.cancelled_at else "",
            r.cancelled_by or "", r.cancel_reason or "", numbers.get(r.replaces_id, ""),
            numbers.get(r.replaced_by_id, ""), numbers.get(r.complements_id, ""), " | ".join(covered),
            " | ".join(paid), r.pdf_sha256,
        ])
    return french_csv(CSV_COLUMNS, rows)


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


def financial_year(organization, year) -> tuple[date, date]:
    """The first and last day of the organization's financial year that closes in `year` (the
    calendar year unless `financial_year_end` says otherwise, e.g. 1 July 2025 - 30 June 2026)."""
    month, day_ = (int(part) for part in (organization.financial_year_end or "12-31").split("-"))
    end = date(year, month, day_)
    return date(year - 1, month, day_) + timedelta(days=1), end


def _easter(year) -> date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day_ = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day_ + 1)


def _working_day(day_: date) -> bool:
    """Monday to Friday, except the French public holidays (code du travail, art. L3133-1)."""
    easter = _easter(day_.year)
    holidays = {date(day_.year, m, d) for m, d in ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11),
                                                     (12, 25))}
    holidays |= {easter + timedelta(days=1), easter + timedelta(days=39), easter + timedelta(days=50)}
    return day_.weekday() < 5 and day_ not in holidays


def declaration_deadline(period_end: date) -> date:
    """Article 223 CGI (to which 222 bis refers): within three months of the closing; for a year closed
    on 31 December, the second working day after 1 May."""
    if (period_end.month, period_end.day) == (12, 31):
        day_, found = date(period_end.year + 1, 5, 1), 0
        while found < 2:
            day_ += timedelta(days=1)
            found += _working_day(day_)
        return day_
    month = period_end.month + 3
    year, month = period_end.year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(period_end.day, calendar.monthrange(year, month)[1]))


# Where the figures go (impots.gouv.fr, 11 April 2022; article 222 bis CGI, loi n° 2021-1109, art. 19).
DECLARATION_FORMS = [
    {"form": "2065-SD", "where": "cadre L du tableau n° 2065-bis-SD",
     "who": "organismes soumis aux impôts commerciaux (déclaration de résultats n° 2065-SD)"},
    {"form": "2070-SD", "where": "cadre relatif aux dons de la déclaration n° 2070-SD",
     "who": "organismes percevant uniquement des revenus patrimoniaux (déclaration n° 2070-SD)"},
    {"form": "démarches-simplifiées", "where": "https://www.demarches-simplifiees.fr/commencer/declaration-des-dons",
     "who": "organismes qui ne déposent ni la 2065-SD ni la 2070-SD"},
]


def received_in(period_start: date, period_end: date):
    """Receipts whose money was received in the period: a single receipt by its `paid_on` (the day
    the gift or the company's payment arrived), an annual one by its year ("cumul <year>"), counted
    in the financial year that holds that year's 31 December."""
    years = [y for y in {period_start.year, period_end.year} if period_start <= date(y, 12, 31) <= period_end]
    return or_(and_(Receipt.kind == ReceiptKind.single, Receipt.paid_on >= period_start,
                    Receipt.paid_on <= period_end),
               and_(Receipt.kind == ReceiptKind.annual, Receipt.gift_year.in_(years)))


def tax_declaration(organization_id, year, today: date | None = None) -> dict:
    """Article 222 bis CGI for the financial year closing in `year`: the gifts *received* in that year
    for which receipts were issued (whatever day the receipt itself was issued: a gift of 31 December
    receipted on 2 January, annual receipts issued in January), and the number of those receipts;
    cancelled receipts are left out (their replacement, if any, counts). Split by article."""
    organization = db.session.get(Organization, organization_id)
    start, end = financial_year(organization, year)
    period = received_in(start, end)
    rows = db.session.execute(
        select(Receipt.article, func.count(), func.coalesce(func.sum(Receipt.amount_cents), 0))
        .where(Receipt.organization_id == organization_id, Receipt.status == ReceiptStatus.issued, period)
        .group_by(Receipt.article)).all()
    by_article = {article: {"count": 0, "total_cents": 0} for article in ARTICLES}
    for article, count, total in rows:
        by_article[article] = {"count": int(count), "total_cents": int(total)}
    cancelled = db.session.scalar(select(func.count()).where(
        Receipt.organization_id == organization_id, Receipt.status == ReceiptStatus.cancelled, period))
    count = sum(v["count"] for v in by_article.values())
    total = sum(v["total_cents"] for v in by_article.values())
    return {
        "year": year,
        "period_start": start, "period_end": end,
        "calendar_year": (end.month, end.day) == (12, 31),
        "closed": (today or local_today()) > end,
        "count": count,
        "total_cents": total,
        "by_article": by_article,
        "cancelled_count": int(cancelled),
        # What to type: the amount in euros (the forms take whole euros: rounded to the nearest) and the
        # number of receipts.
        "to_declare": {"amount_eur": (total + 50) // 100, "count": count},
        "deadline": declaration_deadline(end),
        "forms": DECLARATION_FORMS,
    }


def receipt_years(organization_id) -> list[int]:
    return db.session.scalars(select(Receipt.year).where(Receipt.organization_id == organization_id)
                              .distinct().order_by(Receipt.year.desc())).all()
