"""Match pledges: a partner matches citizens' gifts at a ratio, within every cap."""
import pytest

from app.errors import Conflict, InvalidInput
from app.extensions import db
from campaigns import services
from campaigns.models import MatchPledge


@pytest.fixture
def campaign_and_partner(build):
    return build.campaign(goal_cents=1_000_000), build.partner_id("la-poste")


def gift(campaign_id, donation_id, cents, donor="alice"):
    services.add_contribution(campaign_id, "online", cents, donor_key=donor, donation_id=donation_id)
    return [m.amount_cents for m in services.match_gift(campaign_id, donation_id, cents, donor_key=donor)]


def test_one_euro_per_euro(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    build.pledge(campaign_id, partner_id, total_cap_cents=100_000)
    with app.app_context():
        assert gift(campaign_id, 1, 2500) == [2500]
        db.session.commit()
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.online_cents, campaign.match_cents, campaign.raised_cents) == (2500, 2500, 5000)


def test_ratio_rounds_down_to_the_cent(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    build.pledge(campaign_id, partner_id, total_cap_cents=100_000, ratio_numerator=1, ratio_denominator=2)
    with app.app_context():
        assert gift(campaign_id, 1, 1001) == [500]


def test_cap_per_gift(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    build.pledge(campaign_id, partner_id, total_cap_cents=100_000, per_gift_cap_cents=5000)
    with app.app_context():
        assert gift(campaign_id, 1, 20_000) == [5000]
        assert gift(campaign_id, 2, 3000, donor="bob") == [3000]


def test_total_cap_gives_only_what_is_left_then_nothing(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    pledge_id = build.pledge(campaign_id, partner_id, total_cap_cents=10_000)
    with app.app_context():
        assert gift(campaign_id, 1, 6000) == [6000]
        assert gift(campaign_id, 2, 6000, donor="bob") == [4000]
        assert gift(campaign_id, 3, 6000, donor="carol") == []
        db.session.commit()
        pledge = db.session.get(MatchPledge, pledge_id)
        assert (pledge.matched_cents, pledge.matched_gift_count, pledge.remaining_cents) == (10_000, 2, 0)
        # a refund frees the cap for the next gift
        services.reverse_donation_contributions(1)
        assert gift(campaign_id, 4, 2000, donor="dan") == [2000]
        db.session.commit()
        assert db.session.get(MatchPledge, pledge_id).matched_cents == 6000


def test_limit_of_matched_gifts_per_donor(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    build.pledge(campaign_id, partner_id, total_cap_cents=100_000, max_gifts_per_donor=2)
    with app.app_context():
        assert gift(campaign_id, 1, 1000) == [1000]
        assert gift(campaign_id, 2, 1000) == [1000]
        assert gift(campaign_id, 3, 1000) == []
        assert gift(campaign_id, 4, 1000, donor="bob") == [1000]
        services.add_contribution(campaign_id, "online", 1000, donation_id=5)
        assert services.match_gift(campaign_id, 5, 1000, donor_key=None) == []  # unknown donor: limit unknowable
        services.reverse_donation_contributions(2)  # a refunded gift no longer counts against the limit
        assert gift(campaign_id, 6, 1000) == [1000]


def test_several_pledges_each_match_and_inactive_ones_do_not(app, build, campaign_and_partner):
    campaign_id, poste = campaign_and_partner
    banque = build.partner_id("banque")
    build.pledge(campaign_id, poste, total_cap_cents=100_000)
    build.pledge(campaign_id, banque, total_cap_cents=100_000, ratio_numerator=1, ratio_denominator=4)
    off = build.pledge(campaign_id, banque, total_cap_cents=100_000)
    with app.app_context():
        db.session.get(MatchPledge, off).active = False
        db.session.commit()
        assert gift(campaign_id, 1, 4000) == [4000, 1000]
        db.session.commit()
        shares = {e["partner"].slug: e["matched_cents"] for e in services.partner_shares(services.get_campaign_by_id(campaign_id))}
        assert shares == {"la-poste": 4000, "banque": 1000}


def test_matching_twice_the_same_gift_matches_once(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    pledge_id = build.pledge(campaign_id, partner_id, total_cap_cents=100_000)
    with app.app_context():
        first = gift(campaign_id, 1, 3000)
        again = [m.amount_cents for m in services.match_gift(campaign_id, 1, 3000, donor_key="alice")]
        db.session.commit()
        assert first == again == [3000]
        assert db.session.get(MatchPledge, pledge_id).matched_cents == 3000
        assert services.get_campaign_by_id(campaign_id).match_cents == 3000


def test_a_partial_refund_cuts_the_match_to_what_the_rest_earns(app, build, campaign_and_partner):
    campaign_id, partner_id = campaign_and_partner
    build.pledge(campaign_id, partner_id, total_cap_cents=100_000, per_gift_cap_cents=5000)
    with app.app_context():
        assert gift(campaign_id, 1, 10_000) == [5000]
        services.reverse_donation_contributions(1, 4000)  # 60 € left still earns the 50 € cap
        assert services.get_campaign_by_id(campaign_id).match_cents == 5000
        services.reverse_donation_contributions(1, 3000)  # 30 € left earns 30 €
        campaign = services.get_campaign_by_id(campaign_id)
        assert (campaign.online_cents, campaign.match_cents) == (3000, 3000)
        with pytest.raises(Conflict):
            services.reverse_donation_contributions(1, 3001)  # more than is left of the gift
        assert services.get_campaign_by_id(campaign_id).online_cents == 3000


@pytest.mark.parametrize("values", [
    {"total_cap_cents": 0}, {"total_cap_cents": 1000, "ratio_numerator": 0},
    {"total_cap_cents": 1000, "ratio_denominator": 0}, {"total_cap_cents": 1000, "per_gift_cap_cents": 0},
    {"total_cap_cents": 1000, "max_gifts_per_donor": 0},
])
def test_pledges_with_impossible_terms_are_refused(app, campaign_and_partner, values):
    campaign_id, partner_id = campaign_and_partner
    with app.app_context():
        with pytest.raises(InvalidInput):
            services.create_pledge(services.get_campaign_by_id(campaign_id), partner_id, **values)
