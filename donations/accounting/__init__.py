"""Money between the parties and the associations' books: round-up statements paid to each association
directly, partners' calls for funds, and each organization's accounting journal (FEC)."""


def init_app(app):
    from app.demo import register_loader
    from donations.accounting import calls_api, demo, jobs, journal_api, statements_api

    statements_api.init_app(app)
    calls_api.init_app(app)
    journal_api.init_app(app)
    jobs.init_app(app)
    register_loader(app, 15, demo.load_bank_details)  # after the organizations (10)
    register_loader(app, 35, demo.load_calls_for_funds)  # after the gifts and their matches (30)
