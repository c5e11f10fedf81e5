"""State machines: one way to apply a transition table, for gifts, campaigns, receipts and statements.

Each model writes its lifecycle once as a table `{state: {states it may move to}}` beside the model
and calls `move_to`. What a repeated transition means is the caller's explicit choice: a replayed
Stripe webhook that says "succeeded" again is harmless (`Repeat.IGNORE`), a second cancellation of a
receipt is a mistake the user should hear about (`Repeat.REFUSE`).
"""
import enum

from app.errors import InvalidTransition


class Repeat(enum.Enum):
    IGNORE = "ignore"  # moving to the state the object is already in changes nothing: returns False
    REFUSE = "refuse"  # moving to the current state raises InvalidTransition like any unlisted move


def move_to(obj, status, table, *, what, repeat=Repeat.IGNORE, attribute="status"):
    """Set `obj.<attribute>` to `status` if `table` allows it from the current state.

    Returns True when the state changed, False for an ignored repeat; raises InvalidTransition
    (naming `what`, e.g. "gift") for any move the table does not list.
    """
    current = getattr(obj, attribute)
    status = type(current)(status)
    if status is current and repeat is Repeat.IGNORE:
        return False
    if status not in table[current]:
        raise InvalidTransition(f"a {current.value} {what} cannot become {status.value}", attribute)
    setattr(obj, attribute, status)
    return True
