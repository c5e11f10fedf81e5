"""Fixtures of the summaries tests: a small territory built through the campaigns' services."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.types import utcnow


class Territory:
    """Organizations, partners and campaigns created as the campaigns package would; returns slugs."""

    def __init__(self, app, actors):
        self.app = app
        self.actors = actors

    def campaign(self, organization, slug, goal_cents=500_000, funding_model="keep_it_all"):
        from campaigns import services

        now = utcnow()
        with self.app.app_context():
            campaign = services.create_campaign(
                services.get_organization(organization).id, title=f"Projet {slug}", slug=slug,
                description="Un projet **du territoire**.", commune="Sceaux", insee_code="92071", category="environment", goal_cents=goal_cents,
                min_gift_cents=100, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=30),
                funding_model=funding_model)
            services.publish_campaign(campaign)
            db.session.commit()
            return campaign.slug

    def pledge(self, campaign, partner, **values):
        from campaigns import services

        with self.app.app_context():
            services.create_pledge(services.get_campaign(campaign), services.get_partner(partner).id, **values)
            db.session.commit()

    def gift(self, campaign, donation_id, cents, donor, source="online"):
        """A citizen's gift counted in the campaign, then matched by its pledges, as donations does."""
        from campaigns import services

        with self.app.app_context():
            campaign_id = services.get_campaign(campaign).id
            services.add_contribution(campaign_id, source, cents, donor_key=donor, donation_id=donation_id)
            if source != "company":
                services.match_gift(campaign_id, donation_id, cents, donor_key=donor)
            db.session.commit()

    def roundups(self, campaign, cents, reference):
        from campaigns import services

        with self.app.app_context():
            services.add_contribution(services.get_campaign(campaign).id, "roundup", cents, reference=reference)
            db.session.commit()

    def grant(self, campaign, partner, cents, reference):
        from campaigns import services

        with self.app.app_context():
            services.record_grant(services.get_campaign(campaign), services.get_partner(partner).id, cents,
                                  reference=reference)
            db.session.commit()

    def refund(self, donation_id):
        from campaigns import services

        with self.app.app_context():
            services.reverse_donation_contributions(donation_id)
            db.session.commit()


@pytest.fixture
def territory(app, actors):
    return Territory(app, actors)


@pytest.fixture
def scenario(territory, actors):
    """La Poste matches a garden's gifts 1:1 and gives a grant to a sports club; the city, a company
    and the bank fund beside it. Bob's gift is refunded, so its match is taken back.

    La Poste: garden 120,00 € matched (Alice 100 €, Carol's cheque 20 €), sports club 40,00 € grant.
    Citizens: garden 100 + 20 + 15 (round-up) = 135,00 €; sports club 90 + 10 = 100,00 €.
    """
    for slug in ("jardin", "sport", "theatre"):
        actors.organization(f"asso-{slug}")
    actors.partner("la-poste")
    actors.partner("banque")
    actors.partner("ville", kind="public_body", siren="219200714")
    garden = territory.campaign("asso-jardin", "potager")
    club = territory.campaign("asso-sport", "vestiaires")
    stage = territory.campaign("asso-theatre", "scene")

    territory.pledge(garden, "la-poste", total_cap_cents=100_000)
    territory.gift(garden, 1, 10_000, "alice")
    territory.gift(garden, 2, 5_000, "bob")
    territory.gift(garden, 3, 2_000, "carol", source="offline")
    territory.gift(garden, 4, 30_000, "boulangerie", source="company")
    territory.roundups(garden, 1_500, "2026-05")
    territory.grant(garden, "ville", 50_000, "subvention-2026")
    territory.refund(2)

    territory.grant(club, "la-poste", 4_000, "convention-sport")
    territory.gift(club, 10, 9_000, "dan")
    territory.gift(club, 11, 1_000, "alice")

    territory.pledge(stage, "banque", total_cap_cents=50_000)
    territory.gift(stage, 20, 7_000, "erin")
    return {"garden": garden, "club": club, "stage": stage}


def normalised(text):
    """PDF text with every kind of space (Babel's narrow no-break ones included) as a plain space."""
    for space in ("\u202f", "\u00a0", "\u2009"):
        text = text.replace(space, " ")
    return text
