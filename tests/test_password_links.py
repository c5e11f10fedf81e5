"""Links by email to choose a password: invitations, "mot de passe oublié", the CLI's first administrator."""
import email
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit import AdminAction
from app.auth.invitations import (
    LinkRefused,
    invite_user,
    request_password_reset,
    set_password_with_link,
)
from app.auth.models import LoginLink, Role, User
from app.auth.services import authenticate, find_user
from app.extensions import db
from app.types import utcnow
from tests.support import csrf_from


@pytest.fixture(autouse=True)
def empty_outbox(app):
    """The outbox folder is shared by the whole run: each test here starts with it empty."""
    for path in Path(app.config["OUTBOX_DIR"]).glob("*.eml"):
        path.unlink()


def mails_to(app, address):
    """The messages of the outbox addressed to `address`, oldest first, as (subject, body)."""
    found = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append((str(message["Subject"]), message.get_body().get_content()))
    return found


def link_in(body):
    return re.search(r"http://\S+/mot-de-passe/(\S+)", body)


def test_an_invited_holder_chooses_a_password_once_and_lands_on_the_back_office(app, client, actors):
    organization = actors.organization("jardin")
    actors.admin()
    with app.app_context():
        admin = find_user("admin1@test.example")
        from campaigns.services import get_organization
        invite_user("Lea@Jardin.example", "holder", organization_id=get_organization(organization).id,
                    name="Léa", invited_by=admin)
        assert mails_to(app, "lea@jardin.example") == []  # nothing leaves before the commit
        db.session.commit()
        stored = db.session.scalar(select(LoginLink))
        log = db.session.scalars(select(AdminAction.action)).all()
    assert log == ["user.invite"]
    [(subject, body)] = mails_to(app, "lea@jardin.example")
    assert "choisissez votre mot de passe" in subject
    assert "porteur de projet pour Association jardin" in body
    token = link_in(body).group(1)
    assert stored.token_hash != token and token not in stored.token_hash  # only a hash is kept

    page = client.get(f"/mot-de-passe/{token}")
    assert page.status_code == 200 and "lea@jardin.example" in page.text
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "same-origin"
    refused = client.post(f"/mot-de-passe/{token}", data={"password": "court", "confirmation": "court",
                                                          "csrf_token": csrf_from(page.text)})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text and "au moins 8 caractères" in refused.text
    mismatch = client.post(f"/mot-de-passe/{token}", data={"password": "un jardin partagé",
                                                           "confirmation": "un jardin partage",
                                                           "csrf_token": csrf_from(page.text)})
    assert "Les deux mots de passe diffèrent." in mismatch.text
    done = client.post(f"/mot-de-passe/{token}", data={"password": "un jardin partagé",
                                                       "confirmation": "un jardin partagé",
                                                       "csrf_token": csrf_from(page.text)})
    assert done.status_code == 302 and done.headers["Location"] == "/gestion"
    assert "Porteur de projet · Association jardin" in client.get("/gestion").text

    again = client.get(f"/mot-de-passe/{token}")
    assert again.status_code == 410 and "Ce lien a déjà servi" in again.text
    with app.app_context():
        assert authenticate("lea@jardin.example", "un jardin partagé") is not None


def test_a_link_expires_and_a_newer_link_replaces_the_older(app, client, actors):
    actors.admin()
    with app.app_context():
        invite_user("new@ville.example", "admin")
        db.session.commit()
    first = link_in(mails_to(app, "new@ville.example")[-1][1]).group(1)
    with app.app_context():
        invite_user("new@ville.example", "admin")  # re-invited: no password yet, same role
        db.session.commit()
        assert db.session.scalar(select(db.func.count(User.id)).where(User.email == "new@ville.example")) == 1
    second = link_in(mails_to(app, "new@ville.example")[-1][1]).group(1)
    assert "n'est pas valable" in client.get(f"/mot-de-passe/{first}").text

    with app.app_context():
        db.session.scalar(select(LoginLink)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        with pytest.raises(LinkRefused) as refused:
            set_password_with_link(second, "assez long vraiment")
        assert refused.value.reason == "expired"
    expired = client.get(f"/mot-de-passe/{second}")
    assert expired.status_code == 410 and "Ce lien a expiré" in expired.text
    assert 'href="/mot-de-passe-oublie"' in expired.text


def test_inviting_an_address_that_has_a_password_or_another_place_is_refused(app, actors):
    actors.admin()
    actors.organization("asso-a")
    with app.app_context():
        from app.errors import Conflict
        with pytest.raises(Conflict):
            invite_user("admin1@test.example", "admin")
        invite_user("x@asso.example", "admin")
        with pytest.raises(Conflict):
            invite_user("x@asso.example", Role.partner, partner_id=None)


def test_forgotten_password_answers_the_same_for_an_unknown_address(app, client, actors):
    actors.admin()
    login = client.get("/connexion")
    assert 'href="/mot-de-passe-oublie"' in login.text
    form = client.get("/mot-de-passe-oublie")
    known = client.post("/mot-de-passe-oublie", data={"email": "admin1@test.example",
                                                      "csrf_token": csrf_from(form.text)}, follow_redirects=True)
    unknown = client.post("/mot-de-passe-oublie", data={"email": "nobody@test.example",
                                                        "csrf_token": csrf_from(form.text)}, follow_redirects=True)
    assert "Si un compte existe pour cette adresse" in known.text
    assert "Si un compte existe pour cette adresse" in unknown.text
    assert unknown.status_code == known.status_code == 200
    assert mails_to(app, "nobody@test.example") == []
    [(_, body)] = mails_to(app, "admin1@test.example")
    token = link_in(body).group(1)

    empty = client.post("/mot-de-passe-oublie", data={"email": "", "csrf_token": csrf_from(form.text)})
    assert empty.status_code == 400 and "Indiquez votre adresse e-mail." in empty.text

    client.get("/gestion")
    with app.app_context():
        user = set_password_with_link(token, "un tout nouveau mot")
        db.session.commit()
        assert authenticate(user.email, "correct horse battery") is None  # the old password is gone
        assert authenticate(user.email, "un tout nouveau mot") is not None


def test_a_deactivated_user_gets_no_reset_link_and_their_link_stops_working(app, actors):
    actors.admin()
    with app.app_context():
        request_password_reset("admin1@test.example")
        db.session.commit()
    token = link_in(mails_to(app, "admin1@test.example")[-1][1]).group(1)
    with app.app_context():
        find_user("admin1@test.example").active = False
        db.session.commit()
        request_password_reset("admin1@test.example")
        db.session.commit()
        with pytest.raises(LinkRefused):
            set_password_with_link(token, "encore un essai")
    assert len(mails_to(app, "admin1@test.example")) == 1


def test_the_forgotten_password_page_is_rate_limited(base_config, _schema):
    from app import create_app

    app = create_app({**base_config, "RATELIMIT_ENABLED": True, "RATELIMIT_PASSWORD_RESET": "2 per minute"})
    client = app.test_client()
    token = csrf_from(client.get("/mot-de-passe-oublie").text)
    answers = [client.post("/mot-de-passe-oublie", data={"email": "x@y.example", "csrf_token": token}).status_code
               for _ in range(3)]
    assert answers == [302, 302, 429]


def test_the_cli_first_administrator_gets_the_link_printed_and_emailed(app, runner, client):
    result = runner.invoke(args=["users", "create", "maire@ville.example", "--role", "admin"])
    assert result.exit_code == 0, result.output
    printed = link_in(result.output).group(1)
    [(_, body)] = mails_to(app, "maire@ville.example")
    assert link_in(body).group(1) == printed
    page = client.get(f"/mot-de-passe/{printed}")
    done = client.post(f"/mot-de-passe/{printed}", data={"password": "la ville de Sceaux",
                                                         "confirmation": "la ville de Sceaux",
                                                         "csrf_token": csrf_from(page.text)})
    assert done.headers["Location"] == "/gestion"
    assert "Équipe de la Ville" in client.get("/gestion").text
