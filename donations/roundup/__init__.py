"""Round-up (l'arrondi): merchants, the checkout API, monthly settlements, dashboard and widget."""


def init_app(app):
    pass
