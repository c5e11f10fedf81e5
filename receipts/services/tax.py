"""The tax-reduction simulator: what a gift really costs the donor, with the rules of TAX_RULES.

Integer arithmetic throughout; each reduction is rounded down to the cent (the donor is never
promised a cent more than the law gives).
"""
from flask import current_app

from app.errors import InvalidInput
from app.money import format_eur
from campaigns.models import ReceiptRegime


def _percent(cents, rate):
    return cents * rate // 100


def simulate(amount_cents, donor_type, regime=None, taxable_income_cents=None, turnover_cents=None) -> dict:
    """What the gift costs after the reduction: amount, reduction, net cost, rate and legal reference."""
    rules = current_app.config["TAX_RULES"]
    if amount_cents <= 0:
        raise InvalidInput("give a positive amount", "amount_cents")
    if regime is ReceiptRegime.not_eligible:
        return _result(amount_cents, 0, 0, "Aucune réduction : cet organisme ne délivre pas de reçu fiscal")
    if donor_type == "company":
        return _company(amount_cents, rules, turnover_cents)
    if donor_type != "individual":
        raise InvalidInput("donor_type is individual or company", "donor_type")
    base = amount_cents
    if taxable_income_cents is not None:
        base = min(base, _percent(taxable_income_cents, rules["individual_income_cap_percent"]))
    if regime is ReceiptRegime.aid_to_people_in_difficulty:
        high = min(base, rules["difficulty_yearly_cap_cents"])
        reduction = _percent(high, rules["difficulty_rate_percent"]) + _percent(base - high, rules["individual_rate_percent"])
        rate = rules["difficulty_rate_percent"] if base <= high else None
        return _result(amount_cents, reduction, rate,
                       f"Article 200-1 ter du CGI ({rules['difficulty_rate_percent']} % jusqu'à "
                       f"{format_eur(rules['difficulty_yearly_cap_cents'])} par an, puis "
                       f"{rules['individual_rate_percent']} %)")
    return _result(amount_cents, _percent(base, rules["individual_rate_percent"]), rules["individual_rate_percent"],
                   f"Article 200-1 du CGI ({rules['individual_rate_percent']} % dans la limite de "
                   f"{rules['individual_income_cap_percent']} % du revenu imposable)")


def _company(amount_cents, rules, turnover_cents):
    cap = rules["company_cap_cents"]
    if turnover_cents is not None:
        cap = max(cap, turnover_cents * rules["company_cap_turnover_permille"] // 1000)
    base = min(amount_cents, cap)
    threshold = rules["company_reduced_rate_threshold_cents"]
    reduction = (_percent(min(base, threshold), rules["company_rate_percent"])
                 + _percent(max(0, base - threshold), rules["company_reduced_rate_percent"]))
    rate = rules["company_rate_percent"] if base <= threshold else None
    return _result(amount_cents, reduction, rate,
                   f"Article 238 bis du CGI ({rules['company_rate_percent']} %, "
                   f"{rules['company_reduced_rate_percent']} % au-delà de {format_eur(threshold)} ; plafond "
                   f"{format_eur(rules['company_cap_cents'])} ou {rules['company_cap_turnover_permille'] / 10:g} % "
                   "du chiffre d'affaires)")


def _result(amount_cents, reduction_cents, rate_percent, legal_reference):
    if rate_percent is None:
        rate_percent = reduction_cents * 100 // amount_cents  # a blended rate, rounded down
    return {"amount_cents": amount_cents, "reduction_cents": reduction_cents,
            "net_cost_cents": amount_cents - reduction_cents, "rate_percent": rate_percent,
            "legal_reference": legal_reference}
