"""Signing in to the donor space: a link by email that works once and expires, the same answer for an
unknown address, a short donor session that is not a staff session."""
import re
import time
from datetime import timedelta

from app.extensions import db
from app.types import utcnow
from tests.support import csrf_from


def without_tokens(html):
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)


def ask(client, address):
    page = client.get("/espace-donateur")
    return client.post("/espace-donateur", data={"email": address, "csrf_token": csrf_from(page.text)})


def test_the_answer_is_the_same_for_a_donor_and_a_stranger(app, client, donors):
    donors.gift(donors.campaign(), email="marie.curie@example.org")
    known, unknown = ask(client, "Marie.Curie@example.org "), ask(client, "personne@example.org")
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.text) == without_tokens(unknown.text)
    assert "Si cette adresse correspond à un don" in known.text
    assert donors.sign_in_link("marie.curie@example.org") and not donors.mails_to("personne@example.org")

    wrong = ask(client, "marie.curie@")
    assert wrong.status_code == 400
    assert 'aria-invalid="true" aria-describedby="email-error"' in wrong.text
    assert 'id="email-error">Indiquez une adresse e-mail valide' in wrong.text


def test_a_link_works_once_and_opens_a_donor_session_only(app, client, donors):
    donors.gift(donors.campaign(), email="marie.curie@example.org")
    ask(client, "marie.curie@example.org")
    link = donors.sign_in_link("marie.curie@example.org")
    # Opening the link (a mail scanner does) does not use it: the button does.
    assert client.get(link).status_code == 200 and client.get(link).status_code == 200
    opened = client.post(link, data={"csrf_token": csrf_from(client.get(link).text)})
    assert opened.status_code == 302
    home = client.get("/espace-donateur/mon-espace")
    assert home.status_code == 200 and "marie.curie@example.org" in home.text and "50,00" in home.text
    # A donor session is not a staff one.
    assert client.get("/finance").status_code == 302

    other = app.test_client()
    again = other.post(link, data={"csrf_token": csrf_from(other.get(link).text)})
    assert again.status_code == 400 and "a déjà servi" in again.text
    assert other.get("/espace-donateur/mon-espace").headers["Location"].endswith("/espace-donateur")
    forged = other.post(link[:-3] + "abc", data={"csrf_token": csrf_from(other.get(link).text)})
    assert forged.status_code == 400 and "Ce lien de connexion n&#39;est pas valide" in forged.text


def test_an_expired_link_is_refused_in_french(app, client, donors):
    from receipts.donor_space import sign_in

    donors.gift(donors.campaign(), email="marie.curie@example.org")
    with app.app_context():
        assert sign_in.request_link("marie.curie@example.org", now=utcnow() - timedelta(minutes=31))
        db.session.commit()
    link = donors.sign_in_link("marie.curie@example.org")
    refused = client.post(link, data={"csrf_token": csrf_from(client.get(link).text)})
    assert refused.status_code == 400 and "Ce lien de connexion a expiré" in refused.text
    assert client.get("/espace-donateur/mon-espace").status_code == 302


def test_the_donor_session_ends_after_its_lifetime(app, client, donors):
    donors.gift(donors.campaign(), email="marie.curie@example.org")
    assert donors.sign_in(client, "marie.curie@example.org").status_code == 200
    with client.session_transaction() as session:
        session["donor_signed_in_at"] = int(time.time()) - app.config["DONOR_SESSION_MINUTES"] * 60 - 1
    ended = client.get("/espace-donateur/mon-espace")
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/espace-donateur")


def test_an_address_gets_at_most_five_links_an_hour(app, client, donors):
    donors.gift(donors.campaign(), email="marie.curie@example.org")
    for _ in range(7):
        assert ask(client, "marie.curie@example.org").status_code == 200
    links = [m for m in donors.mails_to("marie.curie@example.org") if "connexion" in m["Subject"]]
    assert len(links) == 5


def test_asking_for_links_is_rate_limited_per_address(app, base_config, donors):
    from app import create_app

    limited = create_app({**base_config, "RATELIMIT_ENABLED": True, "RATELIMIT_DONOR_LINK": "2 per minute"})
    client = limited.test_client()
    assert [ask(client, "x@example.org").status_code for _ in range(3)] == [200, 200, 429]
