"""The accounting journal as a FEC file (fichier des écritures comptables) and as a French CSV.

The FEC layout is fixed by article A. 47 A-1 of the Livre des procédures fiscales (arrêté of 29 July
2013), commented in BOFiP BOI-CF-IOR-60-40-20: a flat file whose first line names the 18 fields below,
in this order; fields separated by a tab; dates as AAAAMMJJ; amounts with a comma as the decimal
separator and no thousands separator; a debit and a credit column; the file named
`<SIREN>FEC<AAAAMMJJ>.txt` (the SIREN, "FEC", the closing date of the period); characters in
ISO 8859-15, one of the codings the article allows. EcritureLet and DateLet (lettering) are left
empty; ValidDate is the entry's day (entries are made from money already received); Montantdevise
and Idevise are empty (every amount is in euros).
"""
from datetime import date

from app.csv import write_csv

FEC_FIELDS = ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
              "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
              "ValidDate", "Montantdevise", "Idevise"]
FEC_ENCODING = "iso-8859-15"


def fec_amount(cents: int) -> str:
    """`1234,56`: a comma, no thousands separator, always two decimals."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"


def fec_day(day: date) -> str:
    return day.strftime("%Y%m%d")


def _clean(text: str) -> str:
    """No tab or line break inside a field (they separate fields and lines)."""
    return " ".join(str(text or "").split())


def rows(entries) -> list[list[str]]:
    """One row per entry line, in FEC field order."""
    result = []
    for entry in entries:
        for line in entry.lines:
            result.append([
                entry.journal[0], entry.journal[1], entry.number, fec_day(entry.day), line.account[0],
                line.account[1], line.auxiliary[0], line.auxiliary[1], entry.piece_ref, fec_day(entry.day),
                line.label, fec_amount(line.debit_cents), fec_amount(line.credit_cents), "", "",
                fec_day(entry.day), "", ""])
    return result


def fec_file(entries) -> bytes:
    """The FEC text: header line then one line per entry line, tab-separated, CRLF, ISO 8859-15."""
    lines = ["\t".join(FEC_FIELDS)]
    lines += ["\t".join(_clean(cell) for cell in row) for row in rows(entries)]
    return ("\r\n".join(lines) + "\r\n").encode(FEC_ENCODING, errors="replace")


def fec_filename(organization, end: date) -> str:
    """`<SIREN>FEC<AAAAMMJJ>.txt`; an association without SIREN is named by its RNA number instead."""
    return f"{organization.siren or organization.rna}FEC{fec_day(end)}.txt"


def journal_csv(entries) -> str:
    """The same lines for a spreadsheet: `;`, French headers, decimal commas, dd/mm/yyyy dates, BOM."""
    header = ["journal", "libelle_journal", "numero_ecriture", "date", "compte", "libelle_compte",
              "compte_auxiliaire", "libelle_auxiliaire", "piece", "date_piece", "libelle", "debit", "credit"]
    body = [[*row[:3], _french(row[3]), *row[4:9], _french(row[9]), *row[10:13]] for row in rows(entries)]
    return write_csv(header, body, bom=True)


def _french(day: str) -> str:
    return f"{day[6:8]}/{day[4:6]}/{day[0:4]}"
