"""Back-office pages of organizations, partners and campaigns (/gestion/...): one module per area,
each with its blueprint and `register(app)`, all registered by app.backoffice.register_package_pages."""
