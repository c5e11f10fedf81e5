"""The public list of the shops offering the round-up (/commerces): each active merchant, its address,
its rounding rule and whom its customers' round-ups go to. Three statements whatever the number of
shops: the merchants, their beneficiaries, the campaigns they name."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.money import format_eur
from campaigns.models import Campaign, CampaignStatus
from donations.roundup.models import Merchant


@dataclass(frozen=True)
class Supported:
    """One beneficiary of a shop: an organization, or one of its campaigns while it is live."""

    organization: str
    campaign_title: str | None
    campaign_slug: str | None
    share_basis_points: int

    @property
    def share_label(self) -> str:
        """`50 %`, `33,33 %`: the share in French, from basis points (no float)."""
        whole, hundredths = divmod(self.share_basis_points, 100)
        decimals = f",{hundredths:02d}".rstrip("0") if hundredths else ""
        return f"{whole}{decimals}\u00a0%"


@dataclass(frozen=True)
class Shop:
    name: str
    address_line1: str
    postal_code: str
    city: str
    rule: str
    supported: list[Supported]


def rule_label(merchant) -> str:
    """`arrondi à l'euro supérieur`, or to the merchant's step."""
    step = merchant.rounding_step_cents
    if step == 100:
        return "arrondi à l'euro supérieur"
    if step % 100 == 0:
        return f"arrondi aux {step // 100} euros supérieurs"
    return f"arrondi au multiple de {format_eur(step)} supérieur"


def shop_cities() -> list[str]:
    return list(db.session.scalars(select(Merchant.city).where(Merchant.active.is_(True)).distinct()
                                   .order_by(Merchant.city)))


def public_shops(city: str | None = None) -> list[Shop]:
    """The active shops (of `city` when given, whatever its case), by city then name."""
    statement = (select(Merchant).where(Merchant.active.is_(True))
                 .options(selectinload(Merchant.beneficiaries)).order_by(Merchant.city, Merchant.name, Merchant.id))
    if city:
        statement = statement.where(func.lower(Merchant.city) == city.strip().lower())
    merchants = db.session.scalars(statement).all()
    campaign_ids = {b.campaign_id for m in merchants for b in m.beneficiaries if b.campaign_id is not None}
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))}
    shops = []
    for merchant in merchants:
        supported = []
        for beneficiary in merchant.beneficiaries:
            if beneficiary.organization_id is not None:
                supported.append(Supported(beneficiary.organization.name, None, None, beneficiary.share_basis_points))
                continue
            campaign = campaigns[beneficiary.campaign_id]
            # A campaign that has ended passes its round-ups on to its organization (the statements do).
            live = campaign.status is CampaignStatus.published
            supported.append(Supported(campaign.organization.name, campaign.title if live else None,
                                       campaign.slug if live else None, beneficiary.share_basis_points))
        shops.append(Shop(merchant.name, merchant.address_line1, merchant.postal_code, merchant.city,
                          rule_label(merchant), supported))
    return shops
