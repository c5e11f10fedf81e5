"""The campaign's lifecycle: draft -> (submitted ->) published -> succeeded | failed -> closed, and cancelled."""
from datetime import timedelta
from itertools import product

import pytest

from app.errors import InvalidTransition
from app.extensions import db
from app.types import utcnow
from campaigns import services, signals
from campaigns.models import Campaign, CampaignStatus, Contribution, MatchPledge

S = CampaignStatus
ALLOWED = {(S.draft, S.submitted), (S.submitted, S.published), (S.submitted, S.draft), (S.submitted, S.cancelled),
           (S.draft, S.published), (S.draft, S.cancelled), (S.published, S.succeeded), (S.published, S.failed),
           (S.published, S.cancelled), (S.succeeded, S.closed), (S.failed, S.closed)}


@pytest.mark.parametrize("start, target", list(product(S, S)))
def test_only_the_listed_moves_are_allowed(start, target):
    campaign = Campaign(status=start)
    if (start, target) in ALLOWED:
        campaign.move_to(target)
        assert campaign.status is target
    else:
        with pytest.raises(InvalidTransition) as refused:
            campaign.move_to(target)
        assert refused.value.field == "status"
        assert f"a {start.value} campaign cannot become {target.value}" == refused.value.detail
        assert campaign.status is start


def test_publishing_needs_a_description_and_a_future_end(app, build):
    empty = build.campaign(publish=False, description="")
    with app.app_context():
        with pytest.raises(Exception, match="describe the project"):
            services.publish_campaign(services.get_campaign_by_id(empty))
        campaign = services.get_campaign_by_id(empty)
        with pytest.raises(Exception, match="end date has passed"):
            services.publish_campaign(campaign, now=campaign.ends_at + timedelta(minutes=1))


@pytest.mark.parametrize("funding_model, goal, raised, outcome", [
    ("all_or_nothing", 10_000, 10_000, S.succeeded),
    ("all_or_nothing", 10_000, 9_999, S.failed),
    ("keep_it_all", 10_000, 1, S.succeeded),
    ("keep_it_all", 10_000, 0, S.failed),
])
def test_at_the_end_date_a_campaign_succeeds_or_fails(app, build, funding_model, goal, raised, outcome):
    campaign_id = build.campaign(goal_cents=goal, funding_model=funding_model)
    with app.app_context():
        if raised:
            services.add_contribution(campaign_id, "online", raised, donation_id=1)
        db.session.commit()
        ended = services.close_due_campaigns(now=utcnow() + timedelta(days=30, minutes=1))
        db.session.commit()
        assert [c.id for c in ended] == [campaign_id]
        campaign = services.get_campaign_by_id(campaign_id)
        assert campaign.status is outcome and campaign.ended_at is not None
        assert services.close_due_campaigns(now=utcnow() + timedelta(days=31)) == []  # ended once
        services.archive_campaign(campaign)
        assert campaign.status is S.closed
        with pytest.raises(Exception, match="takes no money"):
            services.add_contribution(campaign_id, "online", 100, donation_id=2)


def test_a_failed_all_or_nothing_campaign_pays_no_match(app, build):
    campaign_id = build.campaign(goal_cents=100_000, funding_model="all_or_nothing")
    partner_id = build.partner_id("la-poste")
    pledge_id = build.pledge(campaign_id, partner_id, total_cap_cents=50_000)
    refunded = []
    with app.app_context():
        for donation_id in (1, 2):
            services.add_contribution(campaign_id, "online", 3000, donor_key=f"d{donation_id}", donation_id=donation_id)
            services.match_gift(campaign_id, donation_id, 3000, donor_key=f"d{donation_id}")
        db.session.commit()
        assert services.get_campaign_by_id(campaign_id).raised_cents == 12_000

        def refund_every_gift(campaign):
            # what the donations package does on campaign_failed
            for donation_id in (1, 2):
                services.reverse_donation_contributions(donation_id)
                refunded.append(donation_id)

        with signals.campaign_failed.connected_to(refund_every_gift):
            services.close_due_campaigns(now=utcnow() + timedelta(days=31))
        db.session.commit()
        campaign = services.get_campaign_by_id(campaign_id)
        assert campaign.status is S.failed and refunded == [1, 2]
        assert (campaign.raised_cents, campaign.match_cents, campaign.donor_count) == (0, 0, 0)
        assert db.session.get(MatchPledge, pledge_id).matched_cents == 0
        assert all(c.net_cents == 0 for c in db.session.scalars(db.select(Contribution)))


def test_the_closing_job_is_registered_every_15_minutes(app):
    from app.scheduler import jobs

    job = jobs(app)["campaigns.close_due"]
    assert job.trigger == "interval" and job.trigger_args == {"minutes": 15}


def test_the_scheduled_job_ends_campaigns_past_their_end_date(app, build, runner):
    with app.app_context():
        organization = services.get_organization(build.organization())
        now = utcnow()
        campaign = services.create_campaign(
            organization.id, title="Fresque du marché", description="Une fresque.", commune="Sceaux",
            insee_code="92071", category="culture", goal_cents=1000, starts_at=now - timedelta(days=20),
            ends_at=now - timedelta(minutes=5), funding_model="keep_it_all")
        services.publish_campaign(campaign, now=now - timedelta(days=20))
        campaign_id = campaign.id
        db.session.commit()
    result = runner.invoke(args=["scheduler", "run-job", "campaigns.close_due"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert services.get_campaign_by_id(campaign_id).status is S.failed  # nothing raised
