"""Solidaire: civic giving for a territory — campaigns, round-up at local shops, tax receipts."""
import logging
from pathlib import Path

from flask import Flask, g, jsonify
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import config as config_module


def create_app(config=None):
    """Build the application: defaults, then environment, then `config` (tests pass a mapping)."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.config.from_mapping(config_module.defaults())
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Libraries that narrate every request or rendering step: their warnings are enough.
    for name in ("alembic.runtime.plugins", "stripe", "weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)

    configure_extensions(app)
    configure_core(app)
    configure_domains(app)
    return app


def configure_extensions(app):
    from app.extensions import api, csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    api.init_app(app, spec_kwargs={
        "info": {"description": "Campaigns, round-up and tax receipts for a territory. "
                                "Amounts are integer euro cents."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    })


def configure_core(app):
    from app import auth, demo, errors, formatting, pagination, scheduler

    errors.init_app(app)
    formatting.init_app(app)
    auth.init_app(app)
    scheduler.init_app(app)
    demo.init_app(app)
    pagination.init_app(app)

    @app.before_request
    def forget_previous_caller():
        g.pop("current_user", None)

    @app.context_processor
    def endpoints():
        return {"has_endpoint": lambda name: name in app.view_functions}

    @app.get("/api/v1/health")
    def health():
        return jsonify(status="ok")


def configure_domains(app):
    # The one place where app/ reaches into the domain packages: to let them register their
    # blueprints, CLI commands, jobs and demo data.
    import campaigns
    import donations
    import receipts

    for package in (campaigns, donations, receipts):
        package.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
