"""Sign in and out of the HTML pages (/connexion)."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.auth.access import current_user, start_session
from app.auth.invitations import (
    LinkRefused,
    link_for,
    request_password_reset,
    set_password_with_link,
)
from app.auth.services import authenticate
from app.errors import InvalidInput
from app.extensions import csrf, db

bp = Blueprint("auth", __name__, template_folder="../templates")


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")])
    password = PasswordField("Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")])


class ForgottenPasswordForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("Nouveau mot de passe", validators=[
        DataRequired("Choisissez un mot de passe."),
        Length(min=8, message="Le mot de passe compte au moins 8 caractères.")])
    confirmation = PasswordField("Le même, une seconde fois", validators=[
        DataRequired("Tapez le mot de passe une seconde fois."),
        EqualTo("password", message="Les deux mots de passe diffèrent.")])


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


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():
    form = ForgottenPasswordForm()
    if request.method == "POST":
        csrf.protect()
        if form.validate():
            request_password_reset(form.email.data)
            db.session.commit()
            # The same answer whether the address is known or not: the page tells no one who has an account.
            flash("Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot de passe vient "
                  "de lui être envoyé. Il sert une seule fois.", "success")
            return redirect(url_for("auth.login"))
        return render_template("auth/forgot_password.html", form=form), 400
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def choose_password(token):
    try:
        link = link_for(token)
    except LinkRefused as refused:
        return render_template("auth/link_refused.html", reason=refused.reason), 410
    form = ChoosePasswordForm()
    if request.method == "POST":
        csrf.protect()
        if form.validate():
            try:
                user = set_password_with_link(token, form.password.data)
            except LinkRefused as refused:
                db.session.rollback()
                return render_template("auth/link_refused.html", reason=refused.reason), 410
            except InvalidInput:
                db.session.rollback()
                form.password.errors.append("Le mot de passe compte au moins 8 caractères.")
            else:
                db.session.commit()
                start_session(user)
                flash("Votre mot de passe est enregistré : vous êtes connecté.", "success")
                return redirect(url_for("gestion.home"))
        return render_template("auth/choose_password.html", form=form, link=link), 400
    return render_template("auth/choose_password.html", form=form, link=link), 200, {"Cache-Control": "no-store"}


def init_app(app):
    app.register_blueprint(bp)
    app.context_processor(lambda: {"current_user": current_user()})
