"""Users, roles, sign-in and API tokens."""


def init_app(app):
    from app.auth import cli, pages

    cli.init_app(app)
    pages.init_app(app)
