"""/gestion/equipe: every account, inviting an administrator, deactivating and reactivating."""
from sqlalchemy import select

from app.audit import AdminAction
from app.auth.models import User
from app.auth.services import authenticate
from app.extensions import db
from tests.support import csrf_from, sign_in_as_latest


def _user_id(app, email):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def test_staff_pages_need_an_administrator(app, client, actors):
    organization = actors.organization()
    actors.user("finance", organization=organization)
    for path in ("/gestion/equipe",):
        assert client.get(path).headers["Location"].startswith("/connexion?next=")
    user_id = _user_id(app, "finance1@test.example")
    for path in ("/gestion/equipe/inviter", f"/gestion/equipe/{user_id}/desactiver",
                 f"/gestion/equipe/{user_id}/reactiver", f"/gestion/equipe/{user_id}/renvoyer"):
        assert client.post(path).headers["Location"].startswith("/connexion?next="), path
    sign_in_as_latest(client, app, "finance")
    assert client.get("/gestion/equipe").status_code == 404
    assert 'href="/gestion/equipe"' not in client.get("/gestion").text
    token = csrf_from(client.get("/gestion").text)
    for action in ("desactiver", "reactiver", "renvoyer"):
        assert client.post(f"/gestion/equipe/{user_id}/{action}",
                           data={"csrf_token": token, "confirm": "1"}).status_code == 404
    assert client.post("/gestion/equipe/inviter", data={"csrf_token": token, "email": "x@y.example"}).status_code == 404


def test_an_administrator_invites_a_colleague_then_deactivates_and_reactivates_them(app, client, actors):
    organization = actors.organization()
    actors.user("holder", organization=organization)
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    page = client.get("/gestion/equipe")
    assert page.status_code == 200
    assert "holder1@test.example" in page.text and "Association asso-test" in page.text

    bad = client.post("/gestion/equipe/inviter", data={"email": "pas-une-adresse", "name": "",
                                                       "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.text and "n&#39;est pas valable" in bad.text
    taken = client.post("/gestion/equipe/inviter", data={"email": "holder1@test.example",
                                                         "csrf_token": csrf_from(page.text)})
    assert taken.status_code == 400 and "Cette adresse a déjà un compte" in taken.text

    sent = client.post("/gestion/equipe/inviter", data={"email": "Adjoint@Ville.example", "name": "Paul",
                                                        "csrf_token": csrf_from(page.text)}, follow_redirects=True)
    assert "Invitation envoyée à adjoint@ville.example." in sent.text
    assert "Invité, sans mot de passe" in sent.text

    holder_id = _user_id(app, "holder1@test.example")
    unconfirmed = client.post(f"/gestion/equipe/{holder_id}/desactiver",
                              data={"csrf_token": csrf_from(sent.text)}, follow_redirects=True)
    assert "confirmez" in unconfirmed.text
    with app.app_context():
        assert authenticate("holder1@test.example", "correct horse battery") is not None
    done = client.post(f"/gestion/equipe/{holder_id}/desactiver",
                       data={"csrf_token": csrf_from(sent.text), "confirm": "1"}, follow_redirects=True)
    assert "Le compte holder1@test.example est désactivé" in done.text
    with app.app_context():
        assert authenticate("holder1@test.example", "correct horse battery") is None
    client.post(f"/gestion/equipe/{holder_id}/reactiver", data={"csrf_token": csrf_from(sent.text)})
    with app.app_context():
        assert authenticate("holder1@test.example", "correct horse battery") is not None
        actions = db.session.scalars(select(AdminAction.action).order_by(AdminAction.id)).all()
    assert actions == ["user.invite", "user.deactivate", "user.reactivate"]

    own = client.post(f"/gestion/equipe/{_user_id(app, 'admin2@test.example')}/desactiver",
                      data={"csrf_token": csrf_from(sent.text), "confirm": "1"}, follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in own.text
    assert client.get("/gestion/equipe/999999/desactiver").status_code == 405
    assert client.post("/gestion/equipe/999999/reactiver",
                       data={"csrf_token": csrf_from(sent.text)}).status_code == 404
