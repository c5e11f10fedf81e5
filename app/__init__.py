"""Solidaire: civic giving for a territory — campaigns, round-up at local shops, tax receipts."""
import logging
from pathlib import Path

from flask import Flask, g, jsonify
from sqlalchemy import text as sql_text  # (the package has its own submodule `app.text`)

from app import config as config_module


def create_app(config=None):
    """Build the application: defaults, then environment, then `config` (tests pass a mapping)."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    app.config.from_mapping(config_module.defaults())
    if config:
        app.config.from_mapping(config)
    config_module.check_production(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=app.config["LOG_LEVEL"],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Libraries that narrate every request or rendering step: their warnings are enough.
    for name in ("alembic.runtime.plugins", "stripe", "weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)

    configure_extensions(app)
    configure_core(app)
    configure_domains(app)
    configure_security(app)
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
    from app import auth, backoffice, demo, engine, errors, formatting, legal, pagination, scheduler
    from app.extensions import db

    engine.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    auth.init_app(app)
    scheduler.init_app(app)
    demo.init_app(app)
    pagination.init_app(app)
    legal.init_app(app)
    backoffice.init_app(app)

    @app.before_request
    def forget_previous_caller():
        g.pop("current_user", None)

    @app.context_processor
    def endpoints():
        return {"has_endpoint": lambda name: name in app.view_functions}

    @app.get("/api/v1/health")
    def health():
        # Touches the database: a load balancer takes a host whose database is gone out of rotation
        # (OperationalError answers 503 with Retry-After).
        db.session.execute(sql_text("SELECT 1"))
        return jsonify(status="ok", database="ok")

    @app.get("/api/v1/ping")
    def ping():
        # Touches nothing: the benchmarks' yardstick of what the server costs per request.
        return jsonify(status="ok")


def configure_security(app):
    # Last: the rate limits wrap views the domains registered.
    from app import security

    security.init_app(app)


def configure_domains(app):
    # The one place where app/ reaches into the domain packages: to let them register their
    # blueprints, CLI commands, jobs and demo data.
    import campaigns
    import donations
    import receipts

    for package in (campaigns, donations, receipts):
        package.init_app(app)
