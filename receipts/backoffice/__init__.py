"""Back-office pages of receipts, accounting and partners' summaries (/gestion/...): one module per
area, each with its blueprint and `register(app)`, all registered by app.backoffice.register_package_pages."""
