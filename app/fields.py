"""Bounded input fields: every amount, count, year, date and instant the API accepts has limits that
both databases can store and that the OpenAPI document states.

Without them a JSON integer of 2**70 reaches PostgreSQL and fails there (a 500), and a year-1 instant
with a positive offset overflows when moved to UTC. The bounds are the domain's, not the machine's: no
gift is 10 billion euros, no receipt is dated before 2000 or after 2100.
"""
from datetime import date, datetime, timezone

from marshmallow import ValidationError, fields, validate

MAX_CENTS = 10**12  # 10 000 000 000 € — far above any gift, grant or statement, far below 2**63
MAX_COUNT = 1_000_000
MAX_ID = 2**31 - 1  # the databases' INTEGER primary keys
FIRST_YEAR, LAST_YEAR = 2000, 2100
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
FIRST_INSTANT = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc)
LAST_INSTANT = datetime(LAST_YEAR, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def Cents(*, min=1, max=MAX_CENTS, strict=True, **kwargs):  # noqa: N802 (a field factory reads as a type)
    """An amount in integer euro cents; in a JSON body, JSON integers only (no "12", no 12.5)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=min, max=max), **kwargs)


def Count(*, min=0, max=MAX_COUNT, strict=True, **kwargs):  # noqa: N802
    """A number of things (gifts, rewards, pages...)."""
    return fields.Integer(strict=strict, validate=validate.Range(min=min, max=max), **kwargs)


def Id(**kwargs):  # noqa: N802
    """A row's id as the caller gives it."""
    return fields.Integer(strict=kwargs.pop("strict", True), validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Year(**kwargs):  # noqa: N802
    return fields.Integer(validate=validate.Range(min=FIRST_YEAR, max=LAST_YEAR), **kwargs)


def _within(low, high, what):
    def check(value):
        if not low <= value <= high:
            raise ValidationError(f"{what} between {low.isoformat()} and {high.isoformat()}")
    return check


def Day(**kwargs):  # noqa: N802
    """A calendar day between 2000-01-01 and 2100-12-31."""
    return fields.Date(validate=_within(FIRST_DAY, LAST_DAY, "a day"), **kwargs)


class _AwareDateTime(fields.AwareDateTime):
    def _deserialize(self, value, attr, data, **kwargs):
        instant = super()._deserialize(value, attr, data, **kwargs)
        # Checked before anything moves it to UTC: year 1 at +01:00 is year 0 there, which does not exist.
        if not FIRST_DAY <= instant.date() <= LAST_DAY:
            raise self.make_error("invalid", input=value, obj_type="datetime")
        try:
            instant.astimezone(timezone.utc)
        except OverflowError:
            raise self.make_error("invalid", input=value, obj_type="datetime") from None
        return instant


def Instant(**kwargs):  # noqa: N802
    """An ISO 8601 instant with its offset, between 2000 and 2100."""
    kwargs.setdefault("metadata", {}).setdefault(
        "description", f"ISO 8601 with its offset, between {FIRST_YEAR} and {LAST_YEAR}")
    return _AwareDateTime(**kwargs)
