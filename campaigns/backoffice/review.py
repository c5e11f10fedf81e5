"""/gestion/campagnes/examen: the town's administrators review submitted campaigns — approve one (it is
published) or send it back to its holders with a reason they read; both ask for confirmation, both
email the holders (campaigns.services.review, shared with the API)."""
from flask import Blueprint, flash, redirect, render_template, url_for

from app.auth.access import current_user
from app.auth.models import Role
from app.backoffice import add_home_panel, add_menu_entry, confirmed, staff_page
from app.errors import DomainError
from app.extensions import csrf, db
from campaigns import services
from campaigns.backoffice.campaigns import SUBMIT_REFUSALS
from campaigns.backoffice.follow import follow_page
from campaigns.campaign_forms import ReturnForm
from campaigns.services import review

bp = Blueprint("campaign_review_pages", __name__, url_prefix="/gestion/campagnes")


@bp.get("/examen")
@staff_page(Role.admin)
def queue():
    return render_template("campaigns/gestion/review.html", campaigns=review.review_queue())


def _follow(slug):
    return redirect(url_for("campaign_follow.show", slug=slug))


@bp.post("/<slug>/approuver")
@staff_page(Role.admin)
def approve(slug):
    campaign = services.get_campaign(slug)
    csrf.protect()
    if not confirmed():
        return _follow(slug)
    try:
        review.approve_campaign(campaign, current_user())
    except DomainError as refused:
        db.session.rollback()
        flash(SUBMIT_REFUSALS.get(refused.field, "Cette campagne ne peut pas être publiée dans son état."), "error")
    else:
        db.session.commit()
        flash(f"« {campaign.title} » est publiée ; ses porteurs sont prévenus par e-mail.", "success")
        return redirect(url_for(".queue"))
    return _follow(slug)


@bp.post("/<slug>/renvoyer")
@staff_page(Role.admin)
def send_back(slug):
    """Back to its holders with the reason typed (the confirmation is the form's second button)."""
    campaign = services.get_campaign(slug)
    csrf.protect()
    form = ReturnForm()
    if form.validate() and confirmed():
        try:
            review.return_campaign(campaign, current_user(), form.reason.data)
        except DomainError:
            db.session.rollback()
            flash("Cette campagne n'est plus en examen : elle ne peut pas être renvoyée.", "error")
        else:
            db.session.commit()
            flash(f"« {campaign.title} » est renvoyée à ses porteurs avec votre message.", "success")
            return redirect(url_for(".queue"))
        return _follow(slug)
    return follow_page(campaign, return_form=form, status=400)


def register(app):
    app.register_blueprint(bp)
    add_menu_entry(app, "campaign_review_pages.queue", "Campagnes à examiner", [Role.admin], order=21)
    add_home_panel(app, "campaigns/gestion/_review_panel.html", [Role.admin],
                   context=lambda user: {"waiting": len(review.review_queue())}, order=20)
