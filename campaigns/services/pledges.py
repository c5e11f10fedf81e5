"""Partners' money: match pledges (abondement) and fixed grants."""
from collections.abc import Sequence

from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from campaigns.models import (CampaignPartnerTotal, CampaignStatus, Contribution, ContributionSource, MatchPledge,
                              Partner)
from campaigns.services.ledger import _existing, add_contribution

OPEN_STATUSES = (CampaignStatus.draft, CampaignStatus.submitted, CampaignStatus.published)


def _positive(value, field, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{field} is a positive whole number", field)
    return value


def create_pledge(campaign, partner_id, *, total_cap_cents, ratio_numerator=1, ratio_denominator=1,
                  per_gift_cap_cents=None, max_gifts_per_donor=None) -> MatchPledge:
    """A partner's promise to match gifts to a draft or live campaign."""
    if campaign.status not in OPEN_STATUSES:
        raise Conflict(f"a {campaign.status.value} campaign takes no new pledge", "campaign")
    if db.session.get(Partner, partner_id) is None:
        raise NotFound(f"no partner {partner_id}", "partner")
    pledge = MatchPledge(
        campaign_id=campaign.id, partner_id=partner_id,
        ratio_numerator=_positive(ratio_numerator, "ratio_numerator"),
        ratio_denominator=_positive(ratio_denominator, "ratio_denominator"),
        per_gift_cap_cents=_positive(per_gift_cap_cents, "per_gift_cap_cents", allow_none=True),
        total_cap_cents=_positive(total_cap_cents, "total_cap_cents"),
        max_gifts_per_donor=_positive(max_gifts_per_donor, "max_gifts_per_donor", allow_none=True),
        matched_cents=0, matched_gift_count=0, active=True)
    db.session.add(pledge)
    db.session.flush()
    return pledge


def set_pledge_active(campaign, pledge_id, active) -> MatchPledge:
    """Pause or resume a pledge: gifts already matched keep their match."""
    pledge = db.session.get(MatchPledge, pledge_id)
    if pledge is None or pledge.campaign_id != campaign.id:
        raise NotFound("no such pledge on this campaign", "pledge")
    pledge.active = bool(active)
    db.session.flush()
    return pledge


def list_pledges(campaign) -> Sequence[MatchPledge]:
    return db.session.scalars(select(MatchPledge).where(MatchPledge.campaign_id == campaign.id)
                              .order_by(MatchPledge.id)).all()


def record_grant(campaign, partner_id, amount_cents, *, reference=None) -> Contribution:
    """A partner's fixed gift to a campaign (the city's subsidy, a company's patronage).

    Counted in the totals as source `grant`: what the partner has committed, not money received.
    The partner's payment (`campaigns.services.payments.record_partner_payment`) is what earns the
    company receipt. `reference` makes it idempotent: a known reference returns the first grant.
    """
    if reference is not None:
        known = _existing(campaign.id, ContributionSource.grant, None, None, reference)
        if known is not None:
            return known
    return add_contribution(campaign.id, ContributionSource.grant, amount_cents, partner_id=partner_id,
                            reference=reference)


def partner_shares(campaign) -> list[dict]:
    """Each partner with what they have put in (matches, grants) and their pledges."""
    partners = {}
    for pledge in db.session.scalars(select(MatchPledge).where(MatchPledge.campaign_id == campaign.id)
                                     .order_by(MatchPledge.id)):
        entry = partners.setdefault(pledge.partner_id, {"partner": pledge.partner, "matched_cents": 0,
                                                        "granted_cents": 0, "pledges": []})
        entry["pledges"].append(pledge)
    for total in db.session.scalars(select(CampaignPartnerTotal).where(CampaignPartnerTotal.campaign_id == campaign.id)):
        entry = partners.setdefault(total.partner_id, {"partner": total.partner, "matched_cents": 0,
                                                       "granted_cents": 0, "pledges": []})
        if total.source is ContributionSource.match:
            entry["matched_cents"] += total.amount_cents
        else:
            entry["granted_cents"] += total.amount_cents
    return sorted(partners.values(), key=lambda e: (-(e["matched_cents"] + e["granted_cents"]), e["partner"].name))
