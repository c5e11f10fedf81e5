"""Gifts and the Stripe payment flow, webhooks, refunds, offline gifts, and the round-up."""


def init_app(app):
    from donations import cli, roundup

    app.cli.add_command(cli.stripe_cli)
    roundup.init_app(app)
