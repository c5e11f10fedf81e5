"""A shop applies from /devenir-commercant: French messages beside each field, nothing half-saved."""
import re

from sqlalchemy import func, select

from app.extensions import db
from tests.roundup.conftest import VALID_SIRET
from tests.support import csrf_from


def tag(page, name):
    """The <input> tag of the field `name` in a page's HTML."""
    return re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page).group(0)


def _ids(app):
    from campaigns.models import Organization

    with app.app_context():
        return {row.slug: row.id for row in db.session.scalars(select(Organization))}


def application_form(client, ids, **overrides):
    data = {
        "csrf_token": csrf_from(client.get("/devenir-commercant").text),
        "name": "Boulangerie des Blagis", "siret": "732 829 320 00074", "address_line1": "12 rue des Blagis",
        "postal_code": "92330", "city": "Sceaux", "contact_name": "Claire Martin",
        "contact_email": "Claire@boulangerie.example", "contact_phone": "01 46 60 00 00",
        "rounding_step_cents": "100", "top_up_100": "y", "max_roundup": "2",
        f"part-o-{ids['epicerie']}": "60", f"part-o-{ids['jardin']}": "40", "charter": "y",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _count(app):
    from donations.roundup.applications import (
        ApplicationBeneficiary,
        MerchantApplication,
    )

    with app.app_context():
        return (db.session.scalar(select(func.count(MerchantApplication.id))),
                db.session.scalar(select(func.count(ApplicationBeneficiary.id))))


def test_a_shop_applies_with_its_rule_shares_and_the_charter_it_accepted(app, client, actors):
    from donations.roundup.applications import ApplicationStatus, MerchantApplication

    actors.organization("epicerie")
    actors.organization("jardin")
    home = client.get("/").text
    assert 'href="/devenir-commercant"' in home
    form = client.get("/devenir-commercant").text
    assert "Association epicerie — part en %" in form and "proposer l&#39;arrondi à ses clients" in form

    sent = client.post("/devenir-commercant", data=application_form(client, _ids(app)))
    assert sent.status_code == 302 and sent.headers["Location"] == "/devenir-commercant/merci"
    assert "votre demande est envoyée" in client.get("/devenir-commercant/merci").text
    with app.app_context():
        application = db.session.scalar(select(MerchantApplication))
        assert application.status is ApplicationStatus.pending
        assert (application.siret, application.contact_email) == (VALID_SIRET, "claire@boulangerie.example")
        assert (application.rounding_step_cents, application.top_ups_cents, application.max_roundup_cents) == (
            100, [100], 200)
        assert sorted((row.organization.slug, row.share_basis_points) for row in application.beneficiaries) == [
            ("epicerie", 6_000), ("jardin", 4_000)]
        assert application.charter_text == app.config["MERCHANT_CHARTER"]

    again = client.post("/devenir-commercant", data=application_form(client, _ids(app)))
    assert again.status_code == 400
    assert "Une demande pour ce numéro SIRET attend déjà la réponse de la Ville." in again.text
    assert _count(app) == (1, 2)


def test_each_mistake_is_said_in_french_beside_its_field_and_nothing_is_saved(app, client, actors):
    actors.organization("epicerie")
    actors.organization("jardin")
    ids = _ids(app)
    answer = client.post("/devenir-commercant", data=application_form(
        client, ids, siret="732 829 320 00075", contact_phone="12", charter=None, postal_code="9233",
        **{f"part-o-{ids['jardin']}": "30"}))
    assert answer.status_code == 400
    page = answer.text
    assert 'aria-describedby="siret-aide siret-erreur"' in tag(page, "siret")
    assert 'aria-invalid="true"' in tag(page, "siret") and 'aria-invalid="true"' in tag(page, "contact_phone")
    assert "Ce numéro SIRET n&#39;est pas valide" in page
    assert "Un numéro français à 10 chiffres" in page and "Un code postal a 5 chiffres." in page
    assert "Acceptez la charte pour envoyer la demande." in page
    assert "Les parts font 90 % au total : elles doivent faire 100 %." in page
    assert 'aria-describedby="beneficiaires-erreur"' in tag(page, f"part-o-{ids['jardin']}")
    assert 'aria-invalid' not in tag(page, "name")
    # What was typed stays in the form.
    assert 'value="Boulangerie des Blagis"' in page and 'value="30"' in page
    assert _count(app) == (0, 0)

    bad_share = client.post("/devenir-commercant", data=application_form(
        client, ids, **{f"part-o-{ids['jardin']}": "quarante"}))
    assert "Un pourcentage, par exemple 50 ou 33,33." in bad_share.text
    assert _count(app) == (0, 0)


def test_only_the_territorys_live_beneficiaries_are_offered_and_accepted(app, client, actors, shops):
    from donations.roundup.applications import MerchantApplication
    from donations.roundup.services.applications import live_beneficiaries

    actors.organization("epicerie")
    open_campaign = shops.campaign("epicerie")
    with app.app_context():
        _, campaigns = live_beneficiaries()
        assert [c.slug for c in campaigns] == [open_campaign]
        campaign_id = campaigns[0].id
    assert f'name="part-c-{campaign_id}"' in client.get("/devenir-commercant").text
    # A share for something that is not offered (an unknown id) is not saved.
    epicerie = _ids(app)["epicerie"]
    forged = client.post("/devenir-commercant", data={
        **application_form(client, {"epicerie": epicerie, "jardin": 999_999}), f"part-o-{epicerie}": "100"})
    assert forged.status_code == 302  # the unknown field is ignored: the offered share makes 100 %
    with app.app_context():
        application = db.session.scalar(select(MerchantApplication))
        assert [row.organization_id for row in application.beneficiaries] == [epicerie]


def test_the_application_form_is_rate_limited_per_address(app, base_config, actors):
    from app import create_app

    actors.organization("epicerie")
    actors.organization("jardin")
    limited = create_app({**base_config, "RATELIMIT_ENABLED": True, "RATELIMIT_MERCHANT_APPLICATION": "2 per minute"})
    client = limited.test_client()
    wrong = application_form(client, _ids(app), siret="1")
    assert [client.post("/devenir-commercant", data=wrong).status_code for _ in range(2)] == [400, 400]
    refused = client.post("/devenir-commercant", data=wrong)
    assert refused.status_code == 429 and "Trop de tentatives" in refused.text
    assert client.get("/devenir-commercant").status_code == 200  # the page itself is not limited
