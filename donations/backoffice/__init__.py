"""Back-office pages of gifts, refunds and merchants' money (/gestion/...): one module per area, each
with its blueprint and `register(app)`, all registered by app.backoffice.register_package_pages."""
