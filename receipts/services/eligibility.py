"""Whether money earns a receipt, and for how much: the rules every receipt path applies.

The lowest room of the receipts services: it reads gifts, grants and campaigns and decides; it
issues nothing and imports no other receipts service.
"""
from datetime import date

from app.formatting import to_local
from campaigns.models import Campaign, CampaignStatus, Contribution, FundingModel, Partner, PartnerKind
from donations.models import Donation, DonationStatus, DonorType

# A gift in these states is money the organization keeps (in part for a partial refund).
RECEIPTED_STATES = {DonationStatus.succeeded, DonationStatus.partially_refunded}
RELEASED_CAMPAIGN_STATES = {CampaignStatus.succeeded, CampaignStatus.closed}
ENDED_WITHOUT_MONEY = {CampaignStatus.failed, CampaignStatus.cancelled}


def campaign_allows_receipts(campaign: Campaign) -> bool:
    """All-or-nothing money is kept only once the campaign succeeded: no receipt before that."""
    return campaign.funding_model is not FundingModel.all_or_nothing or campaign.status in RELEASED_CAMPAIGN_STATES


def campaign_lost_its_money(campaign: Campaign) -> bool:
    """An all-or-nothing campaign that failed (or was withdrawn) gives its money back: never a receipt."""
    return not campaign_allows_receipts(campaign) and campaign.status in ENDED_WITHOUT_MONEY


def counterpart_within_limits(donation: Donation, rules: dict) -> bool:
    """A reward worth more than the allowed share of the gift (or the yearly cap for individuals)
    takes the whole gift out of the reduction (BOI-IR-RICI-250-20-20)."""
    fair = donation.tier_fair_value_cents or 0
    if fair * 100 > donation.amount_cents * rules["counterpart_max_percent"]:
        return False
    return donation.donor_type is DonorType.company or fair <= rules["counterpart_yearly_cap_cents"]


def eligible_cents(donation: Donation) -> int:
    """The part of the gift that earns the reduction now: what was kept, minus the reward's value."""
    if donation.status not in RECEIPTED_STATES:
        return 0
    return max(0, donation.amount_cents - donation.refunded_cents - (donation.tier_fair_value_cents or 0))


def donor_snapshot(donation: Donation) -> dict:
    """The donor block a receipt freezes: who gave, where they live, where the receipt is sent."""
    if donation.donor_type is DonorType.company:
        identity = {"company_name": donation.company_name or "", "legal_form": donation.company_legal_form or "",
                    "siren": donation.company_siren or ""}
    else:
        identity = {"first_name": donation.first_name, "last_name": donation.last_name}
    return {**identity, "address_line1": donation.address_line1, "address_line2": donation.address_line2 or "",
            "postal_code": donation.postal_code, "city": donation.city, "country": donation.country or "France",
            "email": donation.email}


def gift_date(donation: Donation) -> date:
    """When the money arrived, which dates a single receipt."""
    return donation.paid_on or donation.created_at.date()


def grant_refusal(partner: Partner) -> str | None:
    """Why a partner's grant earns no receipt, or None when it earns a company receipt (Cerfa 16216).

    Only companies deduct patronage under article 238 bis; a public body or a foundation does not.
    """
    if partner.kind is not PartnerKind.company:
        return f"partner is a {partner.kind.value}: no receipt"
    if not partner.siren:
        return "company partner without a SIREN: no receipt"
    return None


def partner_snapshot(partner: Partner) -> dict:
    """The company block of a grant's receipt, copied from the partner as it stands today."""
    return {"company_name": partner.name, "legal_form": partner.legal_form or "", "siren": partner.siren or "",
            "address_line1": partner.address_line1 or "", "address_line2": "", "postal_code": partner.postal_code or "",
            "city": partner.city or "", "country": "France", "email": ""}


def grant_date(contribution: Contribution) -> date:
    """A grant is recorded when the money is received: that day, in the territory's calendar."""
    return to_local(contribution.created_at).date()
