"""/gestion/equipe: the town's administrators see every account, invite administrators, deactivate
and reactivate accounts, send an invitation again. Organizations' and partners' staff are invited
from those pages (campaigns/backoffice/), merchants' from the merchants' pages."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.audit import record_action
from app.auth.access import current_user
from app.auth.forms import InviteForm, invite_from_form
from app.auth.invitations import send_invitation
from app.auth.models import Role, User
from app.auth.pages import _safe_next
from app.auth.staff import deactivate, reactivate, staff_list
from app.backoffice import add_menu_entry, confirmed, staff_page
from app.errors import Conflict
from app.extensions import csrf, db

bp = Blueprint("staff", __name__, url_prefix="/gestion/equipe")


def _back():
    return redirect(_safe_next(request.form.get("next")) or url_for("staff.index"))


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("")
@staff_page(Role.admin)
def index(form=None, status=200):
    return render_template("gestion/staff.html", users=staff_list(), form=form or InviteForm()), status


@bp.post("/inviter")
@staff_page(Role.admin)
def invite():
    csrf.protect()
    form = InviteForm()
    if form.validate() and invite_from_form(form, Role.admin, invited_by=current_user()):
        db.session.commit()
        flash(f"Invitation envoyée à {form.email.data.strip().lower()}.", "success")
        return redirect(url_for("staff.index"))
    db.session.rollback()
    return index(form, 400)


@bp.post("/<int:user_id>/desactiver")
@staff_page(Role.admin)
def deactivate_account(user_id):
    csrf.protect()
    user = _user(user_id)
    if not confirmed():
        flash("Rien n'a changé : confirmez avec le second bouton.", "error")
        return _back()
    try:
        deactivate(user, current_user())
    except Conflict:
        flash("Vous ne pouvez pas désactiver votre propre compte.", "error")
        return _back()
    db.session.commit()
    flash(f"Le compte {user.email} est désactivé : ses sessions et ses jetons d'API ne marchent plus.", "success")
    return _back()


@bp.post("/<int:user_id>/reactiver")
@staff_page(Role.admin)
def reactivate_account(user_id):
    csrf.protect()
    user = reactivate(_user(user_id), current_user())
    db.session.commit()
    flash(f"Le compte {user.email} est réactivé.", "success")
    return _back()


@bp.post("/<int:user_id>/renvoyer")
@staff_page(Role.admin)
def resend_invitation(user_id):
    csrf.protect()
    user = _user(user_id)
    if user.password_hash or not user.active:
        flash("Ce compte a déjà un mot de passe ou est désactivé : pas d'invitation à renvoyer.", "error")
        return _back()
    send_invitation(user, current_user())
    record_action(current_user(), "user.reinvite", f"user:{user.email}", user.role.value)
    db.session.commit()
    flash(f"Nouvelle invitation envoyée à {user.email} ; l'ancien lien ne marche plus.", "success")
    return _back()


def init_app(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "staff.index", "Équipe et comptes", [Role.admin], order=800)
