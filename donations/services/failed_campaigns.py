"""What a failed all-or-nothing campaign owes its donors: the intention to give each gift back.

The intentions are written in the transaction that fails the campaign (the `campaign_failed`
receiver) and in the one where a gift succeeds too late, after the failure; `refunds.carry_out`,
called by the refund job, then makes each in Stripe. One key per gift, the same whoever writes it,
so that the intention exists once however many times it is asked for.
"""
from sqlalchemy import select

from app.extensions import db
from app.sql import insert_ignoring
from campaigns.models import Campaign, CampaignStatus, FundingModel
from donations.models import REFUNDABLE, Donation, DonationRefund, RefundReason


def failed_campaign_gifts(campaign_id) -> list[Donation]:
    """Gifts of a campaign that still hold money to give back."""
    return db.session.scalars(select(Donation).where(Donation.campaign_id == campaign_id,
                                                     Donation.status.in_(REFUNDABLE))
                              .order_by(Donation.id)).all()


def intend_campaign_failed_refund(donation) -> DonationRefund:
    """The intention to give back all that remains of a gift, recorded under a key that is the same
    every time, so that a second writer (or a re-run) finds it instead of asking twice."""
    key = f"solidaire-campaign-failed-{donation.public_id}"
    insert_ignoring(DonationRefund, {"donation_id": donation.id, "amount_cents": donation.remaining_cents,
                                     "reason": RefundReason.campaign_failed, "idempotency_key": key},
                    ["idempotency_key"])
    return db.session.scalar(select(DonationRefund).where(DonationRefund.idempotency_key == key))


def intend_failed_campaign_refunds(campaign) -> list[DonationRefund]:
    """On `campaign_failed`, in the sender's transaction: an intention for every gift that holds money.

    Only an all-or-nothing campaign gives its money back; a keep-it-all campaign fails only when it
    raised nothing.
    """
    if campaign.funding_model is not FundingModel.all_or_nothing:
        return []
    return [intend_campaign_failed_refund(donation) for donation in failed_campaign_gifts(campaign.id)]


def intend_refund_if_campaign_failed(donation) -> DonationRefund | None:
    """A gift that holds money although its all-or-nothing campaign has failed — its success came
    after the failure (a late webhook, a card retried), or a dispute was won — is owed back too.

    Called after the gift's money entered the campaign's totals: that UPDATE waited for any
    transaction failing the campaign, so this fresh read sees its outcome (the failure's own
    receiver did not see this gift, which was not committed yet).
    """
    status, funding_model = db.session.execute(select(Campaign.status, Campaign.funding_model)
                                               .where(Campaign.id == donation.campaign_id)).one()
    if (status is not CampaignStatus.failed or funding_model is not FundingModel.all_or_nothing
            or donation.status not in REFUNDABLE):
        return None
    return intend_campaign_failed_refund(donation)
