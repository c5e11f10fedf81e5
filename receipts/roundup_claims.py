"""The customer's side of a round-up claim (/arrondi/recu/<token>): the QR code the till showed.

The customer gives an email on their own phone; the round-up then counts for that email's yearly
receipt, and an email brings the signed link where they give the name and address a receipt must
carry (receipts/pages.py `roundup_identity`). The service sets no cookie of its own for it (the site
has none beyond the session's): the email field asks the phone's own autofill (`autocomplete`).
"""
from flask import Blueprint, render_template, request
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.formatting import local_today
from app.mail import make_message, send_after_commit
from donations.roundup.models import Merchant
from donations.roundup.services import claims
from donations.roundup.services.reporting import beneficiary_name
from receipts.services import links, roundup_donors

bp = Blueprint("roundup_claims", __name__, template_folder="templates")


class ClaimForm(FlaskForm):
    email = EmailField("Votre adresse électronique", validators=[DataRequired("Indiquez votre adresse électronique.")])


def _refusal(error):
    if isinstance(error, claims.ClaimExpired):
        return "Ce lien a expiré : demandez un nouveau QR code en caisse lors de votre prochain achat.", 410
    if isinstance(error, Conflict):
        return "Ce lien a déjà servi : cet arrondi a déjà été demandé pour un reçu.", 409
    return "Ce lien n'est pas valide.", 404


@bp.route("/arrondi/recu/<token>", methods=["GET", "POST"])
def claim(token):
    try:
        roundup = claims.claimable(token)
    except (NotFound, Conflict) as error:
        message, status = _refusal(error)
        return render_template("receipts/roundup_claim.html", refused=message), status
    merchant = db.session.get(Merchant, roundup.merchant_id)
    form = ClaimForm()
    context = {"roundup": roundup, "merchant": merchant, "form": form,
               "beneficiaries": [beneficiary_name(b) for b in merchant.beneficiaries]}
    if not form.validate_on_submit():
        return render_template("receipts/roundup_claim.html", **context), 400 if request.method == "POST" else 200
    try:
        roundup = claims.claim(token, form.email.data)
    except InvalidInput as error:
        db.session.rollback()
        form.email.errors = [error.detail]
        return render_template("receipts/roundup_claim.html", **context), 400
    except (NotFound, Conflict) as error:
        db.session.rollback()
        message, status = _refusal(error)
        return render_template("receipts/roundup_claim.html", refused=message), status
    email = roundup.donor_email
    identity = roundup_donors.get_roundup_donor(email)
    if identity is None:
        send_after_commit(db.session, make_message(
            email, "Votre arrondi solidaire : recevez votre reçu fiscal",
            render_template("receipts/email_roundup_claim.txt", merchant=merchant, roundup=roundup,
                            link=links.public_url(f"/recus/arrondi/{links.roundup_token(email)}"))))
    db.session.commit()
    year = local_today().year
    count, cents = claims.donor_year_roundups(email, year)
    return render_template("receipts/roundup_claim.html", claimed=True, email=email, year=year,
                           count=count, cents=cents, identity=identity, **context)


def init_app(app):
    app.register_blueprint(bp)
