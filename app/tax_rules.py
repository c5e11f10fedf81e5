"""Tax rules with the date from which each applies and its legal reference.

The law changes these figures (the 75 % cap doubled for gifts from 14 October 2025): a receipt, the
simulator and the donation form's preview use the rule in force on the gift's date, never "the
current one". Each figure is a tuple of `Rule`s in date order; `figures_on(rules, day)` gives the
plain figures in force on a day, `rule_on(rules, name, day)` one figure with its reference.

Sources, checked 2026-11-27:
- Code général des impôts (CGI), articles 200 (individuals) and 238 bis (companies), on Légifrance.
- BOFiP BOI-IR-RICI-250-30 (individuals: 66 %, 20 % of taxable income, five-year carry-forward;
  75 % regime of article 200-1 ter) and BOI-IR-RICI-250-20 § 20-30 (the date of a gift: the day a
  cheque is handed over, the day a card payment or transfer reaches the beneficiary's account).
- BOFiP BOI-BIC-RICI-20-30-20 (companies: 60 %, 40 % above 2 M€, cap 20 000 € or 5 ‰ of turnover,
  excess carried forward over the five following financial years, § 40-45).
- Loi de finances pour 2026 (article 9 of the bill; service-public.fr F426, updated for the law
  published in the Journal officiel of 20 February 2026): the 75 % cap raised from 1 000 € to
  2 000 € for gifts made from 14 October 2025.
- Loi n° 2019-1479 de finances pour 2020, art. 134: 40 % above 2 M€ and the 20 000 € alternative
  cap, for financial years closed from 31 December 2020.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Rule:
    # The first day of gifts it applies to. The LF 2020 company figures apply to financial years
    # closed from 31 December 2020; they are keyed on that day, a gift's date standing for its
    # financial year (so gifts before it, even of a year closed on that day, find no such figure).
    since: date
    value: int
    reference: str


ART_200 = "CGI art. 200-1 ; BOI-IR-RICI-250-30 § 1"
ART_200_TER = "CGI art. 200-1 ter ; BOI-IR-RICI-250-30"
ART_238_BIS = "CGI art. 238 bis-1 ; BOI-BIC-RICI-20-30-20"
LF_2026 = ("CGI art. 200-1 ter modifié par la loi de finances pour 2026 (dons effectués à compter du "
           "14 octobre 2025) ; service-public.fr F426")
LF_2020 = "CGI art. 238 bis-1 modifié par la loi n° 2019-1479 de finances pour 2020, art. 134 ; BOI-BIC-RICI-20-30-20"
COUNTERPARTS = "BOI-IR-RICI-250-10-20-10 (contreparties : disproportion marquée, 25 % du don et 73 € par an)"

TAX_RULES = {
    # Individuals, article 200 CGI: 66 % of the gift, the gifts counted within 20 % of taxable
    # income; what exceeds it is carried forward over the five following years (art. 200-5).
    "individual_rate_percent": (Rule(date(2005, 1, 1), 66, ART_200),),
    "individual_income_cap_percent": (Rule(date(2005, 1, 1), 20, ART_200),),
    "individual_carry_forward_years": (Rule(date(2005, 1, 1), 5, "CGI art. 200-5 ; BOI-IR-RICI-250-30"),),
    # Aid to people in difficulty (free meals, care, housing) and, since the loi de finances pour
    # 2025, help to victims of domestic violence: 75 % up to a yearly amount of gifts, which is not
    # counted in the 20 % limit; what exceeds that amount is an ordinary 66 % gift (art. 200-1 ter).
    "difficulty_rate_percent": (Rule(date(2005, 1, 1), 75, ART_200_TER),),
    "difficulty_yearly_cap_cents": (
        Rule(date(2020, 1, 1), 100_000, "CGI art. 200-1 ter (plafond de 1 000 €, pérennisé par la loi de "
                                        "finances pour 2025) ; BOI-IR-RICI-250-30"),
        Rule(date(2025, 10, 14), 200_000, LF_2026),
    ),
    # Companies, article 238 bis CGI: 60 % (40 % on what exceeds 2 M€ a year, except gifts to aid
    # to people in difficulty), gifts counted up to 20 000 € or 5 ‰ of turnover if higher; the
    # excess is carried forward over the five following financial years.
    "company_rate_percent": (Rule(date(2003, 8, 1), 60, ART_238_BIS),),
    "company_reduced_rate_percent": (Rule(date(2020, 12, 31), 40, LF_2020),),
    "company_reduced_rate_threshold_cents": (Rule(date(2020, 12, 31), 200_000_000, LF_2020),),
    "company_cap_cents": (Rule(date(2020, 12, 31), 2_000_000, LF_2020),),
    "company_cap_turnover_permille": (Rule(date(2003, 8, 1), 5, ART_238_BIS),),
    "company_carry_forward_years": (Rule(date(2003, 8, 1), 5, "CGI art. 238 bis-1 ; BOI-BIC-RICI-20-30-20 § 40-45"),),
    # Counterparts (rewards) an individual may receive without losing the reduction: their value
    # within a quarter of the gifts and a flat amount for everything received in a calendar year
    # (69 € from 2016, 73 € since; the flat amount is revised every five years).
    "counterpart_max_percent": (Rule(date(2021, 1, 1), 25, COUNTERPARTS),),
    "counterpart_yearly_cap_cents": (Rule(date(2021, 1, 1), 7_300, COUNTERPARTS),),
}


def rule_on(rules, name, day) -> Rule:
    """The rule `name` in force on `day` (the latest whose `since` is not after it)."""
    in_force = [rule for rule in rules[name] if rule.since <= day]
    if not in_force:
        raise LookupError(f"no {name} rule in force on {day.isoformat()}")
    return max(in_force, key=lambda rule: rule.since)


def figures_on(rules, day) -> dict[str, int]:
    """Every figure in force on `day`, as {name: value}."""
    return {name: rule_on(rules, name, day).value for name in rules}


def rules_cover_from(rules) -> date:
    """The first day on which every figure has a rule (no receipt or simulation before it)."""
    return max(min(rule.since for rule in versions) for versions in rules.values())


def rules_day(paid_on: date | None = None, gift_year: int | None = None) -> date:
    """The day whose figures apply: the day the money was received (BOI-IR-RICI-250-20 § 20-30).

    A receipt for a year's gifts (an annual receipt, or a donor's counterparts over a year) takes
    the figures in force on 31 December of that year: its yearly amounts (the 75 % cap, the flat
    amount of counterparts) bound the year's total, and the donor declares that total under the
    law of that year (for 2025, the 2 000 € cap of gifts from 14 October bounds the year's total).
    """
    if paid_on is not None:
        return paid_on
    if gift_year is None:
        raise ValueError("a receipt is dated by its gift's day or its year")
    return date(gift_year, 12, 31)


def percent_text(value: int, per: int = 100) -> str:
    """A rate written the French way: `percent_text(66)` -> `66 %`, `percent_text(5, 1000)` -> `0,5 %`."""
    text = format(Decimal(value * 100) / Decimal(per), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} %"


def with_figure(rules, name, value, since=date(2000, 1, 1), reference="configuration locale"):
    """`rules` with `name` replaced by one value from `since` (for configuration and tests)."""
    return {**rules, name: (Rule(since, value, reference),)}
