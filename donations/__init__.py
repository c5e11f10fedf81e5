"""Gifts and the Stripe payment flow, webhooks, refunds, offline gifts, and the round-up."""


def init_app(app):
    from app.demo import register_loader
    from donations import cli, demo, jobs, models, pages, roundup, views, webhooks  # noqa: F401

    app.cli.add_command(cli.stripe_cli)
    from app.extensions import api

    api.register_blueprint(views.bp)
    api.register_blueprint(webhooks.bp)
    pages.init_app(app)
    jobs.init_app(app)
    register_loader(app, 30, demo.load_gifts)
    roundup.init_app(app)
