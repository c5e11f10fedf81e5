"""The tax-reduction simulator: what a gift really costs the donor, with the rules in force on its date.

The figures come from the dated table TAX_RULES (app/tax_rules.py): a gift is simulated with the
rules of the day it is made (today, for the donation form). Integer arithmetic throughout; each
part of the reduction is rounded down to the cent (the donor is never promised a cent more than the
law gives). The simulator sees one gift: the yearly amounts (the 75 % cap, the 2 M€ of a company's
gifts) are applied as if it were the donor's only gift of the year to such organizations, and the
answer says so.
"""
from datetime import date

from flask import current_app
from num2words import num2words

from app.errors import InvalidInput
from app.formatting import local_today
from app.money import format_eur
from app.tax_rules import figures_on, percent_text, rule_on, rules_cover_from
from campaigns.models import ReceiptRegime


def _part(cents, rate, per=100):
    return cents * rate // per


def simulate(amount_cents, donor_type, regime=None, taxable_income_cents=None, turnover_cents=None, *,
             day: date | None = None, counterpart_cents: int = 0) -> dict:
    """What the gift costs after the reduction: amount, reduction, net cost, rate, legal reference,
    and the details a donor needs (the amount that earns the reduction once the reward's value is
    deducted, what is carried forward, the day whose rules applied, notes in French)."""
    table = current_app.config["TAX_RULES"]
    day = day or local_today()
    if amount_cents <= 0:
        raise InvalidInput("give a positive amount", "amount_cents")
    if day < rules_cover_from(table):
        raise InvalidInput(f"no tax rules on file before {rules_cover_from(table).strftime('%d/%m/%Y')}", "date")
    if counterpart_cents < 0 or counterpart_cents > amount_cents:
        raise InvalidInput("a reward's value is between 0 and the gift", "counterpart_cents")
    if donor_type not in ("individual", "company"):
        raise InvalidInput("donor_type is individual or company", "donor_type")
    rules = figures_on(table, day)
    answer = {"amount_cents": amount_cents, "counterpart_cents": counterpart_cents, "rule_date": day}
    if regime is ReceiptRegime.not_eligible:
        return _result(answer, 0, 0, 0, 0, "Aucune réduction : cet organisme ne délivre pas de reçu fiscal",
                       ["Cet organisme ne délivre pas de reçu fiscal : le don n'ouvre droit à aucune réduction."])
    notes = []
    refusal = _counterpart_refusal(amount_cents, counterpart_cents, donor_type, rules)
    if refusal is not None:
        return _result(answer, 0, 0, 0, 0, rule_on(table, "counterpart_max_percent", day).reference, [refusal])
    eligible = amount_cents - counterpart_cents
    if counterpart_cents:
        notes.append(f"La valeur de la contrepartie ({format_eur(counterpart_cents)}) est déduite : le reçu "
                     f"porte {format_eur(eligible)}, le don déduction faite de la valeur des contreparties "
                     "(BOI-IR-RICI-250-10-20-10).")
    if donor_type == "company":
        return _company(answer, eligible, rules, table, day, regime, turnover_cents, notes)
    return _individual(answer, eligible, rules, table, day, regime, taxable_income_cents, notes)


def _counterpart_refusal(amount_cents, counterpart_cents, donor_type, rules):
    """Why this gift's reward takes it out of the reduction, or None. The simulator sees this reward
    alone; what the donor received earlier in the year is counted when the receipt is due."""
    if not counterpart_cents:
        return None
    share = rules["counterpart_max_percent"]
    if counterpart_cents * 100 > amount_cents * share:
        return (f"La contrepartie vaut plus de {percent_text(share)} du don : le versement n'ouvre droit à "
                "aucune réduction d'impôt (BOI-IR-RICI-250-10-20-10).")
    cap = rules["counterpart_yearly_cap_cents"]
    if donor_type == "individual" and counterpart_cents > cap:
        return (f"La contrepartie vaut plus de {format_eur(cap)} (limite par an et par donateur) : le versement "
                "n'ouvre droit à aucune réduction d'impôt (BOI-IR-RICI-250-10-20-10).")
    return None


def _individual(answer, eligible, rules, table, day, regime, income, notes):
    """Article 200 CGI. For aid to people in difficulty (art. 200-1 ter), 75 % of the gifts up to
    the yearly cap, a part not counted in the 20 % limit; the rest is an ordinary 66 % gift. The
    66 % part counts within 20 % of taxable income; what exceeds it is carried forward over the
    five following years (art. 200-5)."""
    rate, limit_share = rules["individual_rate_percent"], rules["individual_income_cap_percent"]
    years = num2words(rules["individual_carry_forward_years"], lang="fr")
    high = high_reduction = 0
    references = []
    if regime is ReceiptRegime.aid_to_people_in_difficulty:
        cap_rule = rule_on(table, "difficulty_yearly_cap_cents", day)
        high_rate = rules["difficulty_rate_percent"]
        high = min(eligible, cap_rule.value)
        high_reduction = _part(high, high_rate)
        notes.append(f"{percent_text(high_rate)} des dons jusqu'à {format_eur(cap_rule.value)} par an (plafond "
                     f"en vigueur pour les dons effectués à compter du {cap_rule.since.strftime('%d/%m/%Y')}), "
                     f"hors de la limite de {percent_text(limit_share)} du revenu imposable ; au-delà, "
                     f"{percent_text(rate)} dans cette limite. Le plafond vaut pour l'ensemble des dons de "
                     "l'année à ces organismes.")
        references.append(f"Article 200-1 ter du CGI ({percent_text(high_rate)} jusqu'à {format_eur(cap_rule.value)} "
                          f"par an, puis {percent_text(rate)}) : {cap_rule.reference}")
    rest = eligible - high
    within = rest if income is None else min(rest, _part(income, limit_share))
    carried = rest - within
    reduction = high_reduction + _part(within, rate)
    references.append(f"Article 200-1 du CGI ({percent_text(rate)} dans la limite de {percent_text(limit_share)} "
                      f"du revenu imposable) : {rule_on(table, 'individual_rate_percent', day).reference}")
    if carried:
        notes.append(f"{format_eur(carried)} dépassent {percent_text(limit_share)} de votre revenu imposable : "
                     f"ils sont reportés sur les {years} années suivantes et y ouvrent droit à la réduction dans "
                     "les mêmes conditions (article 200-5 du CGI).")
    else:
        notes.append(f"Les dons retenus à {percent_text(rate)} le sont dans la limite de {percent_text(limit_share)} "
                     f"du revenu imposable ; l'excédent est reporté sur les {years} années suivantes "
                     "(article 200-5 du CGI).")
    if not high:
        shown_rate = rate
    elif high == eligible:
        shown_rate = rules["difficulty_rate_percent"]
    else:
        shown_rate = None  # 75 % and 66 %: the blended rate
    return _result(answer, eligible, reduction, carried, shown_rate, " ; ".join(references), notes)


def _company(answer, eligible, rules, table, day, regime, turnover, notes):
    """Article 238 bis CGI: 60 %, 40 % on what exceeds 2 M€ of gifts (except gifts to organizations
    that aid people in difficulty, which stay at 60 % and are not counted in the 2 M€), gifts counted
    up to 20 000 € or 5 ‰ of turnover if higher; the excess is carried forward over the five
    following financial years (BOI-BIC-RICI-20-30-20 § 40-45)."""
    rate, reduced = rules["company_rate_percent"], rules["company_reduced_rate_percent"]
    threshold, permille = rules["company_reduced_rate_threshold_cents"], rules["company_cap_turnover_permille"]
    years = num2words(rules["company_carry_forward_years"], lang="fr")
    cap = rules["company_cap_cents"]
    if turnover is not None:
        cap = max(cap, _part(turnover, permille, 1000))
    base = min(eligible, cap)
    carried = eligible - base
    if regime is ReceiptRegime.aid_to_people_in_difficulty:
        reduction = _part(base, rate)
        notes.append(f"Don à un organisme d'aide aux personnes en difficulté : {percent_text(rate)} quel que soit "
                     f"le montant, sans compter dans le seuil de {format_eur(threshold)} (article 238 bis-1 du CGI).")
    else:
        reduction = _part(min(base, threshold), rate) + _part(max(0, base - threshold), reduced)
        notes.append(f"{percent_text(rate)} jusqu'à {format_eur(threshold)} de dons dans l'exercice, "
                     f"{percent_text(reduced)} au-delà (les dons aux organismes d'aide aux personnes en difficulté "
                     f"restent à {percent_text(rate)} et ne comptent pas dans ce seuil).")
    cap_text = (f"{format_eur(rules['company_cap_cents'])} ou {percent_text(permille, 1000)} du chiffre d'affaires "
                "hors taxes si ce montant est plus élevé")
    if carried:
        notes.append(f"{format_eur(carried)} dépassent le plafond ({cap_text}) : ils sont reportés sur les "
                     f"{years} exercices suivants (article 238 bis du CGI ; BOI-BIC-RICI-20-30-20).")
    else:
        notes.append(f"Les dons sont retenus dans la limite de {cap_text} ; l'excédent est reporté sur les {years} "
                     "exercices suivants (article 238 bis du CGI ; BOI-BIC-RICI-20-30-20).")
    if turnover is None:
        notes.append("Indiquez le chiffre d'affaires pour appliquer le plafond de "
                     f"{percent_text(permille, 1000)} s'il dépasse {format_eur(rules['company_cap_cents'])}.")
    shown_rate = rate if regime is ReceiptRegime.aid_to_people_in_difficulty or base <= threshold else None
    reference = (f"Article 238 bis du CGI ({percent_text(rate)}, {percent_text(reduced)} au-delà de "
                 f"{format_eur(threshold)} ; plafond {cap_text}) : "
                 f"{rule_on(table, 'company_reduced_rate_percent', day).reference}")
    return _result(answer, eligible, reduction, carried, shown_rate, reference, notes)


def _result(answer, eligible_cents, reduction_cents, carry_forward_cents, rate_percent, legal_reference, notes):
    if rate_percent is None:  # two rates: the blended rate on what counts this year, rounded down
        counted = eligible_cents - carry_forward_cents
        rate_percent = reduction_cents * 100 // counted if counted else 0
    return {**answer, "eligible_cents": eligible_cents, "reduction_cents": reduction_cents,
            "net_cost_cents": answer["amount_cents"] - reduction_cents,
            "carry_forward_cents": carry_forward_cents, "rate_percent": rate_percent,
            "legal_reference": legal_reference, "notes": notes}
