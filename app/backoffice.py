"""The back office under /gestion: the signed-in staff's home, its menu and its page guard.

The domain packages bring their own back-office pages (`<package>/backoffice/<area>.py`, each with
its blueprint and a `register(app)`); this module gives them what every such page shares:

- `staff_page(*roles)`: a view for signed-in staff of those roles. Without a valid session the
  browser goes to /connexion and comes back; any other role gets a 404, as if the page did not exist.
- `add_menu_entry(...)` and `add_home_panel(...)`: what a package adds to the menu and to the home
  page of the roles it serves. Each role sees only what it may do.
- `register_package_pages(app, package)`: registers every module of a package's `backoffice/` folder.
"""
import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from app.audit import action_label, recent_actions, subject_label
from app.auth.access import current_user
from app.auth.models import Role

bp = Blueprint("gestion", __name__, url_prefix="/gestion")
bp.add_app_template_filter(action_label)  # the action log in French
bp.add_app_template_filter(subject_label)

ROLE_LABELS = {
    Role.admin: "Équipe de la Ville",
    Role.finance: "Trésorerie",
    Role.holder: "Porteur de projet",
    Role.partner: "Partenaire",
    Role.merchant: "Commerçant",
}


@dataclass(order=True)
class MenuEntry:
    order: int
    label: str
    endpoint: str = field(compare=False)
    roles: frozenset = field(compare=False)


@dataclass(order=True)
class HomePanel:
    order: int
    template: str
    roles: frozenset = field(compare=False)
    context: object = field(compare=False, default=None)  # callable(user) -> dict for the template


def _registry(app):
    return app.extensions.setdefault("solidaire.backoffice", {"menu": [], "panels": []})


def _roles(roles):
    return frozenset(Role(role) for role in roles)


def add_menu_entry(app, endpoint, label, roles, order=100):
    """A link of the back-office menu, shown to users of `roles`."""
    entries = _registry(app)["menu"]
    if all(entry.endpoint != endpoint for entry in entries):
        entries.append(MenuEntry(order, label, endpoint, _roles(roles)))
        entries.sort()


def add_home_panel(app, template, roles, context=None, order=100):
    """A panel of the /gestion home of `roles`: `template` rendered with `context(user)`."""
    panels = _registry(app)["panels"]
    if all(panel.template != template for panel in panels):
        panels.append(HomePanel(order, template, _roles(roles), context))
        panels.sort()


def menu_for(user):
    if user is None or user.role not in ROLE_LABELS:
        return []
    return [entry for entry in _registry(current_app)["menu"] if user.role in entry.roles]


def staff_page(*roles):
    """Guard a back-office view: sign-in first, then only `roles` (others: 404)."""
    allowed = _roles(roles) if roles else frozenset(ROLE_LABELS)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if user.role not in allowed:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.get("")
@staff_page()
def home():
    user = current_user()
    panels = [(panel.template, panel.context(user) if panel.context else {})
              for panel in _registry(current_app)["panels"] if user.role in panel.roles]
    return render_template("gestion/home.html", panels=panels, role_label=ROLE_LABELS[user.role])


@bp.get("/journal")
@staff_page(Role.admin)
def journal():
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    per_page = 50
    rows, total = recent_actions(limit=per_page, offset=(page - 1) * per_page)
    return render_template("gestion/journal.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // per_page)))


def confirmed():
    """True when the form was sent by the second button of `confirm` (forms.html)."""
    return request.form.get("confirm") == "1"


def register_package_pages(app, package):
    """Register every module of `package.backoffice`: each defines `register(app)`."""
    folder = importlib.import_module(f"{package}.backoffice")
    for info in sorted(pkgutil.iter_modules(folder.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{folder.__name__}.{info.name}")
        module.register(app)


def init_app(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "gestion.home", "Accueil", ROLE_LABELS, order=0)
    add_menu_entry(app, "gestion.journal", "Journal des actions", [Role.admin], order=900)
    app.context_processor(lambda: {"backoffice_menu": menu_for(current_user()),
                                   "role_labels": ROLE_LABELS})
