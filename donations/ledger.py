"""What a gift does to its campaign: totals, tier stock, match pledges and the donor wall.

The campaigns package owns those numbers; this module is the one place that calls it, so that the
gift services read as the domain ("count the gift", "take the gift back").
"""
from campaigns import services as campaigns
from campaigns.models import ContributionSource
from donations.models import DonorType, OFFLINE_METHODS


def contribution_source(donation):
    if donation.donor_type is DonorType.company:
        return ContributionSource.company
    if donation.payment_method in OFFLINE_METHODS:
        return ContributionSource.offline
    return ContributionSource.online


def count_gift(donation):
    """The gift's money enters the campaign's totals; partners match a citizen's gift."""
    campaigns.add_contribution(donation.campaign_id, contribution_source(donation), donation.amount_cents,
                               donor_key=donation.donor_key, donation_id=donation.id,
                               reference=donation.payment_reference or None)
    if donation.donor_type is DonorType.individual:
        campaigns.match_gift(donation.campaign_id, donation.id, donation.amount_cents,
                             donor_key=donation.donor_key)
    shown_name = donation.company_name if donation.donor_type is DonorType.company else donation.first_name
    campaigns.add_wall_entry(donation.campaign_id, donation.id, None if donation.anonymous else shown_name[:80],
                             donation.public_message)


def take_back(donation, amount_cents):
    """A refund of `amount_cents`: totals and matches follow, the wall forgets a fully refunded gift."""
    campaigns.reverse_donation_contributions(donation.id, amount_cents)
    if amount_cents >= donation.amount_cents or donation.refunded_cents >= donation.amount_cents:
        campaigns.remove_wall_entry(donation.id)


def claim_tier(donation):
    if donation.reward_tier_id is not None:
        campaigns.claim_tier(donation.reward_tier_id, donation.amount_cents)


def release_tier(donation):
    if donation.reward_tier_id is not None:
        campaigns.release_tier(donation.reward_tier_id)
