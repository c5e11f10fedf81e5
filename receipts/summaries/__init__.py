"""Partner-funding summaries and campaign funding plans (JSON, CSV, PDF)."""


def init_app(app):
    from app.extensions import api
    from receipts.summaries import views

    api.register_blueprint(views.bp)
