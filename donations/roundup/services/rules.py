"""The rounding rule of a merchant: which round-ups a basket allows. Pure functions, no database."""
from app.errors import InvalidInput


def roundup_options(merchant, basket_cents) -> list[int]:
    """Every round-up the rule allows for this basket, smallest first (the plain rounding first).

    The plain rounding takes the basket to the next multiple of the step; a basket already on the
    step gives nothing unless the merchant offers a whole step then. Each fixed top-up is added on
    top of the plain rounding, so the total stays a round figure. Nothing above the maximum.
    """
    base = _plain_rounding(merchant, basket_cents)
    options = []
    for amount in [base, *(base + top_up for top_up in sorted(merchant.top_ups_cents or ()))]:
        if amount <= 0 or amount in options:
            continue
        if merchant.max_roundup_cents is not None and amount > merchant.max_roundup_cents:
            continue
        options.append(amount)
    return options


def quote(merchant, basket_cents) -> dict:
    """`{basket_cents, roundup_cents, total_cents, options}`: what the checkout offers."""
    options = roundup_options(merchant, basket_cents)
    plain = _plain_rounding(merchant, basket_cents)
    plain = plain if plain in options else 0
    return {
        "basket_cents": basket_cents,
        "roundup_cents": plain,
        "total_cents": basket_cents + plain,
        "options": [{"roundup_cents": amount, "total_cents": basket_cents + amount} for amount in options],
    }


def _plain_rounding(merchant, basket_cents):
    step = merchant.rounding_step_cents
    rest = basket_cents % step
    if rest:
        return step - rest
    return step if merchant.round_exact_baskets else 0


def check_roundup(merchant, basket_cents, roundup_cents) -> None:
    """Raise InvalidInput, saying why, unless the rule allows this round-up for this basket."""
    if roundup_cents <= 0:
        raise InvalidInput("a round-up is at least 1 cent", "roundup_cents")
    options = roundup_options(merchant, basket_cents)
    if roundup_cents in options:
        return
    if merchant.max_roundup_cents is not None and roundup_cents > merchant.max_roundup_cents:
        raise InvalidInput(f"{roundup_cents} cents is above this merchant's maximum round-up of "
                           f"{merchant.max_roundup_cents} cents", "roundup_cents")
    if not options:
        raise InvalidInput(f"the rule of this merchant gives no round-up for a basket of {basket_cents} cents "
                           f"(it is already on the {merchant.rounding_step_cents}-cent step)", "roundup_cents")
    allowed = ", ".join(str(amount) for amount in options)
    raise InvalidInput(f"for a basket of {basket_cents} cents the rule of this merchant allows a round-up of "
                       f"{allowed} cents, not {roundup_cents}", "roundup_cents")
