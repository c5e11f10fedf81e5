"""Users, roles, sign-in and API tokens."""


from datetime import timedelta


def init_app(app):
    from app.auth import cli, pages, staff_pages

    configure_sessions(app)
    cli.init_app(app)
    pages.init_app(app)
    staff_pages.init_app(app)


def configure_sessions(app):
    """The session cookie: Secure behind https, HttpOnly, SameSite=Lax, signed for a few hours."""
    config = app.config
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = config["PUBLIC_URL"].lower().startswith("https://")
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_LIFETIME_HOURS"])
