"""Sessions of the staff pages: the cookie's flags, a lifetime of a few hours, and every other
session ended by a new password or a deactivation; the CLI revokes tokens, deactivates users and
resets passwords."""
import time

from sqlalchemy import select

from app import create_app
from app.auth.models import ApiToken, User
from app.extensions import db
from tests.test_auth import csrf_token, login, make_user

EMAIL, PASSWORD = "tresorier@asso.example", "correct horse battery"


def signed_in(client):
    return "Se déconnecter" in client.get("/").text


def session_cookie(response):
    return next(header for header in response.headers.getlist("Set-Cookie") if header.startswith("session="))


def test_the_cookie_is_httponly_samesite_lax_and_secure_behind_https(app, client, base_config):
    make_user(app)
    cookie = session_cookie(login(client, EMAIL, PASSWORD))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # http on loopback
    https = create_app({**base_config, "PUBLIC_URL": "https://dons.sceaux.example"})
    assert https.config["SESSION_COOKIE_SECURE"] is True
    https_client = https.test_client()
    cookie = session_cookie(login(https_client, EMAIL, PASSWORD))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert create_app({**base_config, "SESSION_COOKIE_SECURE": True}).config["SESSION_COOKIE_SECURE"] is True


def test_a_sign_in_lasts_the_configured_hours(app, client, monkeypatch):
    make_user(app)
    assert app.config["SESSION_LIFETIME_HOURS"] == 8
    login(client, EMAIL, PASSWORD)
    assert signed_in(client)
    later = time.time() + 8 * 3600 + 60
    monkeypatch.setattr("app.auth.access.time.time", lambda: later)
    assert not signed_in(client)


def test_logout_clears_the_session(app, client):
    make_user(app)
    login(client, EMAIL, PASSWORD)
    client.post("/deconnexion", data={"csrf_token": csrf_token(client.get("/connexion"))})
    assert not signed_in(client)
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_a_new_password_ends_every_other_session(app, runner):
    make_user(app)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, EMAIL, PASSWORD)
    login(phone, EMAIL, PASSWORD)
    assert signed_in(laptop) and signed_in(phone)
    result = runner.invoke(args=["users", "reset-password", EMAIL])
    assert result.exit_code == 0, result.output
    new_password = result.output.split("Password: ")[1].strip()
    assert not signed_in(laptop) and not signed_in(phone)
    assert login(laptop, EMAIL, PASSWORD).status_code == 400  # the old password is gone
    assert login(laptop, EMAIL, new_password).status_code == 302 and signed_in(laptop)


def test_reset_password_may_ask_for_the_password(app, runner):
    make_user(app)
    result = runner.invoke(args=["users", "reset-password", EMAIL, "--prompt"],
                           input="un tout nouveau secret\nun tout nouveau secret\n")
    assert result.exit_code == 0, result.output
    assert "Password:" not in result.output.replace("New password", "")
    assert login(app.test_client(), EMAIL, "un tout nouveau secret").status_code == 302
    assert runner.invoke(args=["users", "reset-password", "nobody@asso.example"]).exit_code != 0


def test_a_session_forged_for_another_version_is_refused(app, client):
    make_user(app)
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
    with client.session_transaction() as session:
        session.update({"user_id": user_id, "session_version": 999, "signed_in_at": int(time.time())})
    assert not signed_in(client)
    with client.session_transaction() as session:  # a session from before session versions
        session.clear()
        session["user_id"] = user_id
    assert not signed_in(client)


def test_deactivating_a_user_ends_their_sessions_and_tokens(app, client, runner, actors):
    make_user(app)
    login(client, EMAIL, PASSWORD)
    with app.app_context():
        from app.auth.services import create_token, find_user

        _, token = create_token(find_user(EMAIL))
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/organizations", headers=headers).status_code == 200
    result = runner.invoke(args=["users", "deactivate", EMAIL])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)
    assert client.get("/api/v1/organizations", headers=headers).status_code == 401
    assert login(app.test_client(), EMAIL, PASSWORD).status_code == 400


def test_tokens_revoke_by_prefix_or_id(app, client, runner, actors):
    first, second = actors.admin(), actors.admin()
    token = first["Authorization"].split()[1]
    result = runner.invoke(args=["tokens", "revoke", token[:12]])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/organizations", headers=first).status_code == 401
    assert client.get("/api/v1/organizations", headers=second).status_code == 200
    with app.app_context():
        second_id = db.session.scalar(select(ApiToken.id).where(ApiToken.revoked_at.is_(None)))
    assert runner.invoke(args=["tokens", "revoke", str(second_id)]).exit_code == 0
    assert client.get("/api/v1/organizations", headers=second).status_code == 401
    again = runner.invoke(args=["tokens", "revoke", str(second_id)])
    assert again.exit_code != 0 and "no live token" in again.output
    assert runner.invoke(args=["tokens", "revoke", "n'importe quoi"]).exit_code != 0
