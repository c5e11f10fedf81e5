"""Forms of the staff pages, shared by the back-office pages that invite people (organizations,
partners): an invitation form and the call that turns the service's refusals into French messages."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.auth.invitations import invite_user
from app.errors import Conflict, InvalidInput

ORGANIZATION_ROLE_CHOICES = [SelectChoice("holder", "Porteur de projet (ses campagnes)"),
                             SelectChoice("finance", "Trésorerie (dons, remboursements, reçus)")]


class InviteForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[
        DataRequired("Indiquez l'adresse e-mail de la personne."),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Cette adresse e-mail n'est pas valable."),
        Length(max=254, message="L'adresse compte au plus 254 caractères.")])
    name = StringField("Nom (facultatif)", validators=[
        Optional(), Length(max=200, message="Le nom compte au plus 200 caractères.")])


class OrganizationInviteForm(InviteForm):
    role = SelectField("Rôle", choices=ORGANIZATION_ROLE_CHOICES,
                       validate_choice=True)


def invite_from_form(form, role, *, invited_by, **scope):
    """Invite through app.auth.invitations.invite_user; None (and a French message on the form's
    field) when the service refuses."""
    try:
        return invite_user(form.email.data, role, name=(form.name.data or "").strip(), invited_by=invited_by,
                           **scope)
    except Conflict:
        form.email.errors.append("Cette adresse a déjà un compte (avec un mot de passe, ou un autre rôle).")
    except InvalidInput as refused:
        field = form.email if refused.field == "email" else (getattr(form, "role", None) or form.email)
        field.errors.append("Ce rôle ou cette adresse n'est pas possible ici.")
    return None
