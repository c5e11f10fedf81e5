"""The issuing queue: from what happened to gifts and grants to receipts.

The donations and campaigns packages tell us what happened through signals, inside their own
transaction; we only write a queue row there (`receipts.receivers`). The job (`receipts.jobs`)
consumes the rows, one transaction per row, and marks the row processed in the same transaction as
the receipt: a killed run leaves it pending.
"""
from sqlalchemy import select, update

from app.extensions import db
from app.sql import insert_ignoring, locked
from app.types import utcnow
from campaigns.models import Campaign, Contribution
from donations.models import Donation, ReceiptChoice
from receipts.models import Receipt, ReceiptRequest, RequestAction
from receipts.services.corrections import correct_after_refund
from receipts.services.eligibility import (campaign_allows_receipts, campaign_lost_its_money,
                                           counterpart_within_limits, eligible_cents, grant_refusal)
from receipts.services.issuing import grant_draft, issue_receipts, single_draft

WAITING = "waiting for the campaign"  # the only outcome that leaves a row pending
CAMPAIGN_FAILED = "campaign failed: no receipt"


def _waiting_for(campaign: Campaign) -> int | None:
    return None if campaign_allows_receipts(campaign) else campaign.id


# --- written by the signal receivers, inside the sender's transaction ---

def queue_gift(donation: Donation) -> None:
    """A gift succeeded: its single receipt, if the donor asked for one and the organization gives them."""
    if donation.receipt_choice is not ReceiptChoice.per_gift or not donation.organization.issues_receipts:
        return
    insert_ignoring(ReceiptRequest, {
        "key": f"issue:{donation.id}", "action": RequestAction.issue.value, "donation_id": donation.id,
        "waiting_for_campaign_id": _waiting_for(donation.campaign), "created_at": utcnow()}, ["key"])


def queue_refund(donation: Donation, remaining_cents: int) -> None:
    """A gift was refunded (down to `remaining_cents`): its receipt, single or annual, is corrected."""
    if donation.receipt_choice is ReceiptChoice.none or not donation.organization.issues_receipts:
        return
    insert_ignoring(ReceiptRequest, {
        "key": f"refund:{donation.id}:{remaining_cents}", "action": RequestAction.refund.value,
        "donation_id": donation.id, "created_at": utcnow()}, ["key"])


def queue_grant(contribution: Contribution) -> None:
    """A partner's grant was recorded. Every grant gets a row, so that the job records why one that
    earns no receipt (a public body's, an organization without a receipt regime) got none."""
    campaign = db.session.get(Campaign, contribution.campaign_id)
    insert_ignoring(ReceiptRequest, {
        "key": f"grant:{contribution.id}", "action": RequestAction.issue.value,
        "contribution_id": contribution.id, "waiting_for_campaign_id": _waiting_for(campaign),
        "created_at": utcnow()}, ["key"])


def release_campaign(campaign: Campaign) -> None:
    """An all-or-nothing campaign succeeded: its gifts' and grants' rows may be processed now."""
    db.session.execute(update(ReceiptRequest).where(ReceiptRequest.waiting_for_campaign_id == campaign.id)
                       .values(waiting_for_campaign_id=None).execution_options(synchronize_session=False))


def drop_campaign(campaign: Campaign) -> None:
    """A failed all-or-nothing campaign refunds its gifts: their receipts will never exist."""
    db.session.execute(update(ReceiptRequest).where(ReceiptRequest.waiting_for_campaign_id == campaign.id,
                                                    ReceiptRequest.processed_at.is_(None))
                       .values(processed_at=utcnow(), outcome=CAMPAIGN_FAILED)
                       .execution_options(synchronize_session=False))


# --- the job's work, one request per transaction ---

def next_request() -> ReceiptRequest | None:
    """The oldest row ready to process, locked; on PostgreSQL a row another worker holds is skipped."""
    return db.session.scalar(locked(
        select(ReceiptRequest)
        .where(ReceiptRequest.processed_at.is_(None), ReceiptRequest.waiting_for_campaign_id.is_(None))
        .order_by(ReceiptRequest.id).limit(1), skip_locked=True))


def process_request(request: ReceiptRequest, rules: dict, renderer=None) -> list[Receipt]:
    """Do what one queue row asks; returns the receipts issued. The caller commits."""
    if request.contribution_id is not None:
        outcome, issued = _issue_for_grant(request, db.session.get(Contribution, request.contribution_id),
                                           renderer)
    elif request.action is RequestAction.issue:
        outcome, issued = _issue_for_gift(request, db.session.get(Donation, request.donation_id), rules, renderer)
    else:
        outcome, issued = correct_after_refund(db.session.get(Donation, request.donation_id), renderer)
    request.outcome = outcome
    if outcome != WAITING:
        request.processed_at = utcnow()
    db.session.flush()
    return issued


def _wait_for(request, campaign):
    """None when the campaign's money is kept; otherwise why no receipt is issued now."""
    if campaign_allows_receipts(campaign):
        return None
    if campaign_lost_its_money(campaign):
        return CAMPAIGN_FAILED
    request.waiting_for_campaign_id = campaign.id
    return WAITING


def _issue_for_gift(request, donation, rules, renderer):
    waiting = _wait_for(request, donation.campaign)
    if waiting is not None:
        return waiting, []
    if not counterpart_within_limits(donation, rules):
        return "reward above the allowed counterpart: no receipt", []
    if eligible_cents(donation) <= 0:
        return f"nothing to receipt ({donation.status.value})", []
    receipts = issue_receipts([single_draft(donation)], renderer=renderer)
    return (f"issued {receipts[0].number}" if receipts else "already issued"), receipts


def _issue_for_grant(request, contribution, renderer):
    campaign = db.session.get(Campaign, contribution.campaign_id)
    organization = campaign.organization
    if not organization.issues_receipts:
        return f"{organization.slug} does not issue tax receipts: no receipt", []
    partner = contribution.partner
    refusal = grant_refusal(partner)
    if refusal is not None:
        return refusal, []
    waiting = _wait_for(request, campaign)
    if waiting is not None:
        return waiting, []
    if contribution.net_cents <= 0:
        return "grant reversed: no receipt", []
    receipts = issue_receipts([grant_draft(contribution, partner, organization)], renderer=renderer)
    return (f"issued {receipts[0].number}" if receipts else "already issued"), receipts
