"""Reward tiers (contreparties): inline editing, and claims that never oversell."""
from flask import current_app
from sqlalchemy import or_, update

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.formatting import to_local
from app.money import format_eur
from app.tax_rules import figures_on, percent_text, rule_on
from campaigns.models import RewardTier

TIER_FIELDS = ("title", "description", "min_amount_cents", "quantity_limit", "fair_value_cents")
# Receipts deduct the fair value from claimed gifts: it and the minimum stay as they were claimed.
FROZEN_ONCE_CLAIMED = ("min_amount_cents", "fair_value_cents")


def _check_tier(values, index):
    field = f"tiers.{index}"
    minimum = values.get("min_amount_cents")
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise InvalidInput("a reward's minimum amount is a positive number of cents", field)
    fair = values.get("fair_value_cents") or 0
    if fair < 0 or fair > minimum:
        raise InvalidInput("a reward's fair value is between 0 and its minimum amount", field)
    limit = values.get("quantity_limit")
    if limit is not None and limit < 1:
        raise InvalidInput("a quantity limit is at least 1 (or none)", field)
    if not (values.get("title") or "").strip():
        raise InvalidInput("a reward has a title", field)


def _check_counterpart(values, index, day):
    """A reward a donor's gift could not carry without losing its tax reduction is refused here,
    not discovered when the receipt is due: its fair value within the share of the gift and the
    flat yearly amount of counterparts in force on the campaign's start date (a gift of the tier's
    minimum amount then stays a gift; the receipt checks the donor's whole year)."""
    table = current_app.config["TAX_RULES"]
    rules = figures_on(table, day)
    share, cap = rules["counterpart_max_percent"], rules["counterpart_yearly_cap_cents"]
    fair, minimum = values.get("fair_value_cents") or 0, values["min_amount_cents"]
    if fair * 100 > minimum * share or fair > cap:
        reference = rule_on(table, "counterpart_max_percent", day).reference
        raise InvalidInput(
            f"a reward's fair value ({format_eur(fair)}) may not exceed {percent_text(share)} of its minimum "
            f"amount ({format_eur(minimum * share // 100)}) nor {format_eur(cap)}: the gift would no longer "
            f"earn a tax reduction ({reference})", f"tiers.{index}.fair_value_cents")


def sync_tiers(campaign, tiers) -> None:
    """Make the campaign's tiers those listed: items with an `id` edit that tier, items without one
    are new, tiers left out are removed. A claimed tier keeps its minimum and fair value, never
    goes below what was claimed, and is never removed."""
    existing = {tier.id: tier for tier in campaign.tiers}
    starts_on = to_local(campaign.starts_at).date()
    kept = []
    for index, values in enumerate(tiers):
        values = dict(values)
        tier_id = values.pop("id", None)
        if tier_id is None:
            _check_tier(values, index)
            _check_counterpart(values, index, starts_on)
            tier = RewardTier(claimed_count=0, **{k: values.get(k) for k in TIER_FIELDS if k in values})
            tier.fair_value_cents = tier.fair_value_cents or 0
            tier.description = tier.description or ""
        else:
            tier = existing.get(tier_id)
            if tier is None:
                raise InvalidInput(f"no reward {tier_id} in this campaign", f"tiers.{index}")
            merged = {k: values.get(k, getattr(tier, k)) for k in TIER_FIELDS}
            _check_tier(merged, index)
            if tier.claimed_count:
                for field in FROZEN_ONCE_CLAIMED:
                    if merged[field] != getattr(tier, field):
                        raise Conflict(f"{field} of a reward already claimed cannot change", f"tiers.{index}")
                if merged["quantity_limit"] is not None and merged["quantity_limit"] < tier.claimed_count:
                    raise InvalidInput(f"{tier.claimed_count} of this reward are already claimed",
                                       f"tiers.{index}")
            if any(merged[field] != getattr(tier, field) for field in FROZEN_ONCE_CLAIMED):
                _check_counterpart(merged, index, starts_on)  # a tier left as it was is not re-judged
            for name, value in merged.items():
                setattr(tier, name, value)
        tier.position = index
        kept.append(tier)
    kept_ids = {tier.id for tier in kept if tier.id is not None}
    for tier_id, tier in existing.items():
        if tier_id not in kept_ids and tier.claimed_count:
            raise Conflict(f"the reward {tier.title!r} has been claimed and cannot be removed", "tiers")
    campaign.tiers = kept


def claim_tier(tier_id, amount_cents, *, campaign_id=None) -> RewardTier:
    """Claim one unit of a reward for a gift of `amount_cents`, in the caller's transaction.

    One conditional UPDATE: on PostgreSQL a concurrent claim waits for the row and re-checks the
    condition, so the last unit goes to exactly one gift; the CHECK constraint backs it up.
    """
    tier = db.session.get(RewardTier, tier_id)
    if tier is None or (campaign_id is not None and tier.campaign_id != campaign_id):
        raise NotFound("no such reward in this campaign", "reward_tier_id")
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < tier.min_amount_cents:
        raise InvalidInput(f"this reward needs a gift of at least {tier.min_amount_cents} cents", "reward_tier_id")
    claimed = db.session.execute(
        update(RewardTier)
        .where(RewardTier.id == tier_id,
               or_(RewardTier.quantity_limit.is_(None), RewardTier.claimed_count < RewardTier.quantity_limit))
        .values(claimed_count=RewardTier.claimed_count + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount == 0:
        raise Conflict("this reward is sold out", "reward_tier_id")
    db.session.expire(tier, ["claimed_count"])
    return tier


def release_tier(tier_id) -> RewardTier:
    """Give a unit back (the gift failed or was refunded)."""
    tier = db.session.get(RewardTier, tier_id)
    if tier is None:
        raise NotFound("no such reward", "reward_tier_id")
    db.session.execute(update(RewardTier).where(RewardTier.id == tier_id, RewardTier.claimed_count > 0)
                       .values(claimed_count=RewardTier.claimed_count - 1)
                       .execution_options(synchronize_session=False))
    db.session.expire(tier, ["claimed_count"])
    return tier
