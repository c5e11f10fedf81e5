"""French pages of the gift: the donation form (inside the campaign page), the thank-you page that
tells the gift's true status, and the donor's page to stop a monthly gift."""
from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from app.extensions import csrf, db
from campaigns import services as campaigns
from campaigns.pages import register_slot
from donations import services
from donations.models import DonationStatus

bp = Blueprint("donation_pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/donations")

PRESETS_CENTS = (1000, 2500, 5000, 10000)
THANKS_RECEIPT_KEY = "donations.thanks_receipt"


def register_thanks_receipt(app, fn):
    """Let the receipts package tell the thank-you page where the gift's receipt is, without donations
    importing it: `fn(donation, token)` returns {"space": the donor space's page, "url": the receipt's PDF
    or None, "poll": a JSON URL answering {"receipt_url": ...} until it exists} (no url nor poll when no
    receipt is to be shown)."""
    app.extensions[THANKS_RECEIPT_KEY] = fn


def donation_form(campaign) -> Markup:
    """The form, rendered into the campaign page's `donation_form` slot."""
    return Markup(render_template("donations/_form.html", campaign=campaign, presets=PRESETS_CENTS,
                                  stripe_js_url=current_app.config["STRIPE_JS_URL"],
                                  publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"]))


@bp.route("/campagnes/<slug>/don")
def give(slug):
    campaign = campaigns.get_campaign(slug)
    return render_template("donations/give.html", campaign=campaign, form=donation_form(campaign))


@bp.route("/dons/<token>/merci")
def thanks(token):
    donation = services.donation_for_token(token)
    receipt = current_app.extensions.get(THANKS_RECEIPT_KEY, lambda *_: {})(donation, token)
    return render_template("donations/thanks.html", donation=donation, token=token, statuses=DonationStatus,
                           receipt=receipt,
                           monthly_token=services.donor_token(donation, "monthly") if donation.monthly else None)


@bp.route("/dons/<token>/mensuel", methods=["GET", "POST"])
def monthly(token):
    donation = services.donation_for_token(token, "monthly")
    if request.method == "POST":
        csrf.protect()
        donation = services.cancel_monthly(donation)
        db.session.commit()
    return render_template("donations/monthly.html", donation=donation, token=token)


def init_app(app):
    app.register_blueprint(bp)
    register_slot(app, "donation_form", donation_form)
