"""Open data the town publishes: every campaign's funding by source and month (CSV, JSON and its Table
Schema), and the town's own matches and grants in the national SCDL "subventions" format."""


def init_app(app):
    from donations.opendata import pages

    pages.init_app(app)
