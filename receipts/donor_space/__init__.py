"""The donor space: a donor signs in with a link sent to their email and finds their gifts at every
organization, their monthly gifts (stop, change the amount), their receipts (PDF, a year's ZIP),
their round-ups, their address for future receipts, and their data rights (a copy, erasure).
It also gives the thank-you page its link to the gift's receipt."""


def init_app(app):
    from donations.pages import register_thanks_receipt
    from receipts.donor_space import (
        models,  # noqa: F401  (its tables, for create_all)
        pages,
    )

    app.register_blueprint(pages.bp)
    app.register_blueprint(pages.receipt_link_bp)
    register_thanks_receipt(app, pages.thanks_receipt)
