"""Fixtures of the campaigns tests: campaigns built through the services, as a holder would."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.types import utcnow


def campaign_values(**overrides):
    now = utcnow()
    values = dict(
        title="Un potager pour l'école des Blagis", summary="Des bacs et des outils pour les enfants.",
        description="Nous construisons **six bacs** de culture.", commune="Sceaux", insee_code="92071",
        category="environment", goal_cents=500_000, min_gift_cents=500, starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30), funding_model="keep_it_all",
    )
    values.update(overrides)
    return values


class Builder:
    """Creates organizations, partners and campaigns in the test database; returns ids."""

    def __init__(self, app, actors):
        self.app = app
        self.actors = actors
        self._orgs = 0

    def organization(self, slug=None):
        self._orgs += 1
        return self.actors.organization(slug or f"asso-{self._orgs}")

    def campaign(self, organization=None, publish=True, tiers=(), stretch_goals=(), **overrides):
        from campaigns import services

        organization = organization or self.organization()
        with self.app.app_context():
            org = services.get_organization(organization)
            campaign = services.create_campaign(org.id, tiers=list(tiers), stretch_goals=list(stretch_goals),
                                                **campaign_values(**overrides))
            if publish:
                services.publish_campaign(campaign)
            db.session.commit()
            return campaign.id

    def partner_id(self, slug, kind="company"):
        from campaigns import services

        self.actors.partner(slug, kind=kind)
        with self.app.app_context():
            return services.get_partner(slug).id

    def pledge(self, campaign_id, partner_id, **values):
        from campaigns import services

        with self.app.app_context():
            pledge = services.create_pledge(services.get_campaign_by_id(campaign_id), partner_id, **values)
            db.session.commit()
            return pledge.id


@pytest.fixture
def build(app, actors):
    """Build campaigns, partners and pledges through the services."""
    return Builder(app, actors)


def is_postgres(app):
    from sqlalchemy.engine import make_url

    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"
