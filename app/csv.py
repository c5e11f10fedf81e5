"""CSV files a spreadsheet opens safely: one writer for every export.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is read by Excel or
LibreOffice as a formula — `=HYPERLINK(...)` in a donor's name would run in the finance officer's
spreadsheet (CSV injection, OWASP). Such a cell is prefixed with an apostrophe, which spreadsheets
show as text. Numbers stay numbers: an int, or a plain decimal such as `-12.50` or `-12,50`.
"""
import csv
import io
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
BOM = "\ufeff"


def safe_cell(value) -> str:
    """The cell as text, neutralised when a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(header, rows, *, bom=False, delimiter=";") -> str:
    """`;`-separated lines ending in CRLF, every cell through safe_cell; with a BOM when asked (what
    French spreadsheets need to read UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM if bom else "") + out.getvalue()
