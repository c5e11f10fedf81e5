"""Money is an integer number of euro cents everywhere; these helpers never touch a float."""
from babel.numbers import format_currency, format_decimal
from decimal import Decimal
from num2words import num2words


def check_cents(value, field="amount_cents"):
    """Return `value` if it is a whole, non-negative number of cents, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field} must be a whole number of cents")
    if value < 0:
        raise ValueError(f"{field} must not be negative")
    return value


def format_eur(cents, *, sign=False):
    """`123456` -> `1 234,56 €` (French grouping with narrow no-break spaces, as Babel writes it)."""
    text = format_currency(Decimal(cents).scaleb(-2), "EUR", locale="fr_FR")
    if sign and cents > 0:
        text = "+" + text
    return text


def format_cents_plain(cents):
    """`123456` -> `1234.56`: for CSV exports read by accounting software."""
    negative = cents < 0
    euros, rest = divmod(abs(cents), 100)
    return f"{'-' if negative else ''}{euros}.{rest:02d}"


def format_percent(numerator, denominator):
    """A whole percentage, French style (`42 %`), from integers."""
    if denominator <= 0:
        return "0 %"
    return f"{format_decimal(numerator * 100 // denominator, locale='fr_FR')}\u00a0%"


def _words(number):
    return num2words(number, lang="fr")


def amount_in_words(cents):
    """French words for an amount: 12345 -> 'cent vingt-trois euros et quarante-cinq centimes'.

    num2words' currency mode reads integers as cents and writes 'zéro centimes', so euros and cents
    are written separately here. Round millions take 'd'euros' ('un million d'euros').
    """
    check_cents(cents)
    euros, centimes = divmod(cents, 100)
    parts = []
    if euros or not centimes:
        unit = "euro" if euros <= 1 else "euros"
        if euros and euros % 1_000_000 == 0:
            parts.append(f"{_words(euros)} d'euros")
        else:
            parts.append(f"{_words(euros)} {unit}")
    if centimes:
        parts.append(f"{_words(centimes)} {'centime' if centimes == 1 else 'centimes'}")
    return " et ".join(parts)


def split_largest_remainder(total_cents, weights):
    """Split `total_cents` in proportion to integer `weights`, exactly to the cent.

    Each share gets the floor of its exact part; the cents left over go one by one to the largest
    remainders (ties to the earlier weight), so the shares always add up to `total_cents`.
    """
    check_cents(total_cents, "total_cents")
    weights = list(weights)
    if not weights or any(isinstance(w, bool) or not isinstance(w, int) or w < 0 for w in weights):
        raise ValueError("weights must be non-negative integers")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    shares, remainders = [], []
    for index, weight in enumerate(weights):
        share, remainder = divmod(total_cents * weight, weight_sum)
        shares.append(share)
        remainders.append((-remainder, index))
    left = total_cents - sum(shares)
    for _, index in sorted(remainders)[:left]:
        shares[index] += 1
    return shares
