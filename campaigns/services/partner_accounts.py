"""A partner's account with the campaigns it funds: its pledges (cap, used, left), and per campaign what
it has committed (matches and grants, net of reversals), paid and still owes.

Read from the stored totals (`MatchPledge.matched_cents`, `CampaignPartnerTotal`) and the partner's
payments, never from the gifts: a handful of rows per campaign the partner funds.
"""
from dataclasses import dataclass

from sqlalchemy import BigInteger, cast, func, select

from app.extensions import db
from campaigns.models import (
    Campaign,
    CampaignPartnerTotal,
    ContributionSource,
    MatchPledge,
    PartnerPayment,
)
from campaigns.services.ledger import COUNTING_STATUSES
from campaigns.services.pledges import OPEN_STATUSES


@dataclass
class CampaignAccount:
    campaign: Campaign
    pledged_cents: int = 0  # the caps of its pledges on the campaign
    matched_cents: int = 0
    granted_cents: int = 0
    paid_cents: int = 0

    @property
    def committed_cents(self):
        return self.matched_cents + self.granted_cents

    @property
    def left_cents(self):
        """What its pledges may still match."""
        return max(0, self.pledged_cents - self.matched_cents)

    @property
    def due_cents(self):
        return max(0, self.committed_cents - self.paid_cents)


def partner_pledges(partner_id):
    """The partner's pledges with their campaigns, the newest campaigns first."""
    return db.session.execute(
        select(MatchPledge, Campaign).join(Campaign, Campaign.id == MatchPledge.campaign_id)
        .where(MatchPledge.partner_id == partner_id)
        .order_by(Campaign.starts_at.desc(), Campaign.id, MatchPledge.id)).all()


def _sum(column):
    return cast(func.coalesce(func.sum(column), 0), BigInteger)


def partner_accounts(partner_id) -> list[CampaignAccount]:
    """Per campaign the partner pledged to or put money in: pledged, matched, granted, paid, due."""
    accounts = {}

    def account(campaign_id):
        return accounts.setdefault(campaign_id, CampaignAccount(campaign=None))

    for campaign_id, pledged, matched in db.session.execute(
            select(MatchPledge.campaign_id, _sum(MatchPledge.total_cap_cents), _sum(MatchPledge.matched_cents))
            .where(MatchPledge.partner_id == partner_id).group_by(MatchPledge.campaign_id)):
        account(campaign_id).pledged_cents = pledged
    for campaign_id, source, amount in db.session.execute(
            select(CampaignPartnerTotal.campaign_id, CampaignPartnerTotal.source, CampaignPartnerTotal.amount_cents)
            .where(CampaignPartnerTotal.partner_id == partner_id,
                   CampaignPartnerTotal.source.in_((ContributionSource.match, ContributionSource.grant)))):
        line = account(campaign_id)
        if source is ContributionSource.match:
            line.matched_cents += amount
        else:
            line.granted_cents += amount
    for campaign_id, paid in db.session.execute(
            select(PartnerPayment.campaign_id, _sum(PartnerPayment.amount_cents))
            .where(PartnerPayment.partner_id == partner_id).group_by(PartnerPayment.campaign_id)):
        account(campaign_id).paid_cents = paid
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(accounts)))}
    for campaign_id, line in accounts.items():
        line.campaign = campaigns[campaign_id]
    return sorted(accounts.values(), key=lambda line: (line.campaign.title, line.campaign.id))


def campaigns_open_to_pledges():
    return db.session.scalars(select(Campaign).where(Campaign.status.in_(OPEN_STATUSES))
                              .order_by(Campaign.title)).all()


def campaigns_taking_money():
    """The campaigns a grant may be recorded on (live or ended, not yet closed)."""
    return db.session.scalars(select(Campaign).where(Campaign.status.in_(COUNTING_STATUSES))
                              .order_by(Campaign.title)).all()
