"""Offline gifts recorded by finance officers, company gifts, and monthly gifts by subscription."""
import re

import stripe
from sqlalchemy import select

from app.extensions import db

CHEQUE = {"campaign": "jardin-partage", "amount_cents": 4000, "payment_method": "cheque", "paid_on": "2026-03-02",
          "reference": "Chèque n° 0012345", "first_name": "Jean", "last_name": "Dupont",
          "address_line1": "3 rue Houdan", "postal_code": "92330", "city": "Sceaux"}
COMPANY = {"donor_type": "company", "company_name": "Boulangerie du Marché", "company_legal_form": "SARL",
           "company_siren": "732 829 320", "address_line1": "20 rue Houdan", "postal_code": "92330",
           "city": "Sceaux", "email": "contact@boulangerie.example"}


def test_finance_records_a_cheque_dated_when_received(giving, actors):
    slug = giving.campaign()
    finance = actors.user("finance", organization="asso-jardin")
    answer = giving.client.post("/api/v1/organizations/asso-jardin/offline-donations", json=CHEQUE, headers=finance)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "succeeded" and answer.json["paid_on"] == "2026-03-02"
    assert answer.json["payment_method"] == "cheque" and answer.json["payment_reference"] == "Chèque n° 0012345"
    campaign = giving.campaign_row(slug)
    assert campaign.offline_cents == 4000 and campaign.raised_cents == 4000


def test_offline_gifts_are_the_organizations_own(giving, actors):
    giving.campaign()
    actors.organization("autre-asso")
    stranger = actors.user("finance", organization="autre-asso")
    url = "/api/v1/organizations/asso-jardin/offline-donations"
    assert giving.client.post(url, json=CHEQUE, headers=stranger).status_code == 404
    # Nor can an officer book a gift to another organization's campaign through their own.
    own = giving.client.post("/api/v1/organizations/autre-asso/offline-donations", json=CHEQUE, headers=stranger)
    assert own.status_code == 422 and "campaign" in own.json["errors"]


def test_offline_gifts_are_cheque_cash_or_transfer(giving, actors):
    giving.campaign()
    finance = actors.user("finance", organization="asso-jardin")
    url = "/api/v1/organizations/asso-jardin/offline-donations"
    card = giving.client.post(url, json={**CHEQUE, "payment_method": "card"}, headers=finance)
    assert card.status_code == 422 and "payment_method" in card.json["errors"]
    undated = giving.client.post(url, json={k: v for k, v in CHEQUE.items() if k != "paid_on"}, headers=finance)
    assert undated.status_code == 422 and "paid_on" in undated.json["errors"]


def test_an_offline_gift_beyond_any_real_amount_or_date_is_refused_and_nothing_is_written(giving, actors, app):
    from donations.models import Donation

    slug = giving.campaign()
    finance = actors.user("finance", organization="asso-jardin")
    url = "/api/v1/organizations/asso-jardin/offline-donations"
    huge = giving.client.post(url, json={**CHEQUE, "amount_cents": 2_100_000_000}, headers=finance)  # 21 M€
    assert huge.status_code == 422 and "amount_cents" in huge.json["errors"]
    for day in ("9999-12-31", "2031-01-01", "2019-06-01"):  # the future, and before the dated tax rules
        dated = giving.client.post(url, json={**CHEQUE, "paid_on": day}, headers=finance)
        assert dated.status_code == 422 and "paid_on" in dated.json["errors"], (day, dated.json)
    with app.app_context():
        assert db.session.scalar(select(Donation.id)) is None
    assert giving.campaign_row(slug).raised_cents == 0


def test_a_company_gift_carries_the_company_and_counts_as_patronage(giving, actors):
    slug = giving.campaign()
    finance = actors.user("finance", organization="asso-jardin")
    transfer = {**CHEQUE, **COMPANY, "payment_method": "transfer", "amount_cents": 150000}
    answer = giving.client.post("/api/v1/organizations/asso-jardin/offline-donations", json=transfer, headers=finance)
    assert answer.status_code == 201, answer.json
    donation = giving.donation(answer.json["id"])
    assert (donation.company_name, donation.company_legal_form, donation.company_siren) == \
        ("Boulangerie du Marché", "SARL", "732829320")
    assert giving.campaign_row(slug).company_cents == 150000

    online = giving.give(slug, amount_cents=30000, **COMPANY)
    giving.reconcile()
    assert giving.donation(online["id"]).donor_type.value == "company"
    assert giving.campaign_row(slug).company_cents == 180000
    bad_siren = giving.start(slug, **{**COMPANY, "company_siren": "732829321"})
    assert bad_siren.status_code == 422 and "company_siren" in bad_siren.json["errors"]


def test_a_monthly_gift_first_and_second_invoice(giving, deliver, localstripe, app):
    from donations.models import Donation

    slug = giving.campaign()
    started = giving.give(slug, amount_cents=1500, monthly=True)
    first = giving.donation(started["id"])
    assert first.stripe_subscription_id and first.stripe_invoice_id
    assert deliver("invoice.payment_succeeded", {"id": first.stripe_invoice_id, "object": "invoice"}).json["outcome"] \
        == "succeeded"
    assert giving.donation(started["id"]).status.value == "succeeded"

    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    on_account = giving.on_account(started["id"])
    second_invoice = client.v1.invoices.create(params={"customer": first.stripe_customer_id,
                                                       "subscription": first.stripe_subscription_id},
                                               options=on_account)
    client.v1.invoices.pay(second_invoice.id, options=on_account)
    obj = {"id": second_invoice.id, "object": "invoice"}
    # The second month is known only to the organization's account: its event says which one.
    assert deliver("invoice.payment_succeeded", obj, account=first.stripe_account_id).json["outcome"] == "succeeded"
    assert deliver("invoice.payment_succeeded", obj, account=first.stripe_account_id).json["outcome"] \
        == "unchanged"  # a second delivery
    with app.app_context():
        months = db.session.scalars(select(Donation).order_by(Donation.id)).all()
        assert [(m.amount_cents, m.status.value, m.recurring_of_id) for m in months] == \
            [(1500, "succeeded", None), (1500, "succeeded", first.id)]
    campaign = giving.campaign_row(slug)
    assert campaign.raised_cents == 3000 and campaign.donor_count == 1


def test_the_donor_stops_the_monthly_gift_through_the_signed_link(giving, deliver, localstripe):
    slug = giving.campaign()
    started = giving.give(slug, amount_cents=1500, monthly=True)
    giving.reconcile()
    thanks = giving.client.get(started["thanks_url"])
    assert thanks.status_code == 200
    link = re.search(r'href="(/dons/[^"]+/mensuel)"', thanks.text).group(1)
    page = giving.client.get(link)
    assert "Arrêter mon don mensuel" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    stopped = giving.client.post(link, data={"csrf_token": csrf})
    assert stopped.status_code == 200 and "est arrêté" in stopped.text
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    subscription = client.v1.subscriptions.retrieve(giving.donation(started["id"]).stripe_subscription_id,
                                                    options=giving.on_account(started["id"]))
    assert subscription.status == "canceled"
    assert giving.client.get(link.replace("/dons/", "/dons/x")).status_code == 404


def test_the_thank_you_email_is_written_once_to_the_outbox(giving, app, deliver):
    import os

    outbox = app.config["OUTBOX_DIR"]
    before = set(os.listdir(outbox)) if os.path.isdir(outbox) else set()
    slug = giving.campaign()
    started = giving.give(slug, email="merci@example.org")
    giving.reconcile()
    obj = {"id": giving.donation(started["id"]).stripe_payment_intent_id, "object": "payment_intent"}
    deliver("payment_intent.succeeded", obj)
    new = [name for name in os.listdir(outbox) if name not in before]
    mails = [open(os.path.join(outbox, name), encoding="utf-8").read() for name in new]
    mine = [mail for mail in mails if "merci@example.org" in mail]
    assert len(mine) == 1
    assert "25,00" in mine[0] and "Projet jardin-partage" in mine[0]


def test_an_offline_gift_key_replayed_with_another_body_is_a_conflict(giving, actors, app):
    from donations.models import Donation

    giving.campaign()
    finance = {**actors.user("finance", organization="asso-jardin"), "Idempotency-Key": "cheque-0012345"}
    url = "/api/v1/organizations/asso-jardin/offline-donations"
    first = giving.client.post(url, json=CHEQUE, headers=finance)
    again = giving.client.post(url, json=CHEQUE, headers=finance)
    assert first.status_code == 201 and again.status_code in (200, 201) and again.json["id"] == first.json["id"]
    other = giving.client.post(url, json={**CHEQUE, "amount_cents": 40000}, headers=finance)
    assert other.status_code == 409 and "Idempotency-Key" in other.json["errors"]
    with app.app_context():
        assert len(db.session.scalars(select(Donation)).all()) == 1
