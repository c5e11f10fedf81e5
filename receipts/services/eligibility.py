"""Whether money earns a receipt, and for how much: the rules every receipt path applies.

The lowest room of the receipts services: it reads gifts, partners' payments, merchants'
statements and campaigns and decides; it
issues nothing and imports no other receipts service.
"""
from datetime import date

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.formatting import to_local
from app.tax_rules import figures_on, rules_day
from campaigns.models import Campaign, CampaignStatus, FundingModel, Partner, PartnerKind
from donations.models import Donation, DonationStatus, DonorType
from donations.roundup.models import Merchant, Settlement

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


def donor_key(donation: Donation) -> str:
    """Who the donor is across gifts, as annual receipts group them: a company by its SIREN, an
    individual by their email (a gift without one stands alone)."""
    if donation.donor_type is DonorType.company:
        return f"company:{donation.company_siren}"
    return f"individual:{(donation.email or '').strip().lower() or donation.public_id}"


def _same_donor(donation: Donation):
    if donation.donor_type is DonorType.company:
        return Donation.company_siren == donation.company_siren
    email = (donation.email or "").strip().lower()
    if not email:
        return Donation.id == donation.id
    return func.lower(func.trim(Donation.email)) == email


def counterpart_within_limits(donation: Donation, rules: dict) -> bool:
    """Whether the gift's reward leaves it a gift (BOI-IR-RICI-250-10-20-10, "disproportion marquée").

    The tolerance bounds everything a donor received from the organization in a calendar year: the
    fair values of the rewards of their gifts of the year, up to and including this one (in the
    order the money arrived), are within a quarter of those gifts and, for an individual, within a
    flat amount a year (73 €). A gift with a reward that breaks it earns no reduction at all; a gift
    without a reward is never refused, and a receipt already issued for an earlier gift stands.
    `rules` is the dated table (TAX_RULES): the figures are those of the gift's year, taken on
    31 December (see app.tax_rules.rules_day).
    """
    if not donation.tier_fair_value_cents or donation.status not in RECEIPTED_STATES:
        return True  # no reward, or no money kept: nothing to weigh (eligible_cents says 0)
    day = gift_date(donation)
    figures = figures_on(rules, rules_day(gift_year=day.year))
    earlier = or_(Donation.paid_on < day, and_(Donation.paid_on == day, Donation.id < donation.id))
    year_gifts = db.session.execute(
        select(func.coalesce(func.sum(Donation.amount_cents - Donation.refunded_cents), 0),
               func.coalesce(func.sum(Donation.tier_fair_value_cents), 0))
        .where(Donation.organization_id == donation.organization_id, Donation.donor_type == donation.donor_type,
               _same_donor(donation), Donation.status.in_(RECEIPTED_STATES), Donation.id != donation.id,
               Donation.paid_on >= date(day.year, 1, 1), earlier)).one()
    kept = year_gifts[0] + donation.amount_cents - donation.refunded_cents
    fair = year_gifts[1] + donation.tier_fair_value_cents
    if fair * 100 > kept * figures["counterpart_max_percent"]:
        return False
    return donation.donor_type is DonorType.company or fair <= figures["counterpart_yearly_cap_cents"]


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


def partner_refusal(partner: Partner) -> str | None:
    """Why a partner's payment earns no receipt, or None when it earns a company receipt (Cerfa 16216).

    Only companies deduct patronage under article 238 bis; a public body or a foundation does not.
    A company without a SIREN is not refused: its receipt waits for the SIREN (`PARTNER_SIREN_MISSING`).
    """
    if partner.kind is not PartnerKind.company:
        return f"partner is a {partner.kind.value}: no receipt"
    return None


PARTNER_SIREN_MISSING = "SIREN du partenaire manquant"


def partner_snapshot(partner: Partner) -> dict:
    """The company block of a partner's receipt, copied from the partner as it stands today."""
    return {"company_name": partner.name, "legal_form": partner.legal_form or "", "siren": partner.siren or "",
            "address_line1": partner.address_line1 or "", "address_line2": "", "postal_code": partner.postal_code or "",
            "city": partner.city or "", "country": "France", "email": ""}


def merchant_snapshot(merchant: Merchant) -> dict:
    """The company block of a merchant's top-up receipt: its SIREN is the first nine digits of its SIRET."""
    return {"company_name": merchant.name, "legal_form": "", "siren": (merchant.siret or "")[:9],
            "address_line1": merchant.address_line1 or "", "address_line2": "",
            "postal_code": merchant.postal_code or "", "city": merchant.city or "", "country": "France",
            "email": merchant.email or ""}


def settlement_paid_on(settlement: Settlement) -> date:
    """A merchant's statement is money received the day it was marked paid, in the territory's calendar."""
    return to_local(settlement.paid_at).date()
