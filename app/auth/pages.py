"""Sign in and out of the HTML pages (/connexion)."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from app.auth.access import current_user, start_session
from app.auth.services import authenticate
from app.extensions import csrf

bp = Blueprint("auth", __name__, template_folder="../templates")


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")])
    password = PasswordField("Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")])


def _safe_next(target):
    """Only same-site paths: never redirect a signed-in user to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "POST":
        csrf.protect()
        if form.validate():
            user = authenticate(form.email.data, form.password.data)
            if user is not None:
                start_session(user)
                flash(f"Bienvenue, {user.name or user.email}.", "success")
                return redirect(_safe_next(request.args.get("next")) or url_for("gestion.home"))
            form.password.errors.append("Adresse e-mail ou mot de passe incorrect.")
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or not form.errors else 400)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    csrf.protect()
    session.clear()
    flash("Vous êtes déconnecté.", "success")
    return redirect(url_for("home"))


def init_app(app):
    app.register_blueprint(bp)
    app.context_processor(lambda: {"current_user": current_user()})
