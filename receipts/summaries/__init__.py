"""Partner-funding summaries and campaign funding plans (JSON, CSV, PDF)."""


def init_app(app):
    pass
