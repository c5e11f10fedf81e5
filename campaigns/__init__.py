"""Organizations, partners, campaigns, reward tiers, match pledges and the campaign pages."""


def init_app(app):
    from app.backoffice import register_package_pages
    from app.demo import register_loader
    from app.scheduler import register_job
    from campaigns import demo, jobs, models, pages, review_api, views  # noqa: F401  (models: tables for create_all)

    views.init_app(app)
    review_api.init_app(app)
    pages.init_app(app)
    register_package_pages(app, "campaigns")
    register_job(app, "campaigns.close_due", jobs.close_due_campaigns_job, "interval", minutes=15,
                 description="End the campaigns whose end date has passed (succeeded or failed)")
    register_loader(app, 10, demo.load_organizations)
    register_loader(app, 20, demo.load_campaigns)
