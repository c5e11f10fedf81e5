"""From gifts to receipts: the issuing queue, the draft of a gift's receipt, refunds.

The donations package tells us what happened through signals, inside its own transaction; we only
write a queue row there. The job (`receipts.jobs`) consumes the rows, one transaction per row, and
marks the row processed in the same transaction as the receipt: a killed run leaves it pending.
"""
from sqlalchemy import select, update

from app.extensions import db
from app.money import format_eur
from app.types import utcnow
from campaigns.models import CampaignStatus, FundingModel
from donations.models import Donation, DonationStatus, DonorType, ReceiptChoice
from receipts.models import Receipt, ReceiptGift, ReceiptKind, ReceiptRequest, ReceiptStatus, RequestAction
from receipts.services.cancellation import cancel_receipt
from receipts.services.issuing import ReceiptDraft, _insert_ignoring_conflict, issue_receipts

RECEIPTED_STATES = {DonationStatus.succeeded, DonationStatus.partially_refunded}
RELEASED_CAMPAIGN_STATES = {CampaignStatus.succeeded, CampaignStatus.closed}


def campaign_allows_receipts(campaign):
    """All-or-nothing money is kept only once the campaign succeeded: no receipt before that."""
    return campaign.funding_model is not FundingModel.all_or_nothing or campaign.status in RELEASED_CAMPAIGN_STATES


def counterpart_within_limits(donation, rules):
    """A reward worth more than the allowed share of the gift (or the yearly cap for individuals)
    takes the whole gift out of the reduction (BOI-IR-RICI-250-20-20)."""
    fair = donation.tier_fair_value_cents or 0
    if fair * 100 > donation.amount_cents * rules["counterpart_max_percent"]:
        return False
    return donation.donor_type is DonorType.company or fair <= rules["counterpart_yearly_cap_cents"]


def eligible_cents(donation):
    """The part of the gift that earns the reduction now: what was kept, minus the reward's value."""
    if donation.status not in RECEIPTED_STATES:
        return 0
    return max(0, donation.amount_cents - donation.refunded_cents - (donation.tier_fair_value_cents or 0))


def donor_snapshot(donation):
    if donation.donor_type is DonorType.company:
        identity = {"company_name": donation.company_name or "", "legal_form": donation.company_legal_form or "",
                    "siren": donation.company_siren or ""}
    else:
        identity = {"first_name": donation.first_name, "last_name": donation.last_name}
    return {**identity, "address_line1": donation.address_line1, "address_line2": donation.address_line2 or "",
            "postal_code": donation.postal_code, "city": donation.city, "country": donation.country or "France",
            "email": donation.email}


def gift_date(donation):
    return donation.paid_on or donation.created_at.date()


def single_draft(donation, replaces=None):
    kept = donation.amount_cents - donation.refunded_cents
    counterpart = min(donation.tier_fair_value_cents or 0, kept)
    return ReceiptDraft(
        organization=donation.organization, source_key=(f"replaces:{replaces.number}" if replaces is not None
                                                        else f"gift:{donation.id}"),
        kind=ReceiptKind.single, donor_type=donation.donor_type.value, donor=donor_snapshot(donation),
        gift_cents=kept, counterpart_cents=counterpart, paid_on=gift_date(donation),
        payment_methods=[donation.payment_method.value], gifts=[(donation.id, eligible_cents(donation))],
        replaces=replaces)


# --- signal receivers: they run inside the donations' transaction and only write queue rows ---

def queue_gift(donation):
    if donation.receipt_choice is not ReceiptChoice.per_gift or not donation.organization.issues_receipts:
        return
    waiting = None if campaign_allows_receipts(donation.campaign) else donation.campaign_id
    _insert_ignoring_conflict(ReceiptRequest, {
        "key": f"issue:{donation.id}", "action": RequestAction.issue.value, "donation_id": donation.id,
        "waiting_for_campaign_id": waiting, "created_at": utcnow()}, ["key"])


def queue_refund(donation, remaining_cents):
    if donation.receipt_choice is ReceiptChoice.none or not donation.organization.issues_receipts:
        return
    _insert_ignoring_conflict(ReceiptRequest, {
        "key": f"refund:{donation.id}:{remaining_cents}", "action": RequestAction.refund.value,
        "donation_id": donation.id, "created_at": utcnow()}, ["key"])


def release_campaign(campaign):
    db.session.execute(update(ReceiptRequest).where(ReceiptRequest.waiting_for_campaign_id == campaign.id)
                       .values(waiting_for_campaign_id=None).execution_options(synchronize_session=False))


def drop_campaign(campaign):
    """A failed all-or-nothing campaign refunds its gifts: their receipts will never exist."""
    db.session.execute(update(ReceiptRequest).where(ReceiptRequest.waiting_for_campaign_id == campaign.id,
                                                    ReceiptRequest.processed_at.is_(None))
                       .values(processed_at=utcnow(), outcome="campaign failed: no receipt")
                       .execution_options(synchronize_session=False))


# --- the job's work, one request per transaction ---

def next_request():
    statement = (select(ReceiptRequest)
                 .where(ReceiptRequest.processed_at.is_(None), ReceiptRequest.waiting_for_campaign_id.is_(None))
                 .order_by(ReceiptRequest.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return db.session.scalar(statement)


def process_request(request, rules, renderer=None):
    """Do what one queue row asks; returns the receipts issued. The caller commits."""
    donation = db.session.get(Donation, request.donation_id)
    issued = []
    if request.action is RequestAction.issue:
        outcome, issued = _issue_for_gift(request, donation, rules, renderer)
    else:
        outcome, issued = _correct_after_refund(donation, renderer)
    request.outcome = outcome
    if outcome != "waiting for the campaign":
        request.processed_at = utcnow()
    db.session.flush()
    return issued


def _issue_for_gift(request, donation, rules, renderer):
    if not campaign_allows_receipts(donation.campaign):
        if donation.campaign.status in {CampaignStatus.failed, CampaignStatus.cancelled}:
            return "campaign failed: no receipt", []
        request.waiting_for_campaign_id = donation.campaign_id
        return "waiting for the campaign", []
    if not counterpart_within_limits(donation, rules):
        return "reward above the allowed counterpart: no receipt", []
    if eligible_cents(donation) <= 0:
        return f"nothing to receipt ({donation.status.value})", []
    receipts = issue_receipts([single_draft(donation)], renderer=renderer)
    return (f"issued {receipts[0].number}" if receipts else "already issued"), receipts


def receipt_covering(donation_id):
    return db.session.scalar(
        select(Receipt).join(ReceiptGift, ReceiptGift.receipt_id == Receipt.id)
        .where(ReceiptGift.donation_id == donation_id, Receipt.status == ReceiptStatus.issued))


def _correct_after_refund(donation, renderer):
    receipt = receipt_covering(donation.id)
    if receipt is None:
        return "no receipt to correct", []
    now = eligible_cents(donation)
    covered = next(g.amount_cents for g in receipt.gifts if g.donation_id == donation.id)
    if now == covered:
        return f"{receipt.number} already matches the gift", []
    kept = donation.amount_cents - donation.refunded_cents
    reason = (f"don remboursé en partie ({format_eur(donation.refunded_cents)} rendus)" if kept
              else "don intégralement remboursé")
    if receipt.kind is ReceiptKind.single:
        cancel_receipt(receipt, reason, by="remboursement")
        if now <= 0:
            return f"cancelled {receipt.number}", []
        replacement = issue_receipts([single_draft(donation, replaces=receipt)], renderer=renderer)
        return f"cancelled {receipt.number}, replaced by {replacement[0].number}", replacement
    from receipts.services.annual import annual_replacement_draft

    cancel_receipt(receipt, reason, by="remboursement")
    draft = annual_replacement_draft(receipt)
    if draft is None:
        return f"cancelled {receipt.number}", []
    replacement = issue_receipts([draft], renderer=renderer)
    return f"cancelled {receipt.number}, replaced by {replacement[0].number}", replacement
