"""Merchants, their beneficiaries and their API keys. Plain arguments in, models out."""
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Row, Select, select, update

from app import keys
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.identifiers import clean_siret
from app.keys import hash_key
from app.lookups import get_by_id, get_by_slug, unique_slug
from app.text import slugify
from app.types import utcnow
from campaigns.models import Campaign, CampaignStatus, Organization
from donations.roundup.models import FULL_SHARE, Merchant, MerchantBeneficiary, MerchantKey, MerchantKeyKind

KEY_PREFIX = MerchantKey.KIND
# A key's last-used time is rewritten at most this often, so that the hot path rarely writes it.
LAST_USED_GRANULARITY = timedelta(minutes=1)

RULE_FIELDS = {"rounding_step_cents", "round_exact_baskets", "top_ups_cents", "max_roundup_cents", "active"}
MERCHANT_FIELDS = {
    "name", "slug", "siret", "address_line1", "postal_code", "city", "email", "rounding_step_cents",
    "round_exact_baskets", "top_ups_cents", "max_roundup_cents", "match_ratio_percent",
    "match_monthly_cap_cents", "active",
}


def create_merchant(*, beneficiaries, **values) -> Merchant:
    """Create a merchant with its beneficiaries: [{"organization" or "campaign": slug, "share_basis_points"}]."""
    values = {k: v for k, v in values.items() if k in MERCHANT_FIELDS and v is not None}
    values["siret"] = _siret(values.get("siret"))
    values["top_ups_cents"] = _top_ups(values.get("top_ups_cents") or [])
    if not (values.get("slug") or slugify(values.get("name", ""))):
        raise InvalidInput("a merchant needs a name", "name")
    values["slug"] = unique_slug(Merchant, values.get("slug"), values.get("name", ""))
    merchant = Merchant(**values)
    merchant.beneficiaries = _beneficiaries(beneficiaries)
    db.session.add(merchant)
    db.session.flush()
    return merchant


def update_merchant(merchant, *, beneficiaries=None, **values) -> Merchant:
    """Change the rule, the match or the beneficiaries; settled statements keep their own copy."""
    values = {k: v for k, v in values.items() if k in MERCHANT_FIELDS - {"slug"}}
    if "siret" in values:
        values["siret"] = _siret(values["siret"])
    if "top_ups_cents" in values:
        values["top_ups_cents"] = _top_ups(values["top_ups_cents"] or [])
    changed = {name for name, value in values.items() if getattr(merchant, name) != value}
    for name, value in values.items():
        setattr(merchant, name, value)
    if changed & RULE_FIELDS:
        merchant.rule_version += 1
    if beneficiaries is not None:
        merchant.beneficiaries = _beneficiaries(beneficiaries)
    db.session.flush()
    return merchant


def _siret(value):
    try:
        return clean_siret(value or "")
    except ValueError as error:
        raise InvalidInput(str(error), "siret")


def _top_ups(values):
    if len(values) > 5 or any(isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in values):
        raise InvalidInput("up to 5 top-ups, each a positive number of cents", "top_ups_cents")
    if len(set(values)) != len(values):
        raise InvalidInput("each top-up once", "top_ups_cents")
    return sorted(values)


def _beneficiaries(items):
    """Resolve slugs and check that the shares add up to exactly 100 %."""
    if not items:
        raise InvalidInput("a merchant gives to at least one beneficiary", "beneficiaries")
    rows, seen = [], set()
    for item in items:
        share = item.get("share_basis_points")
        if isinstance(share, bool) or not isinstance(share, int) or not 0 < share <= FULL_SHARE:
            raise InvalidInput("each share is between 0.01 % and 100 %", "beneficiaries")
        if bool(item.get("organization")) == bool(item.get("campaign")):
            raise InvalidInput("each beneficiary is an organization or a campaign", "beneficiaries")
        if item.get("organization"):
            organization = db.session.scalar(select(Organization).where(Organization.slug == item["organization"]))
            if organization is None:
                raise InvalidInput(f"no organization {item['organization']!r}", "beneficiaries")
            key = ("organization", organization.id)
            row = MerchantBeneficiary(organization_id=organization.id, share_basis_points=share)
        else:
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == item["campaign"]))
            if campaign is None:
                raise InvalidInput(f"no campaign {item['campaign']!r}", "beneficiaries")
            if campaign.status is not CampaignStatus.published:
                raise InvalidInput(f"the campaign {campaign.slug!r} is not published", "beneficiaries")
            key = ("campaign", campaign.id)
            row = MerchantBeneficiary(campaign_id=campaign.id, share_basis_points=share)
        if key in seen:
            raise InvalidInput("each beneficiary once", "beneficiaries")
        seen.add(key)
        rows.append(row)
    total = sum(row.share_basis_points for row in rows)
    if total != FULL_SHARE:
        raise InvalidInput(f"the shares add up to {total / 100:.2f} %, not 100 %", "beneficiaries")
    return rows


def get_merchant(slug) -> Merchant:
    return get_by_slug(Merchant, slug, "merchant")


def list_merchants() -> Select:
    return select(Merchant).order_by(Merchant.name)


def issue_merchant_key(merchant, kind="api", label="") -> tuple[MerchantKey, str]:
    """A new key for `merchant`: `api` (a checkout or back end: everything) or `till` (a device at the
    counter: quote, record, void, today's figures). Returns (MerchantKey, key); only the hash is stored."""
    try:
        kind = MerchantKeyKind(kind)
    except ValueError:
        raise InvalidInput("a key is of kind api or till", "kind") from None
    return keys.issue(MerchantKey, label, merchant_id=merchant.id, kind=kind)


def create_key(merchant, label="") -> tuple[MerchantKey, str]:
    """A new `api` key for `merchant` (see issue_merchant_key)."""
    return issue_merchant_key(merchant, MerchantKeyKind.api, label)


def list_keys(merchant) -> Sequence[MerchantKey]:
    return db.session.scalars(select(MerchantKey).where(MerchantKey.merchant_id == merchant.id)
                              .order_by(MerchantKey.id)).all()


def get_key(merchant, key_id) -> MerchantKey:
    row = db.session.get(MerchantKey, key_id)
    if row is None or row.merchant_id != merchant.id:
        raise NotFound(f"no key {key_id} for this merchant")
    return row


def revoke_key(row) -> MerchantKey:
    return keys.revoke(row)


def key_for_secret(key) -> MerchantKey | None:
    """The live key row behind a pasted key (dashboard sign-in), or None."""
    return keys.find(MerchantKey, key)


# What the checkout needs of a merchant: its rule. Read as a plain row, without the ORM, on the hot path.
RULE_COLUMNS = (Merchant.id, Merchant.slug, Merchant.active, Merchant.rule_version, Merchant.rounding_step_cents,
                Merchant.round_exact_baskets, Merchant.top_ups_cents, Merchant.max_roundup_cents)


def merchant_for_key(key, connection=None) -> tuple[Row, bool] | None:
    """(merchant rule row, touched) behind a live key, or None.

    The row has the merchant's `id`, `slug`, `active` and rule columns. The key's last-used time is
    rewritten only when older than a minute; `touched` says it was, for a caller whose session must
    commit it (on an autocommit `connection` it is written at once).
    """
    if not keys.is_kind(MerchantKey, key):
        return None
    return merchant_for_key_hash(hash_key(key), connection)


def merchant_for_key_hash(key_hash, connection=None) -> tuple[Row, bool] | None:
    """`merchant_for_key` for a key already hashed."""
    execute = connection.execute if connection is not None else db.session.execute
    found = execute(
        select(*RULE_COLUMNS, MerchantKey.id.label("key_id"), MerchantKey.kind.label("key_kind"),
               MerchantKey.last_used_at)
        .join(MerchantKey, MerchantKey.merchant_id == Merchant.id)
        .where(MerchantKey.key_hash == key_hash, MerchantKey.revoked_at.is_(None))
    ).first()
    if found is None:
        return None
    now = utcnow()
    touched = found.last_used_at is None or now - found.last_used_at > LAST_USED_GRANULARITY
    if touched:
        execute(update(MerchantKey).where(MerchantKey.id == found.key_id).values(last_used_at=now))
    return found, touched


def get_merchant_by_id(merchant_id) -> Merchant:
    return get_by_id(Merchant, merchant_id, "merchant")
