"""/gestion/partenaires: administrators create and edit partners, invite their staff, record their
pledges, grants and the payments received from them."""
from sqlalchemy import select

from app.audit import AdminAction
from app.auth.models import User
from app.extensions import db
from app.formatting import local_today
from campaigns import services
from campaigns.models import MatchPledge, PartnerPayment
from tests.support import csrf_from, sign_in_as_latest


def test_partner_pages_are_for_administrators_only(app, client, actors):
    slug = actors.partner()
    actors.user("partner", partner=slug)
    gets = ["/gestion/partenaires", "/gestion/partenaires/nouveau", f"/gestion/partenaires/{slug}",
            f"/gestion/partenaires/{slug}/financements"]
    posts = [f"/gestion/partenaires/{slug}/equipe", f"/gestion/partenaires/{slug}/financements/engagements",
             f"/gestion/partenaires/{slug}/financements/subventions",
             f"/gestion/partenaires/{slug}/financements/paiements",
             f"/gestion/partenaires/{slug}/financements/engagements/1/suspendre"]
    for path in gets:
        assert client.get(path).headers["Location"].startswith("/connexion?next="), path
    for path in posts:
        assert client.post(path).headers["Location"].startswith("/connexion?next="), path
    sign_in_as_latest(client, app, "partner")  # the partner's own user: not an administrator
    token = csrf_from(client.get("/gestion").text)
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path in posts:
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path


def test_an_administrator_creates_a_partner_and_invites_its_user(app, client, actors):
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    form = client.get("/gestion/partenaires/nouveau")
    token = csrf_from(form.text)
    no_siren = client.post("/gestion/partenaires/nouveau", data={"name": "Banque du Coin", "kind": "company",
                                                                 "csrf_token": token})
    assert no_siren.status_code == 400 and "Une entreprise mécène a un SIREN" in no_siren.text
    created = client.post("/gestion/partenaires/nouveau", data={
        "name": "Banque du Coin", "kind": "company", "siren": "552 120 222", "city": "Sceaux",
        "csrf_token": token}, follow_redirects=True)
    assert "Le partenaire Banque du Coin est créé." in created.text
    edited = client.post("/gestion/partenaires/banque-du-coin", data={
        "name": "Banque du Coin SA", "siren": "552120222", "postal_code": "9233", "csrf_token": token})
    assert edited.status_code == 400 and "Le code postal compte 5 chiffres." in edited.text
    client.post("/gestion/partenaires/banque-du-coin", data={
        "name": "Banque du Coin SA", "siren": "552120222", "legal_form": "SA", "csrf_token": token})
    invited = client.post("/gestion/partenaires/banque-du-coin/equipe", data={
        "invite-email": "mecenat@banque.example", "invite-csrf_token": token}, follow_redirects=True)
    assert "Invitation envoyée à mecenat@banque.example." in invited.text
    with app.app_context():
        partner = services.get_partner("banque-du-coin")
        assert (partner.name, partner.legal_form, partner.siren) == ("Banque du Coin SA", "SA", "552120222")
        user = db.session.scalar(select(User).where(User.email == "mecenat@banque.example"))
        assert user.role.value == "partner" and user.partner_id == partner.id
        assert db.session.scalars(select(AdminAction.action).order_by(AdminAction.id)).all() == [
            "partner.create", "partner.update", "user.invite"]


def test_pledge_grant_and_payment_through_the_partner_money_page(app, client, actors, money):
    organization = actors.organization()
    partner = actors.partner("banque")
    campaign = money.campaign(organization)
    actors.admin()
    sign_in_as_latest(client, app, "admin")
    page = client.get(f"/gestion/partenaires/{partner}/financements")
    assert "Le partenaire ne doit rien pour l'instant." in page.text
    token = csrf_from(page.text)
    base = f"/gestion/partenaires/{partner}/financements"

    bad = client.post(f"{base}/engagements", data={"pledge-csrf_token": token, "pledge-campaign": campaign,
                                                   "pledge-ratio_numerator": "1", "pledge-ratio_denominator": "1",
                                                   "pledge-total_cap": "12,345"})
    assert bad.status_code == 400 and "Au plus deux chiffres après la virgule." in bad.text
    done = client.post(f"{base}/engagements", data={
        "pledge-csrf_token": token, "pledge-campaign": campaign, "pledge-ratio_numerator": "1",
        "pledge-ratio_denominator": "1", "pledge-total_cap": "1 000", "pledge-per_gift_cap": "50"},
        follow_redirects=True)
    assert "Engagement enregistré" in done.text
    with app.app_context():
        pledge = db.session.scalar(select(MatchPledge))
        assert (pledge.total_cap_cents, pledge.per_gift_cap_cents) == (100_000, 5_000)

    money.gift(campaign, 3_000)  # matched 30 €
    money.gift(campaign, 8_000)  # matched 50 € (the per-gift cap)
    grant = {"grant-csrf_token": token, "grant-campaign": campaign, "grant-amount": "200",
             "grant-reference": "CONV-1"}
    asked = client.post(f"{base}/subventions", data=grant)
    assert "Enregistrer une subvention de 200,00\xa0€ de Partenaire banque" in asked.text
    assert "280,00\xa0€ dus" not in asked.text and "80,00\xa0€ dus" in asked.text  # not counted before confirming
    client.post(f"{base}/subventions", data={**grant, "confirm": "1"})
    page = client.get(base)
    assert "80,00" in page.text and "920,00" in page.text  # matched, left of the cap
    assert "280,00\xa0€ dus" in page.text  # what the payment form offers to settle

    with app.app_context():
        today = local_today().isoformat()
    too_much = client.post(f"{base}/paiements", data={
        "payment-csrf_token": token, "payment-campaign": campaign, "payment-amount": "300",
        "payment-received_on": today, "payment-method": "transfer",
        "payment-reference": "VIR-1"})
    assert too_much.status_code == 400 and "Ce montant dépasse ce que le partenaire doit" in too_much.text
    payment = {"payment-csrf_token": token, "payment-campaign": campaign, "payment-amount": "250",
               "payment-received_on": today, "payment-method": "transfer", "payment-reference": "VIR-1"}
    asked = client.post(f"{base}/paiements", data=payment)
    assert asked.status_code == 200 and "Enregistrer ce paiement ? 250,00" in asked.text
    assert "par virement (référence VIR-1)" in asked.text
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PartnerPayment.id))) == 0  # nothing until confirmed
    paid = client.post(f"{base}/paiements", data={**payment, "confirm": "1"}, follow_redirects=True)
    assert "Paiement de 250,00" in paid.text
    assert "30,00\xa0€ dus" in paid.text
    again = client.post(f"{base}/paiements", data={
        "payment-csrf_token": token, "payment-campaign": campaign, "payment-amount": "30",
        "payment-received_on": today, "payment-method": "cheque",
        "payment-reference": "VIR-1"})
    assert again.status_code == 400 and "Cette référence a déjà servi" in again.text

    client.post(f"{base}/engagements/{pledge.id}/suspendre", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(MatchPledge, pledge.id).active is False
        assert db.session.scalar(select(db.func.count(PartnerPayment.id))) == 1
        assert db.session.scalars(select(AdminAction.action).order_by(AdminAction.id)).all() == [
            "pledge.create", "grant.record", "partner.payment", "pledge.pause"]
    other = actors.partner("autre")
    assert client.post(f"/gestion/partenaires/{other}/financements/engagements/{pledge.id}/reprendre",
                       data={"csrf_token": token}).status_code == 404
