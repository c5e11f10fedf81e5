"""The database connections of the checkout's hot path: autocommit, no per-request ping.

Measured (bench/roundup_ingest.py): through the session, one round-up costs BEGIN, a ping of the
pooled connection, the key lookup, the insert and COMMIT — five round trips, most of the request's
time. Here the insert that also proves the key is one statement in autocommit (atomic on its own):
one round trip. On PostgreSQL it runs on a psycopg connection kept by each worker thread (no pool
checkout, no ping); the rarer statements (key lookup once a minute, replays) use a pool that does
not ping. A connection found dead is replaced and the statement retried once.
"""
import threading
import weakref

from flask import current_app, g
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from app.extensions import db

ENGINE_KEY = "roundup.hot_engine"


def _engine(app):
    engine = app.extensions.get(ENGINE_KEY)
    if engine is None:
        if db.engine.dialect.name != "postgresql":
            # SQLite: a file on this host, nothing to ping; the application's own pool will do.
            engine = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            # Autocommit leaves no transaction open, so nothing to roll back when a connection returns.
            engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                   pool_reset_on_return=None, pool_size=2, max_overflow=8, pool_recycle=1800)
            weakref.finalize(app, engine.dispose)
        app.extensions[ENGINE_KEY] = engine
    return engine


def connection():
    """This request's hot-path connection (autocommit), returned to its pool at teardown."""
    if "roundup_connection" not in g:
        g.roundup_connection = _engine(current_app._get_current_object()).connect()
    return g.roundup_connection


def run(operation):
    """`operation(connection)`, retried once on a fresh connection if the pooled one was dead."""
    try:
        return operation(connection())
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        release()
        return operation(connection())


# One psycopg connection per thread and database, whatever the number of app objects (tests make many).
_threads = threading.local()


def run_raw(operation):
    """`operation(psycopg connection)` on this thread's own autocommit connection (PostgreSQL only)."""
    import psycopg  # on first use: a heavy import that only PostgreSQL's hot path needs

    url = db.engine.url
    connections = _threads.__dict__.setdefault("connections", {})
    raw = connections.get(url)
    for attempt in (1, 2):
        if raw is None or raw.closed:
            raw = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                                  autocommit=True)
            connections[url] = raw
        try:
            return operation(raw)
        except psycopg.OperationalError:
            if attempt == 2 or not raw.closed and raw.info.status == psycopg.pq.ConnStatus.OK:
                raise
            raw = None


def release(error=None):
    hot = g.pop("roundup_connection", None)
    if hot is not None:
        hot.close()


def dispose(app):
    engine = app.extensions.pop(ENGINE_KEY, None)
    if engine is not None and engine is not db.engine:
        engine.dispose()


def init_app(app):
    app.teardown_appcontext(release)
