"""The functions the donations and round-up packages call: one short story each."""
from datetime import timedelta

import pytest
from markupsafe import Markup

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.types import utcnow
from campaigns import services, signals
from campaigns.models import CampaignStatus, Contribution, ContributionSource, FundingModel, MatchPledge, RewardTier


def test_campaigns_are_found_by_slug_and_id(app, build):
    campaign_id = build.campaign(slug="potager-blagis")
    with app.app_context():
        assert services.get_campaign("potager-blagis").id == campaign_id
        assert services.get_campaign_by_id(campaign_id).slug == "potager-blagis"
        with pytest.raises(NotFound):
            services.get_campaign("nulle-part")
        with pytest.raises(NotFound):
            services.get_campaign_by_id(campaign_id + 100)


def test_a_live_campaign_accepts_gifts_from_its_minimum(app, build):
    live = build.campaign(min_gift_cents=500)
    draft = build.campaign(publish=False)
    future = build.campaign(starts_at=utcnow() + timedelta(days=2), ends_at=utcnow() + timedelta(days=9))
    with app.app_context():
        services.ensure_accepting_gifts(services.get_campaign_by_id(live), 500)
        with pytest.raises(InvalidInput) as low:
            services.ensure_accepting_gifts(services.get_campaign_by_id(live), 499)
        assert low.value.field == "amount_cents"
        with pytest.raises(Conflict):
            services.ensure_accepting_gifts(services.get_campaign_by_id(draft), 1000)
        with pytest.raises(Conflict, match="not started"):
            services.ensure_accepting_gifts(services.get_campaign_by_id(future), 1000)
        with pytest.raises(Conflict, match="ended"):
            services.ensure_accepting_gifts(services.get_campaign_by_id(live), 1000, now=utcnow() + timedelta(days=31))


def test_claiming_a_tier_stops_at_its_limit_and_release_gives_one_back(app, build):
    campaign_id = build.campaign(tiers=[{"title": "Un pot de miel", "min_amount_cents": 2000, "quantity_limit": 2,
                                         "fair_value_cents": 500}])
    with app.app_context():
        tier_id = services.get_campaign_by_id(campaign_id).tiers[0].id
        with pytest.raises(InvalidInput):
            services.claim_tier(tier_id, 1999)
        assert services.claim_tier(tier_id, 2000).claimed_count == 1
        assert services.claim_tier(tier_id, 5000).claimed_count == 2
        with pytest.raises(Conflict, match="sold out") as sold_out:
            services.claim_tier(tier_id, 5000)
        assert sold_out.value.field == "reward_tier_id"
        assert services.release_tier(tier_id).claimed_count == 1
        assert services.claim_tier(tier_id, 2000).remaining == 0
        db.session.commit()
        assert db.session.get(RewardTier, tier_id).claimed_count == 2


def test_contributions_move_totals_and_count_each_donor_once(app, build):
    campaign_id = build.campaign()
    with app.app_context():
        services.add_contribution(campaign_id, "online", 2500, donor_key="alice", donation_id=1)
        services.add_contribution(campaign_id, "online", 1000, donor_key="alice", donation_id=2)
        services.add_contribution(campaign_id, ContributionSource.offline, 5000, donor_key="bob", donation_id=3)
        services.add_contribution(campaign_id, "roundup", 730, reference="settlement-2026-10-boulangerie")
        again = services.add_contribution(campaign_id, "online", 2500, donor_key="alice", donation_id=1)
        db.session.commit()
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.online_cents, campaign.offline_cents, campaign.roundup_cents) == (3500, 5000, 730)
        assert campaign.raised_cents == 9230
        assert campaign.donor_count == 2
        assert again.amount_cents == 2500
        assert db.session.query(Contribution).count() == 4


def test_a_refund_takes_back_the_gift_and_its_match(app, build):
    campaign_id = build.campaign()
    partner_id = build.partner_id("la-poste")
    build.pledge(campaign_id, partner_id, total_cap_cents=100_000)
    with app.app_context():
        services.add_contribution(campaign_id, "online", 4000, donor_key="alice", donation_id=7)
        matches = services.match_gift(campaign_id, 7, 4000, donor_key="alice")
        assert [m.amount_cents for m in matches] == [4000]
        db.session.commit()
        services.reverse_donation_contributions(7, 1000)  # partial refund: 30 € left, matched 30 €
        db.session.commit()
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.online_cents, campaign.match_cents, campaign.donor_count) == (3000, 3000, 1)
        services.reverse_donation_contributions(7)
        db.session.commit()
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.raised_cents, campaign.donor_count) == (0, 0)
        assert db.session.scalars(db.select(MatchPledge)).one().matched_cents == 0


def test_due_campaigns_end_with_their_signal(app, build):
    reached = build.campaign(goal_cents=1000, funding_model="all_or_nothing")
    short = build.campaign(goal_cents=100_000, funding_model="all_or_nothing")
    seen = []
    with app.app_context():
        services.add_contribution(reached, "online", 1500, donation_id=1)
        services.add_contribution(short, "online", 1500, donation_id=2)
        db.session.commit()
        with signals.campaign_succeeded.connected_to(lambda c: seen.append(("succeeded", c.id))), \
                signals.campaign_failed.connected_to(lambda c: seen.append(("failed", c.id))):
            assert services.close_due_campaigns() == []
            ended = services.close_due_campaigns(now=utcnow() + timedelta(days=31))
            db.session.commit()
        assert sorted(seen) == sorted([("succeeded", reached), ("failed", short)])
        assert {c.id: c.status for c in ended} == {reached: CampaignStatus.succeeded, short: CampaignStatus.failed}
        assert services.get_campaign_by_id(short).funding_model is FundingModel.all_or_nothing


def test_the_donation_form_slot_is_filled_by_a_higher_package(app, build, client):
    build.campaign(slug="potager-blagis")
    app.extensions.get("campaigns.slots", {}).pop("donation_form", None)  # as if donations were absent
    assert "ouvrira très bientôt" in client.get("/campagnes/potager-blagis").get_data(as_text=True)
    from campaigns.pages import register_slot

    register_slot(app, "donation_form", lambda campaign: Markup(f'<form id="don-{campaign.slug}"></form>'))
    assert '<form id="don-potager-blagis"></form>' in client.get("/campagnes/potager-blagis").get_data(as_text=True)
