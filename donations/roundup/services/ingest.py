"""Recording round-ups: one at a time from a checkout, in batches from a till, and voids.

The hot path is one `INSERT ... ON CONFLICT (merchant_id, external_id) DO NOTHING RETURNING`: the
database, not the application, decides which of two concurrent retries records the round-up.
No running total is touched here; the dashboard and the settlement aggregate with SQL.

None of these inserts is `app.sql.insert_ignoring` (one row through the session): the checkout's
insert also proves the key (INSERT ... SELECT, on an autocommit connection or psycopg itself), and a
batch is one statement for all its rows that returns those it inserted.
"""
import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Date, Integer, Row, String, bindparam, select, true
from sqlalchemy.dialects import postgresql, sqlite

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.sql import locked
from app.types import UTCDateTime, utcnow
from donations.roundup import hotpath
from donations.roundup.models import Merchant, MerchantKey, Roundup, RoundupPaymentMethod
from donations.roundup.services.merchants import merchant_for_key_hash
from donations.roundup.services.rules import check_roundup

EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_BASKET_CENTS = 10_000_000  # 100 000 €: above, a till has sent something else than a basket
MAX_BATCH = 10_000
PAYMENT_METHODS = frozenset(method.value for method in RoundupPaymentMethod)
# A till's clock may run a little fast; a round-up from further in the future is a mistake.
CLOCK_SKEW = timedelta(minutes=10)


def _zone():
    return ZoneInfo(current_app.config["TIMEZONE"])


def check_values(merchant, external_id, basket_cents, roundup_cents, occurred_at=None, donor_email=None,
                 payment_method="card", *, now=None, zone=None) -> dict:
    """The row to insert, or InvalidInput naming each bad field. Shared by the single and batch paths."""
    errors = {}
    if not isinstance(external_id, str) or not EXTERNAL_ID_RE.match(external_id):
        errors["external_id"] = ["1 to 100 letters, digits or . _ : - (starting with a letter or digit)"]
    for name, value in (("basket_cents", basket_cents), ("roundup_cents", roundup_cents)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = ["a whole number of cents"]
        elif value < 0 or value > MAX_BASKET_CENTS:
            errors[name] = [f"between 0 and {MAX_BASKET_CENTS} cents"]
    now = now or utcnow()
    if occurred_at is None:
        occurred_at = now
    elif not isinstance(occurred_at, datetime) or occurred_at.tzinfo is None:
        errors["occurred_at"] = ["a date and time with its offset (ISO 8601)"]
    elif occurred_at > now + CLOCK_SKEW:
        errors["occurred_at"] = ["in the future"]
    if donor_email is not None:
        if not isinstance(donor_email, str) or len(donor_email) > 254 or not EMAIL_RE.match(donor_email.strip()):
            errors["donor_email"] = ["not an email address"]
        else:
            donor_email = donor_email.strip().lower()
    if payment_method not in PAYMENT_METHODS:
        errors["payment_method"] = ["card or cash (how the basket was paid at the till)"]
    if not errors:
        try:
            check_roundup(merchant, basket_cents, roundup_cents)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first if len(errors) == 1 else "check these fields: " + ", ".join(sorted(errors)),
                           errors=errors)
    return {
        "merchant_id": merchant.id, "external_id": external_id, "basket_cents": basket_cents,
        "roundup_cents": roundup_cents, "occurred_at": occurred_at,
        "occurred_on": occurred_at.astimezone(zone or _zone()).date(), "donor_email": donor_email,
        "payment_method": payment_method, "created_at": now,
    }


def first_answer(values, connection=None) -> Roundup:
    """The round-up recorded first under this transaction id, if a replay carries the same amounts."""
    execute = connection.execute if connection is not None else db.session.execute
    found = execute(select(Roundup.__table__).where(Roundup.merchant_id == values["merchant_id"],
                                                    Roundup.external_id == values["external_id"])).first()
    first = Roundup(**found._mapping)
    if (first.basket_cents, first.roundup_cents) != (values["basket_cents"], values["roundup_cents"]):
        raise Conflict(f"the round-up {first.external_id!r} was recorded with basket_cents={first.basket_cents} "
                       f"and roundup_cents={first.roundup_cents}", "external_id")
    return first


_GUARDED_INSERTS = {}


def _guarded_insert(dialect):
    """INSERT ... SELECT from the key's row: the key is live, the merchant active, its rule the one used."""
    statement = _GUARDED_INSERTS.get(dialect)
    if statement is None:
        columns = ["merchant_id", "external_id", "basket_cents", "roundup_cents", "occurred_at", "occurred_on",
                   "donor_email", "payment_method", "created_at"]
        source = (select(Merchant.id, bindparam("external_id", type_=String()),
                         bindparam("basket_cents", type_=Integer()), bindparam("roundup_cents", type_=Integer()),
                         bindparam("occurred_at", type_=UTCDateTime()), bindparam("occurred_on", type_=Date()),
                         bindparam("donor_email", type_=String()), bindparam("payment_method", type_=String()),
                         bindparam("created_at", type_=UTCDateTime()))
                  .join(MerchantKey, MerchantKey.merchant_id == Merchant.id)
                  .where(MerchantKey.key_hash == bindparam("key_hash"), MerchantKey.revoked_at.is_(None),
                         Merchant.active == true(), Merchant.rule_version == bindparam("rule_version")))
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (insert(Roundup.__table__).from_select(columns, source)
                     .on_conflict_do_nothing(index_elements=["merchant_id", "external_id"])
                     .returning(Roundup.id))
        _GUARDED_INSERTS[dialect] = statement
    return statement


# The same statement for psycopg itself: on the checkout's hot path SQLAlchemy's own work per execution
# (about 170 µs of Python, measured) is a large share of the request.
GUARDED_INSERT_SQL = """
    INSERT INTO roundups (merchant_id, external_id, basket_cents, roundup_cents, occurred_at, occurred_on,
                          donor_email, payment_method, created_at)
    SELECT m.id, %(external_id)s, %(basket_cents)s, %(roundup_cents)s, %(occurred_at)s, %(occurred_on)s,
           %(donor_email)s, %(payment_method)s, %(created_at)s
    FROM merchant_keys k JOIN merchants m ON m.id = k.merchant_id
    WHERE k.key_hash = %(key_hash)s AND k.revoked_at IS NULL AND m.active AND m.rule_version = %(rule_version)s
    ON CONFLICT (merchant_id, external_id) DO NOTHING
    RETURNING id
"""


def insert_for_key(values, key_hash, rule_version, connection) -> int | None:
    """Insert a checked round-up in one statement that also proves the key; returns the new id, or None
    when nothing was inserted (a replay, or a key, merchant or rule that changed meanwhile).

    `connection` (SQLAlchemy) is in autocommit: this statement is the whole transaction.
    """
    params = {**values, "key_hash": key_hash, "rule_version": rule_version}
    return connection.execute(_guarded_insert(connection.dialect.name), params).scalar()


def insert_for_key_psycopg(values, key_hash, rule_version, raw) -> int | None:
    """`insert_for_key` on an autocommit psycopg connection (PostgreSQL's hot path)."""
    row = raw.execute(GUARDED_INSERT_SQL, {**values, "key_hash": key_hash, "rule_version": rule_version}).fetchone()
    return row[0] if row else None


class KeyRefused(Conflict):
    """The key was revoked, or its merchant switched off, since the caller read its rule."""


def live_rule(key_hash) -> Row:
    """The rule row behind a key, read again now; KeyRefused when the key may no longer record."""
    found = hotpath.run(lambda connection: merchant_for_key_hash(key_hash, connection))
    if found is None:
        raise KeyRefused("this key has been revoked")
    if not found[0].active:
        raise KeyRefused("this merchant's round-up is switched off")
    return found[0]


def record_checkout(rule, key_hash, values, *, resolve=live_rule) -> tuple[object, bool]:
    """Record one checkout's round-up; returns (round-up, created).

    `rule` is the merchant's rule as the caller knows it (a worker's cache may be a minute old), and
    `values` the round-up's fields (external_id, basket_cents, roundup_cents, occurred_at?,
    donor_email?). It is checked against that rule, then inserted by one autocommit statement that
    also proves the key is live, the merchant active and the rule version unchanged. When nothing was
    inserted, `resolve(key_hash)` reads the rule again (and raises if the key may no longer record):
    the same version means a replay, answered with the round-up recorded first (created False, or a
    Conflict with other amounts); a new version means the rule changed meanwhile, and the round-up
    is checked again against it, once.
    """
    for _ in range(2):
        checked = check_values(rule, **values)
        version = rule.rule_version
        if db.engine.dialect.name == "postgresql":
            new_id = hotpath.run_raw(lambda raw: insert_for_key_psycopg(checked, key_hash, version, raw))
        else:
            new_id = hotpath.run(lambda connection: insert_for_key(checked, key_hash, version, connection))
        if new_id is not None:
            # Not a Roundup: building an ORM instance is a measurable share of the hot path's time.
            return SimpleNamespace(id=new_id, status="recorded", **checked), True
        live = resolve(key_hash)
        if live.rule_version == version:
            return hotpath.run(lambda connection: first_answer(checked, connection)), False
        rule = live
    raise Conflict("the merchant's rule is changing; retry", "roundup_cents")


def _parse_moment(value):
    if value is None:
        return None
    if not isinstance(value, str):
        return value  # check_values refuses it
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return "invalid"


def record_batch(merchant, rows) -> dict:
    """Record up to 10 000 round-ups in one transaction.

    Returns {"accepted", "duplicates", "rejected": [{"index", "errors"}]}: valid rows are kept,
    invalid ones reported by their index, replays of recorded round-ups counted as duplicates (a
    replay with other amounts is rejected). Nothing is written for a rejected row.
    """
    if not isinstance(rows, list):
        raise InvalidInput("roundups is a list", "roundups")
    if len(rows) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} round-ups in one batch", "roundups")
    now, zone = utcnow(), _zone()
    rejected, valid, first_index = [], [], {}
    duplicates = 0
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            rejected.append({"index": index, "errors": {"_row": ["an object"]}})
            continue
        try:
            values = check_values(merchant, raw.get("external_id"), raw.get("basket_cents"),
                                  raw.get("roundup_cents"), _parse_moment(raw.get("occurred_at")),
                                  raw.get("donor_email"), raw.get("payment_method", "card"), now=now, zone=zone)
        except InvalidInput as error:
            rejected.append({"index": index, "errors": error.errors})
            continue
        earlier = first_index.get(values["external_id"])
        if earlier is not None:
            kept = valid[earlier[1]]
            if (kept["basket_cents"], kept["roundup_cents"]) == (values["basket_cents"], values["roundup_cents"]):
                duplicates += 1
            else:
                rejected.append({"index": index, "errors": {
                    "external_id": [f"repeats row {earlier[0]} with other amounts"]}})
            continue
        first_index[values["external_id"]] = (index, len(valid))
        valid.append(values)
    inserted = _insert_many(valid) if valid else set()
    if len(inserted) < len(valid):
        left_out = [values for values in valid if values["external_id"] not in inserted]
        recorded = _recorded_amounts(merchant.id, [values["external_id"] for values in left_out])
        for values in left_out:
            index = first_index[values["external_id"]][0]
            if recorded.get(values["external_id"]) == (values["basket_cents"], values["roundup_cents"]):
                duplicates += 1
            else:
                rejected.append({"index": index, "errors": {"external_id": [
                    "recorded before with other amounts"]}})
    rejected.sort(key=lambda item: item["index"])
    return {"accepted": len(inserted), "duplicates": duplicates, "rejected": rejected}


# One statement for the whole batch on PostgreSQL: arrays in, the inserted ids out.
UNNEST_INSERT_SQL = """
    INSERT INTO roundups (merchant_id, external_id, basket_cents, roundup_cents, occurred_at, occurred_on,
                          donor_email, payment_method, created_at)
    SELECT %(merchant_id)s, r.external_id, r.basket_cents, r.roundup_cents, r.occurred_at, r.occurred_on,
           r.donor_email, COALESCE(r.payment_method, 'card'), %(created_at)s
    FROM unnest(CAST(%(external_ids)s AS text[]), CAST(%(baskets)s AS integer[]), CAST(%(roundups)s AS integer[]),
                CAST(%(occurred_ats)s AS timestamptz[]), CAST(%(occurred_ons)s AS date[]),
                CAST(%(donor_emails)s AS text[]), CAST(%(payment_methods)s AS text[]))
         AS r(external_id, basket_cents, roundup_cents, occurred_at, occurred_on, donor_email, payment_method)
    ON CONFLICT (merchant_id, external_id) DO NOTHING
    RETURNING external_id
"""


def _insert_many(valid):
    """Insert the rows, skipping those already recorded; returns the external ids inserted."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        emails = [v["donor_email"] for v in valid]
        methods = [v["payment_method"] for v in valid]
        params = {
            "merchant_id": valid[0]["merchant_id"], "created_at": valid[0]["created_at"],
            "external_ids": [v["external_id"] for v in valid], "baskets": [v["basket_cents"] for v in valid],
            "roundups": [v["roundup_cents"] for v in valid], "occurred_ats": [v["occurred_at"] for v in valid],
            "occurred_ons": [v["occurred_on"] for v in valid],
            # unnest pads a missing array with NULLs; an array of NULLs alone has no type to send.
            "donor_emails": emails if any(emails) else None,
            # Likewise: a batch paid by card throughout (the usual case) sends no array, and is 'card'.
            "payment_methods": methods if any(m != "card" for m in methods) else None,
        }
        # psycopg itself, in the session's transaction: binary arrays spare quoting every element, which
        # was the largest Python cost of a 1,000-row batch (measured).
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(UNNEST_INSERT_SQL, params, binary=True)
        return {row[0] for row in cursor.fetchall()}
    # Many rows in one statement, returning those inserted: not a case for `insert_ignoring`.
    statement = (sqlite.insert(Roundup).on_conflict_do_nothing(index_elements=["merchant_id", "external_id"])
                 .returning(Roundup.external_id))
    return set(db.session.execute(statement, valid).scalars())


def _recorded_amounts(merchant_id, external_ids):
    found = db.session.execute(
        select(Roundup.external_id, Roundup.basket_cents, Roundup.roundup_cents)
        .where(Roundup.merchant_id == merchant_id, Roundup.external_id.in_(external_ids)))
    return {row.external_id: (row.basket_cents, row.roundup_cents) for row in found}


def get_roundup(merchant, external_id) -> Roundup:
    roundup = db.session.scalar(select(Roundup).where(Roundup.merchant_id == merchant.id,
                                                      Roundup.external_id == external_id))
    if roundup is None:
        raise NotFound(f"no round-up {external_id!r}")
    return roundup


def void_roundup(merchant, external_id) -> tuple[Roundup, bool]:
    """A return in store: the round-up is voided; returns (Roundup, after_settlement).

    Before its settlement it is simply left out of the statement; after, the next statement gives it
    back as an adjustment (and a donor's yearly total, which counts live round-ups only, leaves it
    out). Voiding twice changes nothing.
    """
    roundup = db.session.scalar(locked(select(Roundup).where(Roundup.merchant_id == merchant.id,
                                                             Roundup.external_id == external_id)))
    if roundup is None:
        raise NotFound(f"no round-up {external_id!r}")
    if roundup.voided_at is None:
        roundup.voided_at = utcnow()
        db.session.flush()
    return roundup, roundup.settlement_id is not None
