"""The applications' services and the rows' own checks: what the pages cannot be trusted to enforce."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidInput, InvalidTransition
from app.extensions import db
from app.types import utcnow
from tests.roundup.conftest import VALID_SIRET
from tests.support import run_concurrently


def values(**overrides):
    base = {"siret": VALID_SIRET, "charter_text": "La charte.", "name": "Fleurs de Sceaux",
            "address_line1": "3 rue Houdan", "postal_code": "92330", "city": "Sceaux", "contact_name": "Paul Roy",
            "contact_email": "paul@fleurs.example", "contact_phone": "0146600000", "rounding_step_cents": 100,
            "round_exact_baskets": False, "max_roundup_cents": None}
    base.update(overrides)
    return base


def test_a_share_for_anything_but_a_live_beneficiary_is_refused(app, actors, shops):
    from campaigns.models import Campaign
    from campaigns.services import get_organization
    from donations.roundup.services.applications import submit_application

    actors.organization("epicerie")
    slug = shops.campaign("epicerie")
    with app.app_context():
        organization = get_organization("epicerie").id
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        campaign_id = campaign.id
        ok = submit_application(beneficiaries=[{"organization": organization, "share_basis_points": 5_000},
                                               {"campaign": campaign_id, "share_basis_points": 5_000}], **values())
        assert len(ok.beneficiaries) == 2
        db.session.rollback()
        campaign = db.session.get(Campaign, campaign_id)
        campaign.ends_at = utcnow() - timedelta(seconds=1)  # it has closed
        db.session.flush()
        for beneficiaries in ([{"campaign": campaign_id, "share_basis_points": 10_000}],
                              [{"organization": 999_999, "share_basis_points": 10_000}],
                              [{"organization": organization, "share_basis_points": 5_000},
                               {"organization": organization, "share_basis_points": 5_000}],
                              [{"organization": organization, "share_basis_points": 9_999}], []):
            with pytest.raises(InvalidInput) as refused:
                submit_application(beneficiaries=beneficiaries, **values())
            assert refused.value.field == "beneficiaries"
        with pytest.raises(InvalidInput) as refused:
            submit_application(beneficiaries=[{"organization": organization, "share_basis_points": 10_000}],
                               **values(charter_text=" "))
        assert refused.value.field == "charter"
        with pytest.raises(InvalidInput) as refused:
            submit_application(beneficiaries=[{"organization": organization, "share_basis_points": 10_000}],
                               **values(siret="73282932000075"))
        assert refused.value.field == "siret"


def test_the_database_keeps_decisions_whole(app, actors):
    from campaigns.services import get_organization
    from donations.roundup.applications import ApplicationStatus
    from donations.roundup.services.applications import submit_application

    actors.organization("epicerie")
    with app.app_context():
        organization = get_organization("epicerie").id
        for change in ({"status": ApplicationStatus.approved, "decided_at": utcnow()},  # no merchant
                       {"status": ApplicationStatus.refused, "decided_at": utcnow()},  # no reason
                       {"status": ApplicationStatus.refused, "refusal_reason": "Hors territoire."},  # no date
                       {"rounding_step_cents": 0}):
            application = submit_application(
                beneficiaries=[{"organization": organization, "share_basis_points": 10_000}], **values())
            for name, value in change.items():
                setattr(application, name, value)
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()


def test_a_decision_is_final(app, actors):
    from app.auth.services import find_user
    from campaigns.services import get_organization
    from donations.roundup.services.applications import (
        approve_application,
        refuse_application,
        submit_application,
    )

    actors.organization("epicerie")
    actors.admin()
    with app.app_context():
        admin = find_user("admin1@test.example")
        application = submit_application(
            beneficiaries=[{"organization": get_organization("epicerie").id, "share_basis_points": 10_000}],
            **values())
        db.session.commit()
        application_id = application.id
        refuse_application(application_id, by=admin, reason="Hors territoire.")
        db.session.commit()
        with pytest.raises(InvalidTransition):
            approve_application(application_id, by=admin)
        db.session.rollback()
        with pytest.raises(InvalidTransition):
            refuse_application(application_id, by=admin, reason="Encore.")
        db.session.rollback()
        # Refused, the shop may apply again with the same SIRET.
        again = submit_application(
            beneficiaries=[{"organization": get_organization("epicerie").id, "share_basis_points": 10_000}],
            **values())
        db.session.commit()
        assert again.id != application_id


def test_the_same_form_sent_twice_at_once_queues_one_application(app, actors):
    from campaigns.services import get_organization
    from donations.roundup.applications import MerchantApplication
    from donations.roundup.services.applications import submit_application

    actors.organization("epicerie")
    with app.app_context():
        organization = get_organization("epicerie").id

    def send(index):
        with app.app_context():
            try:
                submit_application(beneficiaries=[{"organization": organization, "share_basis_points": 10_000}],
                                   **values())
                db.session.commit()
                return "sent"
            except Conflict:
                db.session.rollback()
                return "conflict"

    assert sorted(run_concurrently(send, 4)) == ["conflict"] * 3 + ["sent"]
    with app.app_context():
        assert db.session.scalar(select(func.count(MerchantApplication.id))) == 1
