"""The town's merchant pages: applications approved or refused, merchants created and edited, keys
issued and revoked, the shop's staff invited; every page needs an administrator."""
import email
import re
from pathlib import Path

from sqlalchemy import select

from app.audit import AdminAction
from app.extensions import db
from tests.roundup.conftest import VALID_SIRET
from tests.support import csrf_from, sign_in_as_latest


def mails_to(app, address):
    found = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append((str(message["Subject"]), message.get_body().get_content()))
    return found


def an_application(app, email_address, organization="epicerie", name="Boulangerie des Blagis", siret=VALID_SIRET):
    from campaigns.services import get_organization
    from donations.roundup.services.applications import submit_application

    with app.app_context():
        application = submit_application(
            siret=siret, charter_text="La charte.", name=name, address_line1="12 rue des Blagis",
            postal_code="92330", city="Sceaux", contact_name="Claire Martin", contact_email=email_address,
            contact_phone="0146600000", rounding_step_cents=50, round_exact_baskets=True, top_ups_cents=[100],
            max_roundup_cents=300,
            beneficiaries=[{"organization": get_organization(organization).id, "share_basis_points": 10_000}])
        db.session.commit()
        return application.id


def _log(app):
    with app.app_context():
        return db.session.scalars(select(AdminAction.action).order_by(AdminAction.id)).all()


def test_the_town_approves_an_application_the_shop_is_created_and_its_contact_invited(app, client, actors):
    from donations.roundup.applications import ApplicationStatus, MerchantApplication
    from donations.roundup.models import Merchant

    actors.organization("epicerie")
    application_id = an_application(app, "claire@blagis.example")
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    assert "1 demande attend votre réponse." in client.get("/gestion").text
    listing = client.get("/gestion/commercants/demandes").text
    assert "Boulangerie des Blagis" in listing
    page = client.get(f"/gestion/commercants/demandes/{application_id}").text
    assert "732 829 320 00074" in page and "Association epicerie : 100" in page
    assert "Arrondi aux 50 centimes supérieurs, même pour un panier déjà rond" in page

    # The first button only opens the question: nothing happens without the second.
    unconfirmed = client.post(f"/gestion/commercants/demandes/{application_id}/accepter",
                              data={"csrf_token": csrf_from(page)})
    assert unconfirmed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Merchant)) is None
    approved = client.post(f"/gestion/commercants/demandes/{application_id}/accepter",
                           data={"csrf_token": csrf_from(page), "confirm": "1"})
    assert approved.status_code == 302 and approved.headers["Location"] == "/gestion/commercants/boulangerie-des-blagis"
    shown = client.get(approved.headers["Location"]).text
    assert "rejoint l&#39;arrondi" in shown and "claire@blagis.example" in shown and "invitation envoyée" in shown
    with app.app_context():
        merchant = db.session.scalar(select(Merchant))
        assert (merchant.siret, merchant.rounding_step_cents, merchant.round_exact_baskets, merchant.top_ups_cents,
                merchant.max_roundup_cents) == (VALID_SIRET, 50, True, [100], 300)
        assert [(b.organization.slug, b.share_basis_points) for b in merchant.beneficiaries] == [("epicerie", 10_000)]
        application = db.session.get(MerchantApplication, application_id)
        assert application.status is ApplicationStatus.approved and application.merchant_id == merchant.id
    subjects = [subject for subject, _ in mails_to(app, "claire@blagis.example")]
    assert "Solidaire : votre commerce rejoint l'arrondi solidaire" in subjects
    assert "Votre compte Solidaire : choisissez votre mot de passe" in subjects
    assert _log(app)[-2:] == ["user.invite", "merchant_application.approve"]

    # A decision is final.
    again = client.post(f"/gestion/commercants/demandes/{application_id}/accepter",
                        data={"csrf_token": csrf_from(page), "confirm": "1"}, follow_redirects=True)
    assert "Cette demande a déjà reçu une réponse." in again.text
    with app.app_context():
        assert len(db.session.scalars(select(Merchant)).all()) == 1


def test_a_refusal_needs_a_reason_which_is_emailed(app, client, actors):
    from donations.roundup.applications import ApplicationStatus, MerchantApplication

    actors.organization("epicerie")
    application_id = an_application(app, "refus@blagis.example")
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    page = client.get(f"/gestion/commercants/demandes/{application_id}").text
    empty = client.post(f"/gestion/commercants/demandes/{application_id}/refuser",
                        data={"csrf_token": csrf_from(page), "reason": " ", "confirm": "1"})
    assert empty.status_code == 400
    assert re.search(r'<textarea[^>]*aria-invalid="true"', empty.text)
    assert "Indiquez la raison du refus" in empty.text
    refused = client.post(f"/gestion/commercants/demandes/{application_id}/refuser",
                          data={"csrf_token": csrf_from(page), "confirm": "1",
                                "reason": "Le commerce n'est pas sur le territoire."})
    assert refused.status_code == 302
    with app.app_context():
        application = db.session.get(MerchantApplication, application_id)
        assert application.status is ApplicationStatus.refused
    [(_, body)] = mails_to(app, "refus@blagis.example")
    assert "Le commerce n'est pas sur le territoire." in body
    assert _log(app)[-1] == "merchant_application.refuse"


def test_approval_that_cannot_go_through_leaves_nothing(app, client, actors):
    """The contact's address already has an account: no merchant, no invitation, still pending."""
    from app.auth.services import create_user
    from donations.roundup.applications import ApplicationStatus, MerchantApplication
    from donations.roundup.models import Merchant

    actors.organization("epicerie")
    with app.app_context():
        create_user("pris@blagis.example", "admin", password="correct horse battery")
        db.session.commit()
    application_id = an_application(app, "pris@blagis.example")
    actors.admin()
    sign_in_as_latest(client, app, "admin1")
    page = client.get(f"/gestion/commercants/demandes/{application_id}").text
    answer = client.post(f"/gestion/commercants/demandes/{application_id}/accepter",
                         data={"csrf_token": csrf_from(page), "confirm": "1"}, follow_redirects=True)
    assert "Cette adresse e-mail a déjà un compte" in answer.text
    with app.app_context():
        assert db.session.scalar(select(Merchant)) is None
        assert db.session.get(MerchantApplication, application_id).status is ApplicationStatus.pending
    assert mails_to(app, "pris@blagis.example") == []


def test_an_administrator_creates_edits_and_keys_a_merchant(app, client, actors):
    from campaigns.services import get_organization
    from donations.roundup.models import Merchant, MerchantKey

    actors.organization("epicerie")
    actors.organization("jardin")
    with app.app_context():
        epicerie, jardin = get_organization("epicerie").id, get_organization("jardin").id
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    form = client.get("/gestion/commercants/nouveau").text
    data = {"csrf_token": csrf_from(form), "name": "Fleurs de Sceaux", "siret": VALID_SIRET,
            "address_line1": "3 rue Houdan", "postal_code": "92330", "city": "Sceaux", "rounding_step_cents": "100",
            "active": "y", "match_ratio_percent": "50", "match_monthly_cap": "20",
            f"part-o-{epicerie}": "33,33", f"part-o-{jardin}": "66,66"}
    wrong = client.post("/gestion/commercants/nouveau", data=data)
    assert wrong.status_code == 400 and "Les parts font 99,99 % au total" in wrong.text
    created = client.post("/gestion/commercants/nouveau", data={**data, f"part-o-{jardin}": "66,67"})
    assert created.status_code == 302 and created.headers["Location"] == "/gestion/commercants/fleurs-de-sceaux"
    with app.app_context():
        merchant = db.session.scalar(select(Merchant))
        assert (merchant.match_ratio_percent, merchant.match_monthly_cap_cents) == (50, 2_000)
        assert [b.share_basis_points for b in merchant.beneficiaries] == [3_333, 6_667]
        version = merchant.rule_version

    edit = client.get("/gestion/commercants/fleurs-de-sceaux/modifier").text
    assert 'value="33,33"' in edit and 'value="Fleurs de Sceaux"' in edit
    changed = client.post("/gestion/commercants/fleurs-de-sceaux/modifier", data={
        **data, "csrf_token": csrf_from(edit), "rounding_step_cents": "50", "max_roundup": "2",
        f"part-o-{epicerie}": "100", f"part-o-{jardin}": ""})
    assert changed.status_code == 302
    with app.app_context():
        merchant = db.session.scalar(select(Merchant))
        assert (merchant.rounding_step_cents, merchant.max_roundup_cents, merchant.rule_version) == (50, 200, version + 1)
        assert [b.organization_id for b in merchant.beneficiaries] == [epicerie]

    show = client.get("/gestion/commercants/fleurs-de-sceaux").text
    issued = client.post("/gestion/commercants/fleurs-de-sceaux/cles",
                         data={"csrf_token": csrf_from(show), "kind": "till", "label": "Comptoir"})
    key = re.search(r'<code class="key">(mk_[^<]+)</code>', issued.text).group(1)
    assert key not in client.get("/gestion/commercants/fleurs-de-sceaux").text  # shown once
    with app.app_context():
        row = db.session.scalar(select(MerchantKey))
        assert (row.kind.value, row.label) == ("till", "Comptoir") and key not in row.key_hash
    revoke = f"/gestion/commercants/fleurs-de-sceaux/cles/{row.id}/revoquer"
    client.post(revoke, data={"csrf_token": csrf_from(show)})  # not confirmed
    with app.app_context():
        assert db.session.scalar(select(MerchantKey)).revoked_at is None
    client.post(revoke, data={"csrf_token": csrf_from(show), "confirm": "1"})
    with app.app_context():
        assert db.session.scalar(select(MerchantKey)).revoked_at is not None

    invited = client.post("/gestion/commercants/fleurs-de-sceaux/equipe",
                          data={"csrf_token": csrf_from(show), "email": "vendeur@fleurs.example", "name": "Paul"})
    assert invited.status_code == 302
    assert [s for s, _ in mails_to(app, "vendeur@fleurs.example")] == ["Votre compte Solidaire : choisissez votre mot de passe"]
    log = _log(app)
    for action in ("merchant.create", "merchant.update", "merchant.key_issue", "merchant.key_revoke", "user.invite"):
        assert action in log


def test_merchant_pages_need_an_administrator(app, client, actors, shops):
    shops.merchant("boulangerie")
    application_id = an_application(app, "x@blagis.example")
    paths = ["/gestion/commercants", "/gestion/commercants/nouveau", "/gestion/commercants/boulangerie",
             "/gestion/commercants/boulangerie/modifier", "/gestion/commercants/demandes",
             f"/gestion/commercants/demandes/{application_id}"]
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/connexion?next="), path
    actors.user("finance", organization="epicerie")
    sign_in_as_latest(client, app, "finance")
    for path in paths:
        assert client.get(path).status_code == 404, path
    token = csrf_from(client.get("/gestion").text)
    for path in ("/gestion/commercants/boulangerie/cles", f"/gestion/commercants/demandes/{application_id}/accepter"):
        assert client.post(path, data={"csrf_token": token, "confirm": "1", "kind": "api"}).status_code == 404
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    assert client.get("/gestion/commercants/inconnu").status_code == 404
    assert client.get("/gestion/commercants/demandes/999999").status_code == 404


def test_an_administrator_marks_a_statement_received_per_organization(app, client, actors, shops):
    from datetime import date

    from donations.roundup.models import Settlement
    from tests.roundup.conftest import at, record, settle

    actors.organization("jardin")
    headers = shops.merchant("boulangerie", beneficiaries=None)
    shops.merchant("fleuriste", beneficiaries=[{"organization": "jardin", "share_basis_points": 10_000}])
    assert record(client, headers, "T-1", 1_260, 40, occurred_at=at(2026, 10, 5)).status_code == 201
    statement = settle(app, "boulangerie", date(2026, 10, 1))
    page_path = f"/gestion/commercants/boulangerie/releves/{statement}"
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    assert f'href="{page_path}"' in client.get("/gestion/commercants/boulangerie").text
    page = client.get(page_path).text
    assert "Association epicerie" in page and "RF" in page and "attendu" in page
    receive = f"{page_path}/epicerie/recu"
    client.post(receive, data={"csrf_token": csrf_from(page), "day": "2026-11-05"})  # not confirmed
    future = client.post(receive, data={"csrf_token": csrf_from(page), "day": "2099-01-01", "confirm": "1"},
                         follow_redirects=True)
    assert "Cette date n&#39;est pas possible" in future.text
    with app.app_context():
        assert db.session.get(Settlement, statement).status.value == "issued"
    done = client.post(receive, data={"csrf_token": csrf_from(page), "day": "2026-11-05", "confirm": "1"},
                       follow_redirects=True)
    assert "marqué reçu le 05/11/2026" in done.text and "reçu le 05/11/2026" in done.text
    with app.app_context():
        assert db.session.get(Settlement, statement).status.value == "paid"
    assert _log(app)[-1] == "statement.paid"
    # Another merchant's address for this statement, an unknown organization: 404.
    assert client.get(f"/gestion/commercants/fleuriste/releves/{statement}").status_code == 404
    assert client.post(f"{page_path}/jardin/recu", data={"csrf_token": csrf_from(page), "day": "2026-11-05",
                                                         "confirm": "1"}).status_code == 404
    client.post("/deconnexion", data={"csrf_token": csrf_from(page)})
    assert client.get(page_path).status_code == 302
