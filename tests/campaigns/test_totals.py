"""A campaign's totals follow every contribution added or reversed, by source and by partner."""
import pytest

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from campaigns import services
from campaigns.models import CampaignStatus, Contribution


def totals(campaign):
    return {s: getattr(campaign, f"{s}_cents") for s in ("online", "offline", "company", "roundup", "match", "grant")}


def test_totals_after_add_and_remove_for_every_source(app, build):
    campaign_id = build.campaign()
    ville = build.partner_id("ville", kind="public_body")
    boulangerie = build.partner_id("boulangerie")
    with app.app_context():
        campaign = services.get_campaign_by_id(campaign_id)
        services.add_contribution(campaign_id, "online", 2000, donor_key="a", donation_id=1)
        services.add_contribution(campaign_id, "offline", 5000, donor_key="b", donation_id=2)
        services.add_contribution(campaign_id, "company", 30_000, donor_key="siren-442306718", donation_id=3,
                                  partner_id=boulangerie)
        roundup = services.add_contribution(campaign_id, "roundup", 1234, reference="2026-10/merchant-9")
        grant = services.record_grant(campaign, ville, 10_000, reference="subvention-2026")
        db.session.commit()
        assert totals(campaign) == {"online": 2000, "offline": 5000, "company": 30_000, "roundup": 1234,
                                    "match": 0, "grant": 10_000}
        assert campaign.raised_cents == 48_234 and campaign.donor_count == 3

        services.reverse_donation_contributions(2)
        services.reverse_contribution(roundup, 234)  # a return in store after settlement
        services.reverse_contribution(grant)
        db.session.commit()
        assert totals(campaign) == {"online": 2000, "offline": 0, "company": 30_000, "roundup": 1000,
                                    "match": 0, "grant": 0}
        assert campaign.raised_cents == 33_000 and campaign.donor_count == 2
        shares = {e["partner"].slug: (e["matched_cents"], e["granted_cents"]) for e in services.partner_shares(campaign)}
        assert shares == {"boulangerie": (0, 30_000), "ville": (0, 0)}


def test_a_donor_with_several_gifts_leaves_the_count_with_the_last_one(app, build):
    campaign_id = build.campaign()
    with app.app_context():
        services.add_contribution(campaign_id, "online", 1000, donor_key="alice", donation_id=1)
        services.add_contribution(campaign_id, "offline", 1000, donor_key="alice", donation_id=2)
        assert services.get_campaign_by_id(campaign_id).donor_count == 1
        services.reverse_donation_contributions(1)
        assert services.get_campaign_by_id(campaign_id).donor_count == 1
        services.reverse_donation_contributions(2, 500)  # partly refunded: still a donor
        assert services.get_campaign_by_id(campaign_id).donor_count == 1
        services.reverse_donation_contributions(2)
        assert services.get_campaign_by_id(campaign_id).donor_count == 0
        assert services.reverse_donation_contributions(99) == []


def test_reversing_twice_never_goes_below_zero(app, build):
    campaign_id = build.campaign()
    with app.app_context():
        services.add_contribution(campaign_id, "online", 1000, donation_id=1)
        services.reverse_donation_contributions(1)
        services.reverse_donation_contributions(1)  # a duplicate refund webhook: nothing left to take
        db.session.commit()
        assert services.get_campaign_by_id(campaign_id).raised_cents == 0
        assert db.session.scalars(db.select(Contribution)).one().reversed_cents == 1000


@pytest.mark.parametrize("args, error", [
    (("online", 0), InvalidInput), (("online", -5), InvalidInput), (("online", 10.5), InvalidInput),
    (("bitcoin", 100), InvalidInput), (("grant", 100), InvalidInput), (("match", 100), InvalidInput),
])
def test_bad_contributions_are_refused_and_change_nothing(app, build, args, error):
    campaign_id = build.campaign()
    with app.app_context():
        with pytest.raises(error):
            services.add_contribution(campaign_id, *args)
        db.session.rollback()
        assert services.get_campaign_by_id(campaign_id).raised_cents == 0
        with pytest.raises(NotFound):
            services.add_contribution(campaign_id + 1000, "online", 100)


def test_drafts_and_cancelled_campaigns_take_no_money(app, build):
    draft = build.campaign(publish=False)
    with app.app_context():
        with pytest.raises(Conflict):
            services.add_contribution(draft, "online", 100, donation_id=1)
        services.cancel_campaign(services.get_campaign_by_id(draft))
        assert services.get_campaign_by_id(draft).status is CampaignStatus.cancelled
        with pytest.raises(Conflict):
            services.add_contribution(draft, "online", 100, donation_id=1)


def test_wall_entries_are_added_once_and_removed_on_refund(app, client, build):
    campaign_id = build.campaign(slug="potager")
    with app.app_context():
        services.add_wall_entry(campaign_id, 1, "Camille", "Bravo pour le <b>projet</b> !")
        services.add_wall_entry(campaign_id, 1, "Camille", "Bravo pour le <b>projet</b> !")
        services.add_wall_entry(campaign_id, 2, None, "")
        services.add_wall_entry(campaign_id, 3, "Léo", "")
        assert services.remove_wall_entry(3) is True and services.remove_wall_entry(3) is False
        with pytest.raises(InvalidInput):
            services.add_wall_entry(campaign_id, 4, "x" * 81, "")
        db.session.commit()
    page = client.get("/campagnes/potager").get_data(as_text=True)
    assert page.count("Camille") == 1 and "Anonyme" in page and "Léo" not in page
    assert "&lt;b&gt;projet&lt;/b&gt;" in page
