"""Tax receipts, exports, article 222 bis figures and partner-funding summaries."""


def init_app(app):
    pass
