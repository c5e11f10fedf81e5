"""How the application's connections behave, per database.

SQLite (the embedded default). pysqlite opens no transaction before a SELECT and emits its own
BEGIN only before a write, so a row read "under lock" could change before the write that depends on
it (SQLite has no SELECT ... FOR UPDATE), and a SAVEPOINT outside a transaction commits on RELEASE.
As SQLAlchemy's documentation advises for pysqlite, the driver's own transaction handling is turned
off and SQLAlchemy's BEGIN is emitted here: `BEGIN IMMEDIATE`, which takes SQLite's single write lock
at once, so that every transaction that may write runs one after another (a second one waits up to
`busy_timeout`). A request that cannot write (GET, HEAD, OPTIONS), or code inside `read_only()`,
begins deferred instead, so readers see a WAL snapshot side by side rather than queueing behind
writers (a reader asking for the write lock would also starve behind a batch that commits and
begins again at once).

PostgreSQL (production). Each session gets `lock_timeout`, `statement_timeout` and
`idle_in_transaction_session_timeout`: a process that died or hangs holding a row lock (a killed
batch's orphaned connection) is cut off after a bounded time instead of freezing every later
transaction, and a waiter gives up with an error (answered 503, retried) rather than waiting forever.
"""
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Milliseconds; configuration (DB_*_TIMEOUT_MS) may change them.
DEFAULT_TIMEOUTS_MS = {
    "lock_timeout": 15_000,
    "statement_timeout": 120_000,
    "idle_in_transaction_session_timeout": 60_000,
}
_timeouts_ms = dict(DEFAULT_TIMEOUTS_MS)
_read_only = ContextVar("solidaire_read_only", default=False)


@contextmanager
def read_only():
    """Transactions begun inside only read: on SQLite they do not take the write lock."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def _is_sqlite(dbapi_connection):
    return type(dbapi_connection).__module__.startswith("sqlite3")


def session_reads_only(view):
    """For a view whose session only reads and whose writes go through their own autocommit
    connection (the checkout's hot path): on SQLite its session must not hold the write lock that
    its own writes wait for."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        with read_only():
            return view(*args, **kwargs)

    return wrapper


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, connection_record):
    if _is_sqlite(dbapi_connection):
        # SQLAlchemy emits BEGIN itself (below); pysqlite must not add its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # SET outside any transaction: it lasts for the session
        with dbapi_connection.cursor() as cursor:
            for name, milliseconds in _timeouts_ms.items():
                cursor.execute(f"SET {name} = {int(milliseconds)}")
        dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "begin")
def _on_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # each statement is its own transaction (the checkout's hot path)
    deferred = _read_only.get() or (has_request_context() and request.method in READ_ONLY_METHODS)
    connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def init_app(app):
    for name in DEFAULT_TIMEOUTS_MS:
        _timeouts_ms[name] = app.config.get(f"DB_{name.upper()}_MS", DEFAULT_TIMEOUTS_MS[name])
