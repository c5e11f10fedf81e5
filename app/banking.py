"""Bank details and payment references: IBAN, BIC (python-stdnum) and ISO 11649 creditor references.

An IBAN is stored compact (`FR7630006000011234567890189`) and shown grouped by four; a BIC is stored
compact. A structured creditor reference ("RF" + two check digits + up to 21 letters or digits,
ISO 11649) is what a payer copies into its transfer so that the payee matches the money to what
was due: we derive it from stable ids, so the same debt always carries the same reference.
"""
import re

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import iso11649
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.iso7064 import mod_97_10

# What a SEPA transfer carries for the creditor's name (EPC SEPA Credit Transfer rulebook: 70 characters).
ACCOUNT_HOLDER_MAX = 70
REFERENCE_BODY_RE = re.compile(r"^[0-9A-Z]{1,21}$")


def clean_iban(value) -> str:
    """The IBAN compacted (no spaces, upper case), or ValueError saying why it is not one."""
    try:
        return stdnum_iban.validate(value or "")
    except StdnumError as error:
        raise ValueError(f"not a valid IBAN ({error.message})") from None


def format_iban(value) -> str:
    """`FR76 3000 6000 0112 3456 7890 189`: grouped by four, as printed on a bank's RIB."""
    return stdnum_iban.format(value) if value else ""


def clean_bic(value) -> str:
    """The BIC (ISO 9362: 8 or 11 characters) compacted, or ValueError."""
    try:
        return stdnum_bic.validate(value or "")
    except StdnumError as error:
        raise ValueError(f"not a valid BIC ({error.message})") from None


def creditor_reference(body: str) -> str:
    """The ISO 11649 reference for `body` (1 to 21 letters or digits): "RF", check digits, body.

    The check digits make `body + "RF" + digits` equal 1 modulo 97 (ISO 7064 MOD 97-10), the rule
    `stdnum.iso11649.validate` checks; the result is validated before it is returned.
    """
    body = body.upper()
    if not REFERENCE_BODY_RE.match(body):
        raise ValueError("a creditor reference carries 1 to 21 letters or digits")
    reference = "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    return iso11649.validate(reference)


def format_reference(reference: str) -> str:
    """`RF18 5390 0754 7034`: grouped by four for reading aloud or copying by hand."""
    return iso11649.format(reference) if reference else ""
