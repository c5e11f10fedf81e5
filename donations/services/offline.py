"""Gifts received by cheque, cash or transfer, recorded by the organization's finance officer."""
from flask import current_app

from app.errors import InvalidInput
from app.formatting import local_today
from app.tax_rules import rules_cover_from
from app.extensions import db
from campaigns import services as campaigns
from campaigns.models import CampaignStatus
from donations.models import Donation, DonorType, OFFLINE_METHODS, PaymentMethod, ReceiptChoice
from donations.services.gifts import DONOR_FIELDS, clean_donor, existing_gift, request_fingerprint
from donations.services.settlement import succeed_gift

# A cheque posted before the end may be recorded after it, until the campaign is closed.
RECORDABLE = {CampaignStatus.published, CampaignStatus.succeeded}


def record_offline_gift(organization_id, campaign_slug, *, amount_cents, payment_method, paid_on,
                        donor_type=DonorType.individual, receipt_choice=ReceiptChoice.per_gift, reference="",
                        anonymous=False, public_message="", idempotency_key=None, **donor_values) -> Donation:
    """The money is in the organization's hands: the gift is succeeded at once, dated `paid_on`."""
    campaign = campaigns.get_campaign(campaign_slug)
    if campaign.organization_id != organization_id:
        raise InvalidInput("this campaign is not one of the organization's", "campaign")
    fingerprint = request_fingerprint(
        organization_id=organization_id, amount_cents=amount_cents, payment_method=payment_method,
        paid_on=paid_on, donor_type=donor_type, receipt_choice=receipt_choice, reference=reference or "",
        anonymous=bool(anonymous), public_message=public_message or "",
        **{name: donor_values.get(name) or "" for name in DONOR_FIELDS})
    first = existing_gift(campaign.id, idempotency_key, fingerprint)
    if first is not None:
        return first
    if campaign.status not in RECORDABLE:
        raise InvalidInput(f"a {campaign.status.value} campaign takes no gift", "campaign")
    payment_method = PaymentMethod(payment_method)
    if payment_method not in OFFLINE_METHODS:
        raise InvalidInput("cheque, cash or transfer", "payment_method")
    if amount_cents <= 0:
        raise InvalidInput("a gift is at least one cent", "amount_cents")
    if amount_cents > current_app.config["MAX_OFFLINE_GIFT_CENTS"]:
        raise InvalidInput(f"at most {current_app.config['MAX_OFFLINE_GIFT_CENTS']} cents are recorded as one gift",
                           "amount_cents")
    # Money received today or before, and on a day the dated tax rules cover (its receipt needs them).
    earliest = rules_cover_from(current_app.config["TAX_RULES"])
    if not earliest <= paid_on <= local_today():
        raise InvalidInput(f"the day the money was received is between {earliest.isoformat()} and today",
                           "paid_on")
    donor_type, receipt_choice = DonorType(donor_type), ReceiptChoice(receipt_choice)
    if not campaign.organization.issues_receipts:
        receipt_choice = ReceiptChoice.none
    donor = clean_donor(donor_type, receipt_choice, donor_values)
    donation = Donation(campaign_id=campaign.id, organization_id=organization_id, amount_cents=amount_cents,
                        donor_type=donor_type, receipt_choice=receipt_choice, payment_method=payment_method,
                        payment_reference=(reference or "").strip(), anonymous=bool(anonymous),
                        public_message=(public_message or "").strip(), idempotency_key=idempotency_key or None,
                        idempotency_fingerprint=fingerprint if idempotency_key else None,
                        **donor)
    db.session.add(donation)
    db.session.flush()
    succeed_gift(donation, paid_on)
    return donation
