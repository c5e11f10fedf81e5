"""Round-up (l'arrondi): merchants, the checkout API, monthly settlements, dashboard and widget."""


def init_app(app):
    from app.demo import register_loader

    # models, debit_models: their tables for create_all
    from donations.roundup import (  # noqa: F401
        cli,
        debit_models,
        demo,
        hotpath,
        jobs,
        join,
        mandate_pages,
        models,
        pages,
        poster,
        till,
        views,
    )

    hotpath.init_app(app)
    views.init_app(app)
    pages.init_app(app)
    mandate_pages.init_app(app)
    join.init_app(app)
    till.init_app(app)
    poster.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    register_loader(app, 40, demo.load_merchants)
    # The public list of the shops offering the round-up (/commerces).
    from donations.roundup import shops

    shops.init_app(app)
