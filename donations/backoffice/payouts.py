"""/gestion/versements: an organization's own Stripe account and the payouts Stripe made to its bank,
each broken down into gifts, fees, refunds and disputes, matched to gifts and receipts. Its finance
officers see their organization's; administrators pick one, create its account and send its treasurer
to Stripe's onboarding. Everything goes through the services the API uses."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.audit import record_action
from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_menu_entry, confirmed, staff_page
from app.errors import DomainError
from app.extensions import db
from campaigns import services as campaigns
from campaigns.scope import organization_in_scope
from donations.services import accounts, payouts

bp = Blueprint("payouts_pages", __name__, url_prefix="/gestion/versements", template_folder="../templates")


@bp.get("")
@staff_page(Role.admin, Role.finance)
def index():
    organization = organization_in_scope(request.args.get("organisation"))
    if organization is None:
        return render_template("donations/backoffice/payouts.html", organization=None,
                               organizations=db.session.scalars(campaigns.list_organizations()).all())
    found, problem = [], None
    if organization.stripe_account_id:
        try:
            found = payouts.payouts(organization, limit=20)
        except DomainError:
            problem = "Stripe n'a pas pu être lu pour l'instant : réessayez dans un moment."
            db.session.rollback()
    return render_template("donations/backoffice/payouts.html", organization=organization, payouts=found,
                           problem=problem)


@bp.post("/<slug>/compte")
@staff_page(Role.admin)
def create_account(slug):
    organization = organization_in_scope(slug)
    if not confirmed():
        return redirect(url_for(".index", organisation=slug))
    organization, created = accounts.create_account(organization)
    if created:
        record_action(current_user(), "stripe_account.created", organization, organization.stripe_account_id)
    db.session.commit()
    flash("Le compte Stripe de l'organisation est créé : son trésorier doit maintenant terminer l'inscription."
          if created else "L'organisation a déjà son compte Stripe.")
    return redirect(url_for(".index", organisation=slug))


@bp.post("/<slug>/inscription")
@staff_page(Role.admin, Role.finance)
def onboarding(slug):
    organization = organization_in_scope(slug)
    back = url_for(".index", organisation=organization.slug, _external=True)
    try:
        link = accounts.onboarding_link(organization, return_url=back, refresh_url=back)
    except DomainError:
        flash("Le lien d'inscription n'a pas pu être créé : réessayez dans un moment.")
        return redirect(back)
    return redirect(link["url"])


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "payouts_pages.index", "Versements Stripe", [Role.admin, Role.finance], order=350)
