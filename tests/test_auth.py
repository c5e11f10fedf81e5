"""Sign-in at /connexion, API tokens and the users/tokens CLI."""
import hashlib
import hmac
import re

from sqlalchemy import select

from app.auth.models import ApiToken, User
from app.auth.services import revoke_token
from app.extensions import db


def csrf_token(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def login(client, email, password, next_url=""):
    page = client.get("/connexion")
    return client.post(f"/connexion{next_url}", data={
        "email": email, "password": password, "csrf_token": csrf_token(page)})


def make_user(app, email="tresorier@asso.example", password="correct horse battery"):
    from app.auth.services import create_user

    with app.app_context():
        create_user(email, "admin", password=password)
        db.session.commit()


def test_sign_in_with_the_right_password(app, client):
    make_user(app)
    response = login(client, "Tresorier@Asso.example ", "correct horse battery")
    assert response.status_code == 302
    home = client.get(response.headers["Location"])
    assert "Se déconnecter (tresorier@asso.example)" in home.text


def test_a_wrong_password_says_so_in_french(app, client):
    make_user(app)
    response = login(client, "tresorier@asso.example", "wrong password")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert "Connexion" in client.get("/").text


def test_sign_in_requires_the_csrf_token(app, client):
    make_user(app)
    response = client.post("/connexion", data={"email": "tresorier@asso.example", "password": "correct horse battery"})
    assert response.status_code == 400
    assert "Se déconnecter" not in client.get("/").text


def test_next_never_leads_to_another_site(app, client):
    make_user(app)
    assert login(client, "tresorier@asso.example", "correct horse battery",
                 "?next=https://evil.example/").headers["Location"] == "/gestion"
    client.post("/deconnexion", data={"csrf_token": csrf_token(client.get("/connexion"))})
    assert login(client, "tresorier@asso.example", "correct horse battery",
                 "?next=/finance").headers["Location"] == "/finance"


def test_tokens_are_stored_hashed_and_can_be_revoked(app, client, actors):
    headers = actors.admin()
    token = headers["Authorization"].split()[1]
    assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert token not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
        assert row.key_hash == hmac.new(b"test-secret", token.encode(), hashlib.sha256).hexdigest()
        assert row.prefix == token[:12]
        revoke_token(row)
        db.session.commit()
    assert client.get("/api/v1/organizations", headers=headers).status_code == 401
    assert client.get("/api/v1/organizations", headers={"Authorization": "Bearer sol_forged"}).status_code == 401


def test_a_token_stored_as_a_plain_sha256_works_and_is_rehashed_on_first_use(app, client, actors):
    # As tokens issued before revision 0003 were stored.
    from app.auth.models import KEYED_HASH, PLAIN_SHA256

    headers = actors.admin()
    token = headers["Authorization"].split()[1]
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        row.key_hash, row.hash_version = hashlib.sha256(token.encode()).hexdigest(), PLAIN_SHA256
        db.session.commit()
    assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.hash_version == KEYED_HASH
        assert row.key_hash == hmac.new(b"test-secret", token.encode(), hashlib.sha256).hexdigest()
        revoke_token(row)
        db.session.commit()
    assert client.get("/api/v1/organizations", headers=headers).status_code == 401


def test_a_revoked_token_stored_as_a_plain_sha256_stays_refused(app, client, actors):
    from app.auth.models import PLAIN_SHA256

    headers = actors.admin()
    token = headers["Authorization"].split()[1]
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        row.key_hash, row.hash_version = hashlib.sha256(token.encode()).hexdigest(), PLAIN_SHA256
        revoke_token(row)
        db.session.commit()
    assert client.get("/api/v1/organizations", headers=headers).status_code == 401


def test_a_deactivated_user_loses_api_access(app, client, actors):
    headers = actors.admin()
    with app.app_context():
        db.session.scalar(select(User)).active = False
        db.session.commit()
    assert client.get("/api/v1/organizations", headers=headers).status_code == 401


def test_cli_creates_users_and_prints_a_working_token(app, runner, client, actors):
    actors.organization("asso-a")
    result = runner.invoke(args=["users", "create", "Compta@Asso.example", "--role", "finance",
                                 "--organization", "asso-a"])
    assert result.exit_code == 0, result.output
    assert "Emailed them a link to choose a password, valid once: http" in result.output
    result = runner.invoke(args=["tokens", "create", "compta@asso.example"])
    token = result.output.strip()
    assert token.startswith("sol_")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/organizations/asso-a", headers=headers).status_code == 200


def test_cli_refuses_a_finance_user_without_organization(runner):
    result = runner.invoke(args=["users", "create", "x@asso.example", "--role", "finance"])
    assert result.exit_code != 0
    assert "belongs to an organization" in result.output
    result = runner.invoke(args=["users", "create", "x@asso.example", "--role", "holder", "--organization", "nope"])
    assert "no organization with the slug 'nope'" in result.output


def test_database_refuses_a_finance_user_without_organization(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(User(email="x@y.example", role="finance"))
        with pytest.raises(IntegrityError):
            db.session.commit()
