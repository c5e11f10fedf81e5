"""The issuing queue: from what happened to gifts and grants to receipts.

The donations and campaigns packages tell us what happened through signals, inside their own
transaction; we only write a queue row there (`receipts.receivers`). The job (`receipts.jobs`)
consumes the rows, one transaction per row, and marks the row processed in the same transaction as
the receipt: a killed run leaves it pending. A row whose processing raises is set aside with its
error in a transaction of its own (`set_aside`), so that one bad row does not stop every
organization's receipts; administrators see it and retry it (`retry_request`) once the cause is fixed.
"""
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select, update

from app.errors import Conflict, NotFound
from app.extensions import db
from app.sql import insert_ignoring, locked
from app.types import utcnow
from campaigns.models import Campaign, Contribution, Organization, Partner, PartnerPayment
from donations.models import Donation, ReceiptChoice
from donations.roundup.models import Settlement, SettlementLine
from receipts.models import Receipt, ReceiptRequest, RequestAction
from receipts.services.corrections import correct_after_refund
from receipts.services.eligibility import (campaign_allows_receipts, campaign_lost_its_money,
                                           counterpart_within_limits, eligible_cents, partner_refusal,
                                           PARTNER_SIREN_MISSING)
from receipts.services.issuing import issue_receipts, merchant_topup_draft, partner_payment_draft, single_draft

WAITING = "waiting for the campaign"  # with SIGNATURE_WAITING, the outcomes that leave a row pending
# No receipt is issued unsigned: the row waits, and is taken again once the organization has a signature.
SIGNATURE_WAITING = "en attente de la signature de l'organisme"
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


def queue_partner_payment(payment: PartnerPayment) -> None:
    """A partner's payment was recorded: its company receipt. Every payment gets a row, so that the job
    records why one that earns no receipt (a public body's, an organization without receipts) got none."""
    insert_ignoring(ReceiptRequest, {
        "key": f"partner-payment:{payment.id}", "action": RequestAction.issue.value,
        "partner_payment_id": payment.id, "waiting_for_campaign_id": _waiting_for(payment.campaign),
        "created_at": utcnow()}, ["key"])


def queue_settlement_paid(settlement: Settlement) -> None:
    """A round-up statement was paid: the merchant's top-up on each line (a company gift to that
    line's organization) gets its receipt, when there is one and the organization gives receipts."""
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(
        Campaign.id.in_({line.campaign_id for line in settlement.lines if line.campaign_id})))}
    organizations = {o.id: o for o in db.session.scalars(select(Organization).where(
        Organization.id.in_({line.recipient_organization_id for line in settlement.lines})))}
    for line in settlement.lines:
        _queue_topup(line, organizations[line.recipient_organization_id], campaigns.get(line.campaign_id))


def queue_settlement_line(line: SettlementLine) -> None:
    """One line of a round-up statement was paid (the merchant's transfer reached its organization):
    the merchant's top-up on it gets its receipt, dated the day the line was paid."""
    campaign = db.session.get(Campaign, line.campaign_id) if line.campaign_id else None
    _queue_topup(line, db.session.get(Organization, line.recipient_organization_id), campaign)


def _queue_topup(line, organization, campaign):
    if line.match_cents <= 0 or not organization.issues_receipts:
        return
    insert_ignoring(ReceiptRequest, {
        "key": f"merchant-topup:{line.id}", "action": RequestAction.issue.value,
        "settlement_line_id": line.id,
        "waiting_for_campaign_id": _waiting_for(campaign) if campaign is not None else None,
        "created_at": utcnow()}, ["key"])


def release_partner(partner: Partner) -> None:
    """A partner's SIREN was recorded: its receipts that waited for it may be issued now."""
    db.session.execute(update(ReceiptRequest).where(ReceiptRequest.waiting_for_partner_id == partner.id)
                       .values(waiting_for_partner_id=None).execution_options(synchronize_session=False))


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

def _of_organization(condition):
    """Rows whose organization (the gift's, or the grant's campaign's) meets `condition`."""
    return or_(
        exists().where(Donation.id == ReceiptRequest.donation_id, Organization.id == Donation.organization_id,
                       condition),
        exists().where(Contribution.id == ReceiptRequest.contribution_id, Campaign.id == Contribution.campaign_id,
                       Organization.id == Campaign.organization_id, condition),
        exists().where(PartnerPayment.id == ReceiptRequest.partner_payment_id,
                       Campaign.id == PartnerPayment.campaign_id, Organization.id == Campaign.organization_id,
                       condition),
        exists().where(SettlementLine.id == ReceiptRequest.settlement_line_id,
                       Organization.id == SettlementLine.recipient_organization_id, condition))


def next_request() -> ReceiptRequest | None:
    """The oldest row ready to process, locked; on PostgreSQL a row another worker holds is skipped.
    A row that waited for its organization's signature is ready once the signature is there."""
    return db.session.scalar(locked(
        select(ReceiptRequest)
        .where(ReceiptRequest.processed_at.is_(None), ReceiptRequest.set_aside_at.is_(None),
               ReceiptRequest.waiting_for_campaign_id.is_(None), ReceiptRequest.waiting_for_partner_id.is_(None),
               or_(ReceiptRequest.outcome.is_distinct_from(SIGNATURE_WAITING),
                   _of_organization(Organization.signature_png.isnot(None))))
        .order_by(ReceiptRequest.id).limit(1), skip_locked=True))


def waiting_for_signature(organization_id: int) -> int:
    """How many queued receipts of the organization wait for its signature image."""
    return db.session.scalar(select(func.count()).select_from(ReceiptRequest).where(
        ReceiptRequest.processed_at.is_(None), ReceiptRequest.outcome == SIGNATURE_WAITING,
        _of_organization(Organization.id == organization_id)))


ERROR_MAX_LENGTH = 1000


def set_aside(request_id: int, error: str) -> bool:
    """Set a pending row aside with why it could not be processed; the caller commits (in a transaction
    of its own: the failed one was rolled back). False if it is no longer pending."""
    result = db.session.execute(
        update(ReceiptRequest)
        .where(ReceiptRequest.id == request_id, ReceiptRequest.processed_at.is_(None),
               ReceiptRequest.set_aside_at.is_(None))
        .values(set_aside_at=utcnow(), error=error[:ERROR_MAX_LENGTH])
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def retry_request(request_id: int) -> ReceiptRequest:
    """Put a set-aside row back in the queue (its cause fixed); the next run processes it. The caller
    commits. NotFound for no such row, Conflict for a row that is not set aside."""
    request = db.session.get(ReceiptRequest, request_id) if 0 < request_id < 2 ** 63 else None
    if request is None:
        raise NotFound(f"no receipt request {request_id}")
    if request.set_aside_at is None:
        raise Conflict("this receipt request is not set aside: the queue processes it", "id")
    request.set_aside_at = None
    request.error = None
    db.session.flush()
    return request


@dataclass
class SetAside:
    request: ReceiptRequest
    organization: Organization
    subject: str  # "gift", "partner payment", "merchant top-up" or "grant"
    subject_id: int


def set_aside_requests(organization_id: int | None = None, limit: int = 100) -> list[SetAside]:
    """The rows set aside (of one organization, or all), oldest first, with the organization they concern."""
    statement = select(ReceiptRequest).where(ReceiptRequest.set_aside_at.isnot(None),
                                             ReceiptRequest.processed_at.is_(None))
    if organization_id is not None:
        statement = statement.where(_of_organization(Organization.id == organization_id))
    return [_set_aside_row(r) for r in db.session.scalars(statement.order_by(ReceiptRequest.id).limit(limit))]


def _set_aside_row(request: ReceiptRequest) -> SetAside:
    if request.donation_id is not None:
        return SetAside(request, db.session.get(Donation, request.donation_id).organization, "gift",
                        request.donation_id)
    if request.partner_payment_id is not None:
        payment = db.session.get(PartnerPayment, request.partner_payment_id)
        return SetAside(request, payment.campaign.organization, "partner payment", payment.id)
    if request.settlement_line_id is not None:
        line = db.session.get(SettlementLine, request.settlement_line_id)
        return SetAside(request, db.session.get(Organization, line.recipient_organization_id), "merchant top-up",
                        line.id)
    contribution = db.session.get(Contribution, request.contribution_id)
    return SetAside(request, db.session.get(Campaign, contribution.campaign_id).organization, "grant",
                    contribution.id)


def process_request(request: ReceiptRequest, rules: dict, renderer=None) -> list[Receipt]:
    """Do what one queue row asks; returns the receipts issued. The caller commits."""
    if request.partner_payment_id is not None:
        outcome, issued = _issue_for_partner_payment(
            request, db.session.get(PartnerPayment, request.partner_payment_id), renderer)
    elif request.settlement_line_id is not None:
        outcome, issued = _issue_for_merchant_topup(
            request, db.session.get(SettlementLine, request.settlement_line_id), renderer)
    elif request.contribution_id is not None:
        # Grants were queued when recorded before revision 0005; none is pending since (see it).
        outcome, issued = "receipted when the partner's payment is recorded", []
    elif request.action is RequestAction.issue:
        outcome, issued = _issue_for_gift(request, db.session.get(Donation, request.donation_id), rules, renderer)
    else:
        donation = db.session.get(Donation, request.donation_id)
        outcome, issued = ((SIGNATURE_WAITING, []) if donation.organization.signature_png is None
                           else correct_after_refund(donation, renderer))
    request.outcome = outcome
    if outcome not in (WAITING, SIGNATURE_WAITING, PARTNER_SIREN_MISSING):
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
    if donation.organization.signature_png is None:
        return SIGNATURE_WAITING, []
    receipts = issue_receipts([single_draft(donation)], renderer=renderer)
    return (f"issued {receipts[0].number}" if receipts else "already issued"), receipts


def _issue_for_partner_payment(request, payment, renderer):
    campaign = payment.campaign
    organization = campaign.organization
    if not organization.issues_receipts:
        return f"{organization.slug} does not issue tax receipts: no receipt", []
    partner = payment.partner
    refusal = partner_refusal(partner)
    if refusal is not None:
        return refusal, []
    waiting = _wait_for(request, campaign)
    if waiting is not None:
        return waiting, []
    if not partner.siren:
        # Asked for: the row waits until the partner's SIREN is recorded (`release_partner`).
        request.waiting_for_partner_id = partner.id
        return PARTNER_SIREN_MISSING, []
    if organization.signature_png is None:
        return SIGNATURE_WAITING, []
    receipts = issue_receipts([partner_payment_draft(payment, organization)], renderer=renderer)
    return (f"issued {receipts[0].number}" if receipts else "already issued"), receipts


def _issue_for_merchant_topup(request, line, renderer):
    organization = db.session.get(Organization, line.recipient_organization_id)
    if not organization.issues_receipts:
        return f"{organization.slug} does not issue tax receipts: no receipt", []
    if line.paid_on is None:
        return "statement line not paid: no receipt", []
    if line.match_cents <= 0:
        return "no top-up on this line: no receipt", []
    if line.campaign_id is not None:
        waiting = _wait_for(request, db.session.get(Campaign, line.campaign_id))
        if waiting is not None:
            return waiting, []
    if organization.signature_png is None:
        return SIGNATURE_WAITING, []
    receipts = issue_receipts([merchant_topup_draft(line, organization)], renderer=renderer)
    return (f"issued {receipts[0].number}" if receipts else "already issued"), receipts
