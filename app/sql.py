"""Statements every package writes the same way: insert-unless-it-exists and row-locked look-ups."""
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def upsert_insert(model):
    """INSERT for `model` in the session's dialect, with its ON CONFLICT clauses (both dialects
    support `on_conflict_do_nothing` and `on_conflict_do_update`; only the statement class differs)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_ignoring(model, values, keys):
    """INSERT `values` into `model` unless a row with the same `keys` (a unique index) exists.

    Returns the executed result (its `rowcount` is 1 when the row was new). Both dialects say it as
    `INSERT ... ON CONFLICT (keys) DO NOTHING`; only the statement class differs.
    """
    return db.session.execute(
        upsert_insert(model).values(**values).on_conflict_do_nothing(index_elements=list(keys)))


def locked(statement, of=None, *, skip_locked=False):
    """`statement` as SELECT ... FOR UPDATE of `of` (default: the statement's first entity), reloading
    the rows from the database so that a value read before the lock is never trusted."""
    if of is None:
        of = statement.column_descriptions[0]["entity"]
    return (statement.with_for_update(of=of, skip_locked=skip_locked)
            .execution_options(populate_existing=True))


def contains_pattern(text) -> str:
    """A LIKE pattern (with `escape="\\"`) matching `text` anywhere, lower-cased: `%`, `_` and `\\` in
    what the user typed are literal characters, not wildcards."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
