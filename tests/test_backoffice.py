"""The back office's shell: the sign-in guard, each role's home and menu, the action log."""
from flask import Blueprint
from sqlalchemy import select

from app.audit import AdminAction, record_action
from app.auth.models import Role
from app.auth.services import find_user
from app.backoffice import add_menu_entry, staff_page
from app.extensions import db
from tests.support import sign_in_as_latest


def test_without_a_session_the_back_office_asks_to_sign_in_and_comes_back(app, client):
    response = client.get("/gestion/journal?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion?next=/gestion/journal?page%3D2"


def test_signing_in_lands_on_the_back_office_home_with_the_role_menu(app, client, actors):
    organization = actors.organization()
    actors.user("finance", organization=organization)
    sign_in_as_latest(client, app, "finance")
    home = client.get("/gestion")
    assert home.status_code == 200
    assert "Trésorerie · Association asso-test" in home.text
    assert "Journal des actions" not in home.text  # the administrators' entry is not in a treasurer's menu
    assert client.get("/gestion/journal").status_code == 404

    actors.admin()
    sign_in_as_latest(client, app, "admin")
    assert 'href="/gestion/journal"' in client.get("/gestion").text


def test_a_page_for_some_roles_is_a_404_for_the_others_and_its_menu_entry_is_theirs_only(app, client, actors):
    extra = Blueprint("extra_pages", __name__)

    @extra.get("/gestion/essai")
    @staff_page(Role.partner)
    def partners_only():
        return "pour les partenaires"

    app.register_blueprint(extra)
    add_menu_entry(app, "extra_pages.partners_only", "Essai", [Role.partner])
    partner = actors.partner()
    actors.user("partner", partner=partner)
    actors.admin()

    sign_in_as_latest(client, app, "partner")
    assert client.get("/gestion/essai").text == "pour les partenaires"
    assert 'href="/gestion/essai"' in client.get("/gestion").text
    sign_in_as_latest(client, app, "admin")
    assert client.get("/gestion/essai").status_code == 404
    assert 'href="/gestion/essai"' not in client.get("/gestion").text


def test_the_action_log_keeps_what_committed_and_nothing_of_a_rollback(app, client, actors):
    actors.admin()
    with app.app_context():
        assert db.session.scalar(select(AdminAction.id)) is None
        user = find_user("admin1@test.example")
        record_action(user, "organization.create", "organization:jardin", "Les Amis du Jardin")
        db.session.commit()
        record_action(user, "organization.delete", "organization:jardin")
        db.session.rollback()

    sign_in_as_latest(client, app, "admin")
    journal = client.get("/gestion/journal").text
    assert "1 action enregistrée" in journal
    assert "Association créée" in journal and "association jardin" in journal and "admin1@test.example" in journal
    assert "organization.create" not in journal and "organization.delete" not in journal
