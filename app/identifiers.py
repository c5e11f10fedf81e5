"""French legal identifiers: SIREN, SIRET (checked with python-stdnum) and RNA numbers."""
import re

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

# Répertoire national des associations: "W" then 9 digits (the first three name the prefecture,
# e.g. W922 for the Hauts-de-Seine). Older associations keep a purely numeric "waldec" number.
RNA_RE = re.compile(r"^W\d{9}$")


def clean_siren(value):
    """The 9-digit SIREN, compacted, or ValueError with a French-language-free explanation."""
    try:
        return stdnum_siren.validate(value)
    except StdnumError as error:
        raise ValueError(f"not a valid SIREN number ({error.message})") from None


def clean_siret(value):
    try:
        return stdnum_siret.validate(value)
    except StdnumError as error:
        raise ValueError(f"not a valid SIRET number ({error.message})") from None


def clean_rna(value):
    compact = (value or "").replace(" ", "").upper()
    if not RNA_RE.match(compact):
        raise ValueError("not a valid RNA number (W followed by 9 digits, e.g. W922001234)")
    return compact


def format_siren(value):
    return stdnum_siren.format(value) if value else ""


def format_siret(value):
    return stdnum_siret.format(value) if value else ""
