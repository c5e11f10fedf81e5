"""Tax receipts: numbering, PDFs, annual receipts, verification, exports and article 222 bis figures."""


def init_app(app):
    # Registrations: imported here so that `import receipts` stays cheap (no models, no PDF stack)
    # and the application factory decides when the domain packages load.
    from app.backoffice import register_package_pages
    from app.demo import register_loader
    from receipts import models  # noqa: F401  (its tables, for create_all)
    from receipts import cli, demo, donor_space, jobs, pages, receivers, roundup_claims, summaries, views

    views.init_app(app)
    pages.init_app(app)
    roundup_claims.init_app(app)
    app.cli.add_command(cli.receipts_cli)
    jobs.register(app)
    summaries.init_app(app)
    donor_space.init_app(app)
    register_package_pages(app, "receipts")
    register_loader(app, 50, demo.load_receipts)
    receivers.connect()  # receivers only write queue rows, in the sender's transaction
