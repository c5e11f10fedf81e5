"""/gestion/associations: administrators create and edit organizations, their images and their staff."""
import io

from PIL import Image
from sqlalchemy import select

from app.audit import AdminAction
from app.auth.models import User
from app.extensions import db
from campaigns import services
from tests.support import csrf_from, sign_in_as_latest

VALID = {
    "name": "Les Amis du Jardin", "slug": "", "legal_form": "Association loi 1901", "siren": "", "rna": "W922000002",
    "address_line1": "3 rue du Jardin", "address_line2": "", "postal_code": "92330", "city": "Sceaux",
    "objet": "Faire vivre le jardin partagé des Blagis.", "category": "general_interest",
    "receipt_regime": "general_interest", "signatory_name": "Anne Martin", "signatory_title": "Présidente",
    "email": "", "website": "", "financial_year_end": "12-31",
}


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (60, 20), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def test_organization_pages_are_for_administrators_only(app, client, actors):
    slug = actors.organization()
    actors.user("finance", organization=slug)
    paths = ["/gestion/associations", "/gestion/associations/nouvelle", f"/gestion/associations/{slug}",
             f"/gestion/associations/{slug}/images/logo.png"]
    for path in paths:
        assert client.get(path).headers["Location"].startswith("/connexion?next="), path
    posts = (f"/gestion/associations/{slug}/equipe", f"/gestion/associations/{slug}/images/signature",
             f"/gestion/associations/{slug}/images/signature/retirer", "/gestion/associations/nouvelle",
             f"/gestion/associations/{slug}")
    for path in posts:
        assert client.post(path).headers["Location"].startswith("/connexion?next="), path
    sign_in_as_latest(client, app, "finance")  # the organization's own treasurer: not an administrator
    for path in paths:
        assert client.get(path).status_code == 404, path
    token = csrf_from(client.get("/gestion").text)
    for path in posts:
        assert client.post(path, data={"csrf_token": token, "confirm": "1"}).status_code == 404, path
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    assert client.get("/gestion/associations/inconnue").status_code == 404


def test_an_administrator_creates_and_edits_an_organization_through_the_api_rules(app, client, actors):
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    form = client.get("/gestion/associations/nouvelle")
    token = csrf_from(form.text)

    missing = client.post("/gestion/associations/nouvelle", data={**VALID, "rna": "", "postal_code": "923",
                                                                 "csrf_token": token})
    assert missing.status_code == 400
    assert "Indiquez le SIREN ou le numéro RNA" in missing.text
    assert "Le code postal compte 5 chiffres." in missing.text
    assert missing.text.count('aria-invalid="true"') == 2
    bad_siren = client.post("/gestion/associations/nouvelle", data={**VALID, "siren": "123456789", "csrf_token": token})
    assert "Ce numéro SIREN n&#39;est pas valable" in bad_siren.text
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(services.list_organizations().subquery())) == 0

    created = client.post("/gestion/associations/nouvelle", data={**VALID, "csrf_token": token})
    assert created.status_code == 302
    assert created.headers["Location"] == "/gestion/associations/les-amis-du-jardin"
    page = client.get(created.headers["Location"])
    assert "Les Amis du Jardin est créée" in page.text and 'value="W922000002"' in page.text

    edited = client.post("/gestion/associations/les-amis-du-jardin", data={
        **VALID, "name": "Les Amis du Jardin des Blagis", "slug": "les-amis-du-jardin",
        "website": "https://jardin.example", "financial_year_end": "06-30", "csrf_token": csrf_from(page.text)},
        follow_redirects=True)
    assert "Les changements sont enregistrés." in edited.text
    wrong_day = client.post("/gestion/associations/les-amis-du-jardin", data={
        **VALID, "financial_year_end": "02-30", "csrf_token": csrf_from(page.text)})
    assert wrong_day.status_code == 400 and "Un jour de l&#39;année sous la forme MM-JJ" in wrong_day.text
    with app.app_context():
        organization = services.get_organization("les-amis-du-jardin")
        assert organization.name == "Les Amis du Jardin des Blagis"
        assert organization.website == "https://jardin.example" and organization.financial_year_end == "06-30"
        actions = db.session.scalars(select(AdminAction.action).order_by(AdminAction.id)).all()
    assert actions == ["organization.create", "organization.update"]
    with app.app_context():
        assert db.session.scalar(select(AdminAction.subject)) == "organization:les-amis-du-jardin"


def test_signature_upload_and_staff_invitation_from_the_organization_page(app, client, actors):
    slug = actors.organization(signed=False)
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    page = client.get(f"/gestion/associations/{slug}")
    assert "Aucune image." in page.text
    token = csrf_from(page.text)

    not_image = client.post(f"/gestion/associations/{slug}/images/signature", data={
        "signature-csrf_token": token, "signature-image": (io.BytesIO(b"%PDF-1.4 no"), "signature.png")},
        content_type="multipart/form-data")
    assert not_image.status_code == 400 and "Une image PNG ou JPEG" in not_image.text
    sent = client.post(f"/gestion/associations/{slug}/images/signature", data={
        "signature-csrf_token": token, "signature-image": (io.BytesIO(png_bytes()), "signature.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "enregistré" in sent.text
    assert client.get(f"/gestion/associations/{slug}/images/signature.png").data.startswith(b"\x89PNG")
    with app.app_context():
        assert services.get_organization(slug).signature_png is not None

    unconfirmed = client.post(f"/gestion/associations/{slug}/images/signature/retirer", data={"csrf_token": token})
    assert unconfirmed.status_code == 302
    with app.app_context():
        assert services.get_organization(slug).signature_png is not None
    client.post(f"/gestion/associations/{slug}/images/signature/retirer", data={"csrf_token": token, "confirm": "1"})
    with app.app_context():
        assert services.get_organization(slug).signature_png is None

    invited = client.post(f"/gestion/associations/{slug}/equipe", data={
        "invite-csrf_token": token, "invite-email": "tresorier@asso.example", "invite-name": "Marc",
        "invite-role": "finance"},
        follow_redirects=True)
    assert "Invitation envoyée à tresorier@asso.example." in invited.text
    assert "Invité, sans mot de passe" in invited.text
    wrong_role = client.post(f"/gestion/associations/{slug}/equipe", data={
        "invite-csrf_token": token, "invite-email": "x@asso.example", "invite-role": "admin"})
    assert wrong_role.status_code == 400 and 'aria-invalid="true"' in wrong_role.text
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "tresorier@asso.example"))
        assert user.role.value == "finance" and user.organization.slug == slug and user.password_hash is None
