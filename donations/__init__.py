"""Gifts and the Stripe payment flow, webhooks, refunds, offline gifts, and the round-up."""


def init_app(app):
    # Imported here, not at the top: importing the package pulls in nothing; the factory decides when
    # the modules load and what is registered on this app.
    from app.backoffice import register_package_pages
    from app.demo import register_loader
    from app.extensions import api
    from campaigns.signals import campaign_failed
    from donations import cli, connect, demo, jobs, models, opendata, pages, roundup, views, webhooks  # noqa: F401
    from donations.services import intend_failed_campaign_refunds
    from donations import accounting

    app.cli.add_command(cli.stripe_cli)
    api.register_blueprint(views.bp)
    api.register_blueprint(webhooks.bp)
    api.register_blueprint(connect.bp)
    pages.init_app(app)
    jobs.init_app(app)
    register_loader(app, 15, demo.connect_organizations)  # after the organizations, before campaigns publish
    register_loader(app, 30, demo.load_gifts)
    roundup.init_app(app)
    accounting.init_app(app)
    opendata.init_app(app)
    register_package_pages(app, "donations")
    # In the sender's transaction, every gift of a failed all-or-nothing campaign that holds money gets
    # its refund intention; the refund job carries them out. Signals are process-wide: connecting the
    # same function again (one more app in this process) changes nothing.
    campaign_failed.connect(intend_failed_campaign_refunds, weak=False)
