"""Money between the parties and the associations' books: round-up statements paid to each association
directly, partners' calls for funds, and each organization's accounting journal (FEC)."""


def init_app(app):
    from donations.accounting import calls_api, jobs, journal_api, statements_api

    statements_api.init_app(app)
    calls_api.init_app(app)
    journal_api.init_app(app)
    jobs.init_app(app)
