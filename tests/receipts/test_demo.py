"""The demo loader issues the demo gifts' receipts once, however often `demo load` runs."""
from app.extensions import db


def test_loading_the_demo_twice_issues_each_receipt_once(app, finance, gifts):
    from receipts.demo import load_receipts
    from receipts.models import ReceiptRequest

    campaign = gifts.campaign()
    gifts.gift(campaign, 4_000)
    gifts.gift(campaign, 6_000, email="b@example.org")
    with app.app_context():
        db.session.query(ReceiptRequest).delete()  # as if the gifts were written without the signal
        db.session.commit()
        assert load_receipts() == ["receipts: 2 queued requests processed"]
        db.session.commit()
        assert load_receipts() == []
    assert sorted(r[2] for r in gifts.receipts()) == [4_000, 6_000]
