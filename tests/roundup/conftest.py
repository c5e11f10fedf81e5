"""Round-up fixtures: a merchant of the territory with its beneficiaries and a live key."""
from datetime import datetime, timedelta, timezone

import pytest

from app.extensions import db
from app.types import utcnow

VALID_SIRET = "73282932000074"


class Shops:
    """Creates merchants through the service, as an administrator would, and returns their keys."""

    def __init__(self, app, actors):
        self.app = app
        self.actors = actors
        self.keys = {}

    def merchant(self, slug="boulangerie", beneficiaries=None, **overrides):
        """Create a merchant; returns the Authorization headers of its first key."""
        from donations.roundup import services

        if beneficiaries is None:
            self.actors.organization("epicerie")
            beneficiaries = [{"organization": "epicerie", "share_basis_points": 10_000}]
        values = dict(slug=slug, name=f"Commerce {slug}", siret=VALID_SIRET, address_line1="10 rue Houdan",
                      postal_code="92330", city="Sceaux")
        values.update(overrides)
        with self.app.app_context():
            merchant = services.create_merchant(beneficiaries=beneficiaries, **values)
            _, key = services.create_key(merchant, "test")
            db.session.commit()
        self.keys[slug] = key
        return {"Authorization": f"Bearer {key}"}

    def campaign(self, organization, slug="potager-des-blagis"):
        """A published keep-it-all campaign of `organization`; returns its slug."""
        from campaigns import services as campaign_services

        now = utcnow()
        with self.app.app_context():
            organization_id = campaign_services.get_organization(organization).id
            campaign = campaign_services.create_campaign(
                organization_id, slug=slug, title="Un potager pour l'école des Blagis",
                summary="Des bacs et des outils.", description="Six bacs.", commune="Sceaux",
                insee_code="92071", category="environment", goal_cents=500_000, min_gift_cents=500,
                starts_at=now - timedelta(days=90), ends_at=now + timedelta(days=30), funding_model="keep_it_all")
            campaign_services.publish_campaign(campaign, now=now - timedelta(days=90))
            db.session.commit()
        return slug


@pytest.fixture
def shops(app, actors):
    return Shops(app, actors)


def at(year, month, day, hour=12):
    """An instant in the middle of a Sceaux day."""
    return datetime(year, month, day, hour, tzinfo=timezone.utc).isoformat()


def record(client, headers, external_id, basket, roundup, **extra):
    return client.post("/api/v1/roundups", headers=headers,
                       json={"external_id": external_id, "basket_cents": basket, "roundup_cents": roundup, **extra})


def settle(app, slug, month):
    """Settle one merchant's month as the CLI would (service, then commit); returns the statement id."""
    from donations.roundup import services

    with app.app_context():
        settlement, _ = services.settle_month(services.get_merchant(slug), month)
        db.session.commit()
        return settlement.id

