"""Fixtures of the back-office tests: campaigns and gifts written through the services."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.types import utcnow


class Money:
    """Campaigns, pledges, gifts (their ledger lines) and grants, through the campaigns services."""

    def __init__(self, app, actors):
        self.app = app
        self.actors = actors
        self._gifts = 0

    def campaign(self, organization, title="Un potager pour l'école des Blagis", publish=True, **overrides):
        from campaigns import services

        now = utcnow()
        values = {"title": title, "summary": "Des bacs et des outils.", "description": "Six **bacs**.",
                  "commune": "Sceaux", "insee_code": "92071", "category": "environment", "goal_cents": 500_000,
                  "min_gift_cents": 500, "starts_at": now - timedelta(days=1),
                  "ends_at": now + timedelta(days=30), "funding_model": "keep_it_all"}
        values.update(overrides)
        with self.app.app_context():
            campaign = services.create_campaign(services.get_organization(organization).id, **values)
            if publish:
                services.publish_campaign(campaign)
            db.session.commit()
            return campaign.slug

    def pledge(self, campaign, partner, total_cap_cents, **values):
        from campaigns import services

        with self.app.app_context():
            pledge = services.create_pledge(services.get_campaign(campaign), services.get_partner(partner).id,
                                            total_cap_cents=total_cap_cents, **values)
            db.session.commit()
            return pledge.id

    def gift(self, campaign, cents, donor="citoyen"):
        """A citizen's online gift counted in the ledger, matched by the campaign's pledges."""
        from campaigns import services

        self._gifts += 1
        with self.app.app_context():
            campaign_id = services.get_campaign(campaign).id
            donation_id = 900_000 + self._gifts
            services.add_contribution(campaign_id, "online", cents, donor_key=f"{donor}-{self._gifts}",
                                      donation_id=donation_id)
            services.match_gift(campaign_id, donation_id, cents, donor_key=f"{donor}-{self._gifts}")
            db.session.commit()

    def grant(self, campaign, partner, cents, reference=None):
        from campaigns import services

        with self.app.app_context():
            services.record_grant(services.get_campaign(campaign), services.get_partner(partner).id, cents,
                                  reference=reference)
            db.session.commit()


@pytest.fixture
def money(app, actors):
    return Money(app, actors)
