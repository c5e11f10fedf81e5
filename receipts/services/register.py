"""The register for the inspector: every number an organization issued in a year, in order.

An inspection of receipts (article L14 A LPF) starts from the numbering: each number with its issue
date, the date the money was received, the amount, the donor's type, the article, and what became
of it (cancelled: when, by whom, why, and the number that replaced it). The register says whether the
sequence is continuous; a missing number is printed, never hidden. CSV (French spreadsheet
conventions, as the accountant's export) and PDF (through the service's one renderer, app/pdf.py).
"""
from dataclasses import dataclass

from flask import render_template
from sqlalchemy import select

from app import pdf
from app.extensions import db
from app.formatting import format_moment, to_local
from app.money import format_eur
from app.types import utcnow
from receipts.models import Receipt, ReceiptCounter, ReceiptStatus
from receipts.services.exports import (DONOR_TYPE_LABELS, STATUS_LABELS, day, euros, french_csv, kind_label,
                                       received_label)
from receipts.services.issuing import format_number

REGISTER_COLUMNS = ["Numéro", "Date d'émission", "Date du don", "Type de reçu", "Type de donateur",
                    "Article du CGI", "Montant (€)", "État", "Annulé le", "Annulé par", "Motif d'annulation",
                    "Remplace", "Remplacé par", "Complète le reçu", "Empreinte SHA-256 du PDF"]


@dataclass
class RegisterLine:
    number: str
    sequence: int
    issued_on: str
    received: str  # dd/mm/yyyy, or "cumul <year>"
    kind: str
    donor_type: str
    article: str
    amount_cents: int
    status: str
    cancelled_on: str
    cancelled_by: str
    cancel_reason: str
    replaces: str
    replaced_by: str
    complements: str
    pdf_sha256: str

    @property
    def amount(self) -> str:
        return format_eur(self.amount_cents)

    @property
    def cells(self) -> list:
        return [self.number, self.issued_on, self.received, self.kind, self.donor_type, self.article,
                euros(self.amount_cents), self.status, self.cancelled_on, self.cancelled_by, self.cancel_reason,
                self.replaces, self.replaced_by, self.complements, self.pdf_sha256]


@dataclass
class Register:
    organization: object
    year: int
    lines: list
    missing: list  # numbers absent from the sequence 1..last given
    check: str  # the sentence printed under the table

    @property
    def continuous(self) -> bool:
        return not self.missing


def build_register(organization, year) -> Register:
    """Every receipt numbered in `year` (the year of its number, i.e. of its issue), in order, and the
    check of the sequence against the numbers given (the counter the issuing transaction locks)."""
    receipts = db.session.scalars(select(Receipt).where(
        Receipt.organization_id == organization.id, Receipt.year == year).order_by(Receipt.sequence)).all()
    numbers = {r.id: r.number for r in receipts}
    others = {i for r in receipts for i in (r.replaces_id, r.replaced_by_id, r.complements_id)} - set(numbers)
    others.discard(None)
    if others:
        numbers.update(db.session.execute(select(Receipt.id, Receipt.number).where(Receipt.id.in_(others))).all())
    lines = [RegisterLine(
        number=r.number, sequence=r.sequence, issued_on=day(r.issued_on), received=received_label(r),
        kind=kind_label(r), donor_type=DONOR_TYPE_LABELS.get(r.donor_type, r.donor_type), article=r.article,
        amount_cents=r.amount_cents, status=STATUS_LABELS[r.status.value],
        cancelled_on=day(to_local(r.cancelled_at).date()) if r.cancelled_at else "",
        cancelled_by=r.cancelled_by or "", cancel_reason=r.cancel_reason or "",
        replaces=numbers.get(r.replaces_id, ""), replaced_by=numbers.get(r.replaced_by_id, ""),
        complements=numbers.get(r.complements_id, ""), pdf_sha256=r.pdf_sha256) for r in receipts]
    missing, check = sequence_check(organization.id, year, [r.sequence for r in receipts])
    return Register(organization=organization, year=year, lines=lines, missing=missing, check=check)


def sequence_check(organization_id, year, sequences=None) -> tuple[list, str]:
    """(missing numbers, the sentence that says so): the numbers present against 1..the last given
    (the counter's value, so that a number given then lost at the end of the year shows too)."""
    if sequences is None:
        sequences = db.session.scalars(select(Receipt.sequence).where(
            Receipt.organization_id == organization_id, Receipt.year == year)).all()
    given = db.session.scalar(select(ReceiptCounter.last_sequence).where(
        ReceiptCounter.organization_id == organization_id, ReceiptCounter.year == year)) or 0
    last = max([given, *sequences])
    present = set(sequences)
    missing = [format_number(year, s) for s in range(1, last + 1) if s not in present]
    if not last:
        return missing, f"Aucun reçu émis en {year}."
    if missing:
        plural = "s" if len(missing) > 1 else ""
        return missing, (f"Séquence discontinue de {format_number(year, 1)} à {format_number(year, last)} : "
                         f"{len(missing)} numéro{plural} manquant{plural} ({', '.join(missing)}).")
    return missing, f"Séquence continue de {format_number(year, 1)} à {format_number(year, last)}."


def register_csv(register: Register) -> str:
    """The register as a French CSV (BOM, `;`, decimal commas), the sequence check as its last line."""
    rows = [line.cells for line in register.lines]
    rows.append([])
    rows.append([register.check])
    return french_csv(REGISTER_COLUMNS, rows)


def register_totals(register: Register) -> dict:
    valid = [line for line in register.lines if line.status == STATUS_LABELS[ReceiptStatus.issued.value]]
    return {"count": len(register.lines), "valid_count": len(valid),
            "valid_cents": sum(line.amount_cents for line in valid),
            "cancelled_count": len(register.lines) - len(valid)}


def register_pdf(register: Register) -> bytes:
    html = render_template("receipts/register_pdf.html", register=register, totals=register_totals(register),
                           generated_at=format_moment(utcnow()))
    return pdf.render_pdf(html)
