"""Many gifts at once, on PostgreSQL and on SQLite (whose writing transactions begin IMMEDIATE):
rewards never oversell, pledges never exceed their cap, totals lose no update, and a retried gift
counts once."""

from app.errors import Conflict
from app.extensions import db
from campaigns import services
from campaigns.models import Contribution, MatchPledge, RewardTier
from tests.support import run_concurrently

WORKERS = 12


def at_once(app, work):
    """Run `work(index)` in WORKERS threads released together, each in its own transaction; an
    exception is returned in its place, since the outcome is what the test checks."""
    def in_transaction(index):
        with app.app_context():
            try:
                outcome = work(index)
                db.session.commit()
                return outcome
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return run_concurrently(in_transaction, WORKERS, return_exceptions=True)


def test_the_last_rewards_go_to_exactly_as_many_gifts(app, build):
    campaign_id = build.campaign(tiers=[{"title": "Visite", "min_amount_cents": 1000, "quantity_limit": 5}])
    with app.app_context():
        tier_id = services.get_campaign_by_id(campaign_id).tiers[0].id
    outcomes = at_once(app, lambda i: services.claim_tier(tier_id, 1000).id)
    assert sum(1 for o in outcomes if o == tier_id) == 5
    assert all(isinstance(o, Conflict) and o.field == "reward_tier_id" for o in outcomes if o != tier_id)
    with app.app_context():
        assert db.session.get(RewardTier, tier_id).claimed_count == 5


def test_concurrent_gifts_never_push_a_pledge_past_its_cap(app, build):
    campaign_id = build.campaign()
    pledge_id = build.pledge(campaign_id, build.partner_id("la-poste"), total_cap_cents=10_000)

    def give(index):
        services.add_contribution(campaign_id, "online", 1500, donor_key=f"d{index}", donation_id=index + 1)
        return sum(m.amount_cents for m in services.match_gift(campaign_id, index + 1, 1500, donor_key=f"d{index}"))

    outcomes = at_once(app, give)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(outcomes) == 10_000
    with app.app_context():
        assert db.session.get(MatchPledge, pledge_id).matched_cents == 10_000
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.online_cents, campaign.match_cents) == (1500 * WORKERS, 10_000)
        assert campaign.donor_count == WORKERS


def test_concurrent_retries_of_one_gift_count_it_once(app, build):
    campaign_id = build.campaign()
    outcomes = at_once(app, lambda i: services.add_contribution(campaign_id, "online", 2500, donor_key="alice",
                                                               donation_id=42).id)
    assert len(set(outcomes)) == 1, outcomes
    with app.app_context():
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.raised_cents, campaign.donor_count) == (2500, 1)
        assert db.session.query(Contribution).count() == 1


def test_concurrent_refunds_of_one_gift_reverse_it_once(app, build):
    campaign_id = build.campaign()
    with app.app_context():
        services.add_contribution(campaign_id, "online", 2500, donation_id=7)
        db.session.commit()
    at_once(app, lambda i: services.reverse_donation_contributions(7, 1000))
    with app.app_context():
        contribution = db.session.scalars(db.select(Contribution)).one()
        assert contribution.reversed_cents == 2000  # two refunds of 10 € fit, the others are refused
        assert services.get_campaign_by_id(campaign_id).raised_cents == 500
