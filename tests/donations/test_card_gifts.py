"""A donor gives by card: the gift waits for Stripe's word, from a real webhook or reconciliation."""
import pytest
import stripe


def test_gift_succeeds_through_a_real_webhook_delivery(giving, served):
    slug = giving.campaign()
    started = giving.give(slug)
    assert giving.donation(started["id"]).status.value == "pending"  # not before Stripe's word

    donation = giving.wait_for(lambda: (d := giving.donation(started["id"])).status.value == "succeeded" and d)
    assert donation, "localstripe's webhook did not settle the gift"
    assert donation.paid_on is not None and donation.stripe_charge_id
    campaign = giving.campaign_row(slug)
    assert campaign.raised_cents == 2500 and campaign.online_cents == 2500 and campaign.donor_count == 1


def test_reconciliation_recovers_a_gift_whose_webhook_was_lost(giving):
    slug = giving.campaign()
    started = giving.give(slug)  # no server listens: the webhook is lost
    assert giving.donation(started["id"]).status.value == "pending"
    outcomes = giving.reconcile()
    assert outcomes.get("succeeded") == 1
    assert giving.donation(started["id"]).status.value == "succeeded"
    assert giving.campaign_row(slug).raised_cents == 2500
    assert giving.reconcile().get("succeeded") is None  # nothing left pending, nothing counted twice
    assert giving.campaign_row(slug).raised_cents == 2500


def test_the_donor_reads_the_gift_with_the_signed_token_only(giving, client, actors):
    slug = giving.campaign()
    started = giving.give(slug)
    giving.reconcile()
    mine = client.get(f"/api/v1/donations/{started['id']}?token={started['token']}")
    assert mine.status_code == 200 and mine.json["status"] == "succeeded" and mine.json["amount_cents"] == 2500
    assert client.get(f"/api/v1/donations/{started['id']}?token=forged").status_code == 404
    assert client.get(f"/api/v1/donations/{started['id']}").status_code == 404
    finance = actors.user("finance", organization="asso-jardin")
    assert client.get(f"/api/v1/donations/{started['id']}", headers=finance).json["email"] == "camille@example.org"
    actors.organization("autre-asso")
    stranger = actors.user("finance", organization="autre-asso")
    assert client.get(f"/api/v1/donations/{started['id']}", headers=stranger).status_code == 404


def test_a_declined_card_fails_the_gift_and_frees_the_reward(giving, app):
    slug = giving.campaign(tiers=[{"title": "Sachet de graines", "min_amount_cents": 2000, "quantity_limit": 1,
                                   "fair_value_cents": 300}])
    from campaigns.models import RewardTier
    from app.extensions import db
    from sqlalchemy import select

    with app.app_context():
        tier_id = db.session.scalar(select(RewardTier.id))
    started = giving.start(slug, reward_tier_id=tier_id)
    assert started.status_code == 201
    with app.app_context():
        assert db.session.get(RewardTier, tier_id).claimed_count == 1
    method = giving.save_card(started.json, "pm_card_chargeCustomerFail")
    confirmed = giving.client.post(f"/api/v1/donations/{started.json['id']}/confirm",
                                   json={"token": started.json["token"], "payment_method": method})
    assert confirmed.status_code == 200 and confirmed.json["status"] == "failed"
    # The donor reads why in French, not Stripe's English.
    assert confirmed.json["failure_reason"].startswith("Votre carte a été refusée")
    donation = giving.donation(started.json["id"])
    assert donation.status.value == "failed" and donation.tier_fair_value_cents == 300
    with app.app_context():
        assert db.session.get(RewardTier, tier_id).claimed_count == 0
    assert giving.campaign_row(slug).raised_cents == 0


@pytest.mark.parametrize("change, field", [
    ({"amount_cents": 50}, "amount_cents"),  # under the campaign's minimum gift
    ({"amount_cents": 6_000_000}, "amount_cents"),  # over MAX_GIFT_CENTS
    ({"amount_cents": 12.5}, "amount_cents"),
    ({"last_name": ""}, "last_name"),  # a receipt needs the donor's name
    ({"postal_code": ""}, "postal_code"),
    ({"donor_type": "company", "company_name": "Boulangerie"}, "company_siren"),
    ({"email": "pas-une-adresse"}, "email"),
])
def test_bad_gifts_are_refused_by_field_and_write_nothing(giving, app, change, field):
    from app.extensions import db
    from donations.models import Donation
    from sqlalchemy import func, select

    slug = giving.campaign()
    answer = giving.start(slug, **change)
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Donation.id))) == 0


def test_no_receipt_wanted_needs_no_address(giving):
    slug = giving.campaign()
    answer = giving.start(slug, receipt_choice="none", address_line1="", postal_code="", city="", last_name="")
    assert answer.status_code == 201, answer.json


def test_a_campaign_not_live_takes_no_gift(giving, app):
    from campaigns import services
    from app.extensions import db

    slug = giving.campaign()
    with app.app_context():
        services.cancel_campaign(services.get_campaign(slug))
        db.session.commit()
    answer = giving.start(slug)
    assert answer.status_code == 409
    assert "campaign" in answer.json["errors"]


def test_same_idempotency_key_returns_the_same_gift(giving, app, localstripe):
    slug = giving.campaign()
    first = giving.start(slug, key="retry-1")
    again = giving.start(slug, key="retry-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["id"] == first.json["id"]
    assert again.json["client_secret"] == first.json["client_secret"]
    other = giving.start(slug, key="retry-2")
    assert other.json["id"] != first.json["id"]


def test_confirming_twice_charges_once(giving, localstripe):
    slug = giving.campaign()
    started = giving.give(slug)
    again = giving.client.post(f"/api/v1/donations/{started['id']}/confirm", json={"token": started["token"]})
    assert again.status_code == 200
    donation = giving.donation(started["id"])
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe})
    charges = client.v1.charges.list(params={"customer": donation.stripe_customer_id},
                                     options=giving.on_account(started["id"])).data
    assert len(charges) == 1 and charges[0].amount == 2500


def test_the_thank_you_page_says_when_the_receipt_will_come(giving):
    keep = giving.campaign(slug="potager")
    all_or_nothing = giving.campaign(slug="fresque", funding_model="all_or_nothing")
    for slug, choice, expected in [
        (keep, "per_gift", "dès qu'il sera émis"),
        (keep, "annual", "reçu fiscal annuel"),
        (all_or_nothing, "per_gift", "si la campagne atteint son objectif, à sa clôture le"),
    ]:
        started = giving.give(slug, receipt_choice=choice)
        giving.reconcile()
        page = giving.client.get(f"/dons/{started['token']}/merci").get_data(as_text=True)
        assert "votre don est confirmé" in page and expected in page, (slug, choice)
