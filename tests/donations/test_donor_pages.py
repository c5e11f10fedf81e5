"""A campaign's holders see its donors (anonymous ones as "Anonyme", no email), export them as CSV,
and write to those who ticked "send me news"; each message's signed link unsubscribes without
signing in."""
import csv
import email
import io
from email import policy
from html import unescape
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from tests.support import csrf_from, sign_in_as_latest


def outbox(app):
    return set(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def new_mail(app, before):
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(outbox(app) - before)]


def consents(app):
    from donations.models import Donation

    with app.app_context():
        return dict(db.session.execute(select(Donation.email, Donation.news_consent)).all())


def test_donors_their_csv_and_news_to_those_who_agreed(app, client, actors, giving):
    slug = giving.campaign()
    form = client.get(f"/campagnes/{slug}").text
    assert '<input type="checkbox" name="news_consent">' in form  # offered, not ticked
    giving.give(slug, news_consent=True)  # Camille Lefèvre, camille@example.org
    giving.give(slug, email="zoe@example.org", first_name="Zoé", last_name="Martin", anonymous=True,
                amount_cents=4000)
    assert giving.reconcile().get("succeeded") == 2  # Stripe's word: the gifts are received
    assert consents(app) == {"camille@example.org": True, "zoe@example.org": False}  # unticked unless ticked
    actors.user("holder", organization="asso-jardin")
    sign_in_as_latest(client, app, "holder")

    follow = client.get(f"/gestion/campagnes/{slug}")
    assert f'href="/gestion/dons/campagnes/{slug}/donateurs"' in follow.text
    page = unescape(client.get(f"/gestion/dons/campagnes/{slug}/donateurs").text)
    assert "2 dons reçus" in page and "1 adresse accepte de recevoir les nouvelles" in page
    assert "Camille Lefèvre" in page and "Anonyme" in page
    assert "Zoé" not in page and "Martin" not in page and "@example.org" not in page

    exported = client.get(f"/gestion/dons/campagnes/{slug}/donateurs.csv")
    assert exported.headers["Content-Disposition"] == f'attachment; filename="donateurs-{slug}.csv"'
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Date", "Donateur", "Montant (€)", "Contrepartie", "État", "Mensuel", "Accepte les nouvelles"]
    assert sorted((r[1], r[2], r[6]) for r in rows[1:]) == [("Anonyme", "40,00", "non"), ("Camille Lefèvre", "25,00", "oui")]
    assert "Zoé" not in exported.text

    form = client.get(f"/gestion/dons/campagnes/{slug}/ecrire")
    csrf = csrf_from(form.text)
    short = client.post(f"/gestion/dons/campagnes/{slug}/ecrire", data={"csrf_token": csrf, "subject": "Hé",
                                                                         "body": "Court", "confirm": "1"})
    assert short.status_code == 400 and short.text.count('aria-invalid="true"') == 2
    before = outbox(app)
    client.post(f"/gestion/dons/campagnes/{slug}/ecrire", data={
        "csrf_token": csrf, "subject": "Les bacs sont posés", "body": "Merci, les enfants ont planté les tomates."})
    assert new_mail(app, before) == []  # not confirmed: nothing sent
    sent = client.post(f"/gestion/dons/campagnes/{slug}/ecrire", follow_redirects=True, data={
        "csrf_token": csrf, "subject": "Les bacs sont posés", "body": "Merci, les enfants ont planté les tomates.",
        "confirm": "1"})
    assert "Votre message part vers 1 donateur." in unescape(sent.text)
    [mail] = new_mail(app, before)
    assert mail["To"] == "camille@example.org" and mail["Subject"] == "Les bacs sont posés"
    link = mail["List-Unsubscribe"].strip("<>")
    assert link in mail.get_body(("plain",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    client.post("/deconnexion", data={"csrf_token": csrf_from(client.get("/connexion").text)})
    path = link.split("://", 1)[1].split("/", 1)[1]
    asked = client.get(f"/{path}")
    assert asked.status_code == 200 and consents(app)["camille@example.org"] is True  # a GET changes nothing
    assert client.post(f"/{path}").status_code == 400  # the page's form needs its CSRF token
    done = client.post(f"/{path}", data={"csrf_token": csrf_from(asked.text)})
    assert "vous ne recevrez plus les nouvelles" in unescape(done.text)
    assert consents(app)["camille@example.org"] is False
    assert client.post(f"/{path}", data={"List-Unsubscribe": "One-Click"}).status_code == 200  # a mail client's click
    assert client.get(f"/{path[:-3]}abc").status_code == 404

    sign_in_as_latest(client, app, "holder")
    nobody = client.get(f"/gestion/dons/campagnes/{slug}/ecrire")
    assert "il n'y a personne à qui écrire" in unescape(nobody.text) and "<form method=\"post\" class=\"card\"" not in nobody.text


def test_donor_pages_ask_to_sign_in_and_are_404_for_another_organization(app, client, actors, giving):
    slug = giving.campaign()
    urls = [f"/gestion/dons/campagnes/{slug}/donateurs", f"/gestion/dons/campagnes/{slug}/donateurs.csv",
            f"/gestion/dons/campagnes/{slug}/ecrire"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/connexion?next="), url
    actors.organization("epicerie")
    actors.user("holder", organization="epicerie")
    sign_in_as_latest(client, app, "holder")
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[2], data={"csrf_token": csrf_from(client.get("/gestion").text), "subject": "Bonjour",
                                      "body": "Un message pour vous.", "confirm": "1"}).status_code == 404
    actors.user("finance", organization="asso-jardin")
    sign_in_as_latest(client, app, "finance")
    assert client.get(urls[0]).status_code == 404
