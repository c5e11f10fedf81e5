"""The donor space's services called directly, with plain arguments, as the pages and a CLI would."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.types import utcnow
from tests.support import run_concurrently

MARIE = "marie.curie@example.org"


def test_a_link_is_redeemed_once_even_by_two_clicks_at_once(app, donors):
    from receipts.donor_space import sign_in

    donors.gift(donors.campaign(), email=MARIE)
    with app.app_context():
        assert sign_in.request_link("  Marie.Curie@Example.org") is True
        assert sign_in.request_link("inconnu@example.org") is False
        db.session.commit()
        with pytest.raises(InvalidInput):
            sign_in.request_link("pas-une-adresse")
    token = donors.sign_in_link(MARIE).rsplit("/", 1)[1]

    def redeem(_):
        with app.app_context():
            try:
                email = sign_in.redeem_link(token)
            except sign_in.LinkRefused as refused:
                db.session.rollback()
                return refused.reason
            db.session.commit()
            return email

    assert sorted(run_concurrently(redeem, 4)) == [MARIE, "used", "used", "used"]
    with app.app_context():
        with pytest.raises(sign_in.LinkRefused) as refused:
            sign_in.redeem_link("x" * 43)
        assert refused.value.reason == "unknown"
        # Links expired for a day are deleted when the next one is asked for.
        from receipts.donor_space.models import DonorSignInLink

        sign_in.request_link(MARIE, now=utcnow() + timedelta(days=2))
        assert db.session.scalars(select(DonorSignInLink.used_at)).all() == [None]


def test_monthly_amount_is_bounded_and_a_repeat_changes_nothing(app, donors):
    from donations.models import Donation
    from donations.services.donors import change_monthly_amount, owned_gift

    campaign = donors.campaign()
    gift = donors.monthly(campaign, 1_500, email=MARIE)
    with app.app_context():
        for wrong in (0, -100, True, "2000", app.config["MAX_GIFT_CENTS"] + 1):
            with pytest.raises(InvalidInput) as refused:
                change_monthly_amount(MARIE, gift, wrong)
            assert refused.value.field == "amount_cents"
        with pytest.raises(NotFound):
            change_monthly_amount("pierre@example.org", gift, 2_000)
        assert change_monthly_amount(MARIE.upper(), gift, 1_500).monthly_amount_cents is None  # unchanged
        change_monthly_amount(MARIE, gift, 2_000)
        db.session.commit()
        assert change_monthly_amount(MARIE, gift, 2_000).monthly_amount_cents == 2_000  # once on Stripe
        first = owned_gift(MARIE, gift)
        assert db.session.get(Donation, first.id).amount_cents == 1_500  # the month given stays as given
    assert donors.subscription(gift)["items"]["data"][0]["plan"]["amount"] == 2_000


def test_erasure_plan_and_a_years_zip(app, donors):
    import io

    from receipts.donor_space import account, rights

    campaign = donors.campaign()
    donors.gift(campaign, 5_000, email=MARIE)
    donors.run_job()
    with app.app_context():
        plan = rights.plan_erasure(MARIE)
        assert [why for _, why in plan.gifts_kept] == ["receipt"] and plan.gifts_erased == []
        (receipt, until), = plan.receipts_kept
        assert until.year == receipt.year + 6 and (until.month, until.day) == (12, 31)
        year = account.gift_years(MARIE)[0]
        assert account.year_zip(MARIE, year, io.BytesIO()) == 1
        with pytest.raises(NotFound):
            account.year_zip("pierre@example.org", year, io.BytesIO())
        with pytest.raises(NotFound):
            account.owned_receipt("pierre@example.org", "asso-test", receipt.number)
