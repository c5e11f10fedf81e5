"""The pages a public body must publish: legal notice, privacy notice, accessibility statement.

Who publishes, hosts and answers comes from configuration (LEGAL_*): the town that runs the service
fills it in; what is not configured is shown as not given rather than invented.
"""
from flask import Blueprint, current_app, render_template

bp = Blueprint("legal", __name__)

# The day the accessibility statement was written, and what was checked: RGAA 4.1 asks for both.
STATEMENT_DATE = "27/11/2026"


def settings():
    config = current_app.config
    return {name[len("LEGAL_"):].lower(): config[name] for name in config if name.startswith("LEGAL_")}


@bp.get("/mentions-legales")
def notice():
    return render_template("legal/notice.html", legal=settings())


@bp.get("/confidentialite")
def privacy():
    return render_template("legal/privacy.html", legal=settings())


@bp.get("/accessibilite")
def accessibility():
    return render_template("legal/accessibility.html", legal=settings(), statement_date=STATEMENT_DATE)


def init_app(app):
    app.register_blueprint(bp)
