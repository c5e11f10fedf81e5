"""The donor space's pages: the sign-in link asked by email, then (in a short donor session, never a
staff one) the donor's gifts, monthly gifts, receipts, round-ups, address, and data rights.

Views stay thin: the services (receipts.donor_space.*, donations.services.donors) take the email the
link proved."""
import io
import json
import re
import time
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from app.errors import InvalidInput, UpstreamError
from app.extensions import csrf, db
from app.formatting import local_today
from donations.models import DonationStatus
from donations.services import donation_for_token
from donations.services.donors import (
    change_monthly_amount,
    current_monthly_amount,
    gifts_of,
    monthly_gifts_of,
    owned_gift,
    stop_monthly,
)
from receipts.donor_space import account, rights, sign_in
from receipts.services.retention import RETENTION_YEARS

bp = Blueprint("donor_space", __name__, url_prefix="/espace-donateur", template_folder="templates")
receipt_link_bp = Blueprint("donor_receipt_link", __name__)

SESSION_KEYS = ("donor_email", "donor_signed_in_at")
LINK_REFUSALS = {
    "unknown": "Ce lien de connexion n'est pas valide. Demandez-en un nouveau ci-dessous.",
    "expired": "Ce lien de connexion a expiré. Demandez-en un nouveau ci-dessous.",
    "used": "Ce lien de connexion a déjà servi : chaque lien ne fonctionne qu'une fois. Demandez-en un nouveau "
            "ci-dessous.",
}
AMOUNT = re.compile(r"^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*(?:€)?\s*$")


def current_donor() -> str | None:
    """The email of the donor signed in on this browser, while the donor session lasts."""
    email, since = session.get("donor_email"), session.get("donor_signed_in_at")
    lifetime = current_app.config["DONOR_SESSION_MINUTES"] * 60
    if not email or not isinstance(since, int) or time.time() - since > lifetime:
        for name in SESSION_KEYS:
            session.pop(name, None)
        return None
    return email


def _donor_or_redirect():
    email = current_donor()
    if email is None:
        flash("Connectez-vous à votre espace donateur : demandez un lien de connexion ci-dessous.", "error")
    return email


def signed_in(view):
    """The view gets the signed-in donor's email; without a donor session: back to the sign-in page."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        email = _donor_or_redirect()
        if email is None:
            return redirect(url_for("donor_space.start"))
        return view(email, *args, **kwargs)

    return wrapper


@bp.route("", methods=["GET", "POST"])
def start():
    """Ask for a sign-in link. The answer is the same whether or not the email is a donor's."""
    error, email = None, ""
    if request.method == "POST":
        csrf.protect()
        email = request.form.get("email", "").strip()[:254]
        try:
            sign_in.request_link(email)
        except InvalidInput:
            db.session.rollback()
            error = "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr."
        else:
            db.session.commit()
            return render_template("donor_space/link_sent.html",
                                   minutes=current_app.config["DONOR_LINK_MINUTES"])
    elif current_donor():
        return redirect(url_for("donor_space.home"))
    return render_template("donor_space/start.html", email=email, error=error,
                           refusal=LINK_REFUSALS.get(request.args.get("refus", ""))), (400 if error else 200)


@bp.route("/connexion/<token>", methods=["GET", "POST"])
def redeem(token):
    """The emailed link opens a page with one button: a mail scanner that follows links does not use it up."""
    if request.method == "GET":
        return render_template("donor_space/redeem.html", token=token)
    csrf.protect()
    try:
        email = sign_in.redeem_link(token)
    except sign_in.LinkRefused as refused:
        db.session.rollback()
        return render_template("donor_space/start.html", email="", error=None,
                               refusal=LINK_REFUSALS[refused.reason]), 400
    db.session.commit()
    session.clear()  # a donor session replaces whatever this browser held (a staff session too)
    session.update({"donor_email": email, "donor_signed_in_at": int(time.time())})
    flash("Vous êtes connecté à votre espace donateur.", "success")
    return redirect(url_for("donor_space.home"))


@bp.route("/deconnexion", methods=["POST"])
def sign_out():
    csrf.protect()
    for name in SESSION_KEYS:
        session.pop(name, None)
    flash("Vous êtes déconnecté de votre espace donateur.", "success")
    return redirect(url_for("donor_space.start"))


def _home(email, *, address=None, address_errors=None, amount_errors=None, status=200):
    gifts = gifts_of(email)
    monthly = monthly_gifts_of(email)
    return render_template(
        "donor_space/home.html", email=email, gifts=gifts, monthly=monthly, receipts=account.receipts_of(email),
        gift_year=account.gift_year, years=account.gift_years(email), roundups=account.roundups_of(email),
        address=address or rights.current_address(email), address_errors=address_errors or {},
        amount_errors=amount_errors or {}, monthly_amount=current_monthly_amount, statuses=DonationStatus,
        retention_years=RETENTION_YEARS), status


@bp.route("/mon-espace")
@signed_in
def home(email):
    return _home(email)


@bp.route("/recus/<organization>/<number>.pdf")
@signed_in
def receipt_pdf(email, organization, number):
    receipt = account.owned_receipt(email, organization, number)
    data, sha256 = receipt.download
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"recu-{receipt.number}.pdf", etag=sha256)
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.route("/recus/<int:year>.zip")
@signed_in
def year_zip(email, year):
    buffer = io.BytesIO()
    account.year_zip(email, year, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=f"recus-dons-{year}.zip")


@bp.route("/adresse", methods=["POST"])
@signed_in
def address(email):
    csrf.protect()
    values = {name: request.form.get(name, "") for name in rights.ADDRESS_FIELDS}
    try:
        rights.correct_address(email, values)
    except InvalidInput as error:
        db.session.rollback()
        errors = {name: messages[0] for name, messages in (error.errors or {}).items()}
        return _home(email, address=values, address_errors=errors, status=400)
    db.session.commit()
    flash("Adresse enregistrée : vos prochains reçus la porteront. Les reçus déjà émis ne changent pas.", "success")
    return redirect(url_for("donor_space.home") + "#adresse")


@bp.route("/mensuel/<public_id>/arreter", methods=["GET", "POST"])
@signed_in
def stop(email, public_id):
    """Stopping a monthly gift asks for a confirmation first."""
    gift = owned_gift(email, public_id)
    if request.method == "GET":
        return render_template("donor_space/stop.html", gift=gift.recurring_of or gift,
                               amount=current_monthly_amount(gift.recurring_of or gift))
    csrf.protect()
    try:
        stop_monthly(email, public_id)
    except UpstreamError:
        db.session.rollback()
        flash("Le prestataire de paiement n'a pas répondu : votre don mensuel n'est pas arrêté. Réessayez dans un "
              "instant.", "error")
        return redirect(url_for("donor_space.home") + "#mensuels")
    db.session.commit()
    flash("Votre don mensuel est arrêté : aucun nouveau prélèvement ne sera fait.", "success")
    return redirect(url_for("donor_space.home") + "#mensuels")


def parse_euros(text) -> int | None:
    """"25", "25,50", "25.5 €" -> cents; None when it is not an amount."""
    match = AMOUNT.match(text or "")
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


@bp.route("/mensuel/<public_id>/montant", methods=["POST"])
@signed_in
def change_amount(email, public_id):
    csrf.protect()
    gift = owned_gift(email, public_id)
    first = gift.recurring_of or gift
    cents = parse_euros(request.form.get("amount"))
    message = None
    try:
        if cents is None:
            raise InvalidInput("not an amount", "amount_cents")
        change_monthly_amount(email, public_id, cents)
    except InvalidInput:
        db.session.rollback()
        minimum = first.campaign.min_gift_cents
        message = (f"Indiquez un montant en euros entre {minimum // 100},{minimum % 100:02d} € et "
                   f"{current_app.config['MAX_GIFT_CENTS'] // 100} €, par exemple 15 ou 15,50.")
    except UpstreamError:
        db.session.rollback()
        message = "Le prestataire de paiement n'a pas répondu : le montant n'a pas changé. Réessayez dans un instant."
    if message:
        return _home(email, amount_errors={first.public_id: message}, status=400)
    db.session.commit()
    flash("Montant modifié : il s'appliquera aux prochains prélèvements.", "success")
    return redirect(url_for("donor_space.home") + "#mensuels")


@bp.route("/mes-donnees.json")
@signed_in
def export(email):
    body = json.dumps(rights.export_data(email), ensure_ascii=False, indent=2)
    response = send_file(io.BytesIO(body.encode("utf-8")), mimetype="application/json", as_attachment=True,
                         download_name=f"mes-donnees-solidaire-{local_today().isoformat()}.json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/effacement", methods=["GET", "POST"])
@signed_in
def erase(email):
    """What erasure removes and what the law keeps, then a confirmation."""
    if request.method == "GET":
        return render_template("donor_space/erase.html", plan=rights.plan_erasure(email),
                               retention_years=RETENTION_YEARS)
    csrf.protect()
    try:
        plan = rights.erase_data(email)
    except InvalidInput:
        db.session.rollback()
        flash("Arrêtez d'abord vos dons mensuels : un don mensuel en cours a besoin de vos coordonnées.", "error")
        return redirect(url_for("donor_space.erase"))
    db.session.commit()
    for name in SESSION_KEYS:
        session.pop(name, None)
    flash(f"Vos données ont été effacées ({len(plan.gifts_erased)} don(s)). Ce que la loi impose de garder l'est "
          "jusqu'à la date indiquée, puis effacé.", "success")
    return redirect(url_for("donor_space.start"))


# --- the thank-you page's link to the receipt ---

def receipt_link(donation) -> str | None:
    """The PDF of the gift's receipt (the donor's signed receipts link), once it is issued."""
    receipt = account.receipt_of_gift(donation.id)
    if receipt is None:
        return None
    return url_for("receipt_pages.donor_pdf", token=account.receipts_token(receipt), number=receipt.number)


@receipt_link_bp.route("/dons/<token>/recu.json")
def gift_receipt(token):
    """What the thank-you page polls until the gift's receipt exists."""
    donation = donation_for_token(token)
    url = receipt_link(donation)
    return jsonify({"receipt_url": url}), 200, {"Cache-Control": "no-store"}


def thanks_receipt(donation, token) -> dict:
    """For the thank-you page (donations.pages): the donor space, and the receipt's link or where to ask for it."""
    space = {"space": url_for("donor_space.start")}
    if donation.status not in (DonationStatus.succeeded, DonationStatus.partially_refunded):
        return space
    return {**space, "url": receipt_link(donation), "poll": url_for("donor_receipt_link.gift_receipt", token=token)}
