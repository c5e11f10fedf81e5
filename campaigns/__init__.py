"""Organizations, partners, campaigns, reward tiers, match pledges and the campaign pages."""


def init_app(app):
    from app.demo import register_loader
    from campaigns import demo, pages, views

    views.init_app(app)
    pages.init_app(app)
    register_loader(app, 10, demo.load_organizations)
