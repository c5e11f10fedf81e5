"""A campaign's donors for its holders and the town's administrators: the list (anonymous donors shown
as "Anonyme"), its CSV export, and a message to the donors who agreed to receive the project's news
(/gestion/dons/campagnes/<slug>/...). The public /dons/nouvelles/<token> page is the signed
unsubscribe link of those messages: it works without signing in."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.auth.access import current_user, ensure_organization
from app.auth.models import Role
from app.backoffice import confirmed, staff_page
from app.csv import write_csv
from app.downloads import attachment
from app.errors import DomainError
from app.extensions import csrf, db
from campaigns import services as campaigns
from campaigns.backoffice.follow import add_follow_link
from donations.models import DonationStatus
from donations.services import news_mail

bp = Blueprint("donor_pages", __name__, url_prefix="/gestion/dons/campagnes", template_folder="../templates")
public_bp = Blueprint("news_unsubscribe", __name__, template_folder="../templates")

STAFF = (Role.admin, Role.holder)
PER_PAGE = 100
STATUS_LABELS = {DonationStatus.succeeded: "Reçu", DonationStatus.partially_refunded: "Remboursé en partie",
                 DonationStatus.refunded: "Remboursé", DonationStatus.disputed: "Contesté par la banque"}
ANONYMOUS = "Anonyme"


class WriteForm(FlaskForm):
    subject = StringField("Objet", validators=[
        DataRequired("Indiquez l'objet du message."),
        Length(3, news_mail.SUBJECT_MAX, f"L'objet compte de 3 à {news_mail.SUBJECT_MAX} caractères.")])
    body = TextAreaField("Message", validators=[
        DataRequired("Écrivez le message."),
        Length(10, news_mail.BODY_MAX, f"Le message compte de 10 à {news_mail.BODY_MAX} caractères.")])


def _campaign(slug):
    campaign = campaigns.get_campaign(slug)
    ensure_organization(current_user(), campaign.organization_id)
    return campaign


def _row(donation, tier_title):
    """What a holder sees of a gift: an anonymous donor's name is not shown, nor any email."""
    return {"day": donation.paid_on or donation.created_at, "name": ANONYMOUS if donation.anonymous else donation.donor_name,
            "cents": donation.amount_cents - donation.refunded_cents, "tier": tier_title or "",
            "status": STATUS_LABELS.get(donation.status, donation.status.value), "news": donation.news_consent,
            "monthly": donation.monthly}


@bp.get("/<slug>/donateurs")
@staff_page(*STAFF)
def donors(slug):
    campaign = _campaign(slug)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    rows, total = news_mail.campaign_donors(campaign, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render_template("donations/backoffice/donors.html", campaign=campaign, rows=[_row(*r) for r in rows],
                           total=total, page=page, pages=max(1, -(-total // PER_PAGE)),
                           recipients=len(news_mail.news_recipients(campaign)))


@bp.get("/<slug>/donateurs.csv")
@staff_page(*STAFF)
def donors_csv(slug):
    campaign = _campaign(slug)
    rows, _ = news_mail.campaign_donors(campaign)
    lines = []
    for donation, tier in rows:
        row = _row(donation, tier)
        day = row["day"]
        lines.append([day.strftime("%d/%m/%Y"), row["name"], f"{row['cents'] // 100},{row['cents'] % 100:02d}",
                      row["tier"], row["status"], "oui" if row["monthly"] else "non", "oui" if row["news"] else "non"])
    content = write_csv(["Date", "Donateur", "Montant (€)", "Contrepartie", "État", "Mensuel", "Accepte les nouvelles"],
                        lines, bom=True)
    return attachment(content, f"donateurs-{campaign.slug}.csv")


@bp.route("/<slug>/ecrire", methods=["GET", "POST"])
@staff_page(*STAFF)
def write(slug):
    campaign = _campaign(slug)
    form = WriteForm()
    recipients = len(news_mail.news_recipients(campaign))
    if form.validate_on_submit() and confirmed():
        try:
            sent = news_mail.write_to_donors(campaign, current_user(), form.subject.data, form.body.data)
        except DomainError as refused:
            db.session.rollback()
            if refused.field in ("subject", "body"):
                getattr(form, refused.field).errors.append("Ce texte n'est pas accepté.")
            else:
                flash("Aucun donateur de cette campagne n'a accepté de recevoir ses nouvelles.", "error")
        else:
            db.session.commit()
            flash(f"Votre message part vers {sent} donateur{'s' if sent > 1 else ''}.", "success")
            return redirect(url_for(".donors", slug=slug))
    status = 400 if form.errors else 200
    return render_template("donations/backoffice/write.html", campaign=campaign, form=form,
                           recipients=recipients), status


@public_bp.route("/dons/nouvelles/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """The link at the foot of each news email. GET asks (a mail scanner following links changes
    nothing); the page's button, or a mail client's one-click POST (RFC 8058), withdraws the consent."""
    try:
        campaign, _ = news_mail.read_unsubscribe_token(token)
    except DomainError:
        abort(404)
    done = False
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            csrf.protect()
        news_mail.unsubscribe(token)
        db.session.commit()
        done = True
    return render_template("donations/backoffice/unsubscribe.html", campaign=campaign, done=done)


def register(app):
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    add_follow_link(app, "donor_pages.donors", "Donateurs")
    add_follow_link(app, "donor_pages.write", "Écrire aux donateurs")
