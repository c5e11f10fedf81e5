"""Demo data: three shops of Sceaux offering the round-up, with a few months of round-ups and statements."""
import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.formatting import local_today
from app.money import format_eur
from campaigns.models import Campaign, CampaignStatus, Organization
from donations.roundup import services
from donations.roundup.models import Merchant, MerchantKey, Roundup
from donations.roundup.services.settlement import next_month, previous_month

MERCHANTS = [
    dict(slug="boulangerie-des-blagis", name="Boulangerie des Blagis", siret="44230671800010",
         address_line1="45 avenue des Quatre-Chemins", postal_code="92330", city="Sceaux",
         rounding_step_cents=100, max_roundup_cents=200, match_ratio_percent=0,
         beneficiaries=[("epicerie-solidaire-sceaux", 10_000)]),
    dict(slug="librairie-page-sceaux", name="Librairie Page de Sceaux", siret="73282932000017",
         address_line1="20 rue Houdan", postal_code="92330", city="Sceaux", rounding_step_cents=100,
         top_ups_cents=[100, 200], max_roundup_cents=300, match_ratio_percent=50, match_monthly_cap_cents=5_000,
         beneficiaries=[("amis-jardin-menagerie", 5_000), ("ville-de-sceaux", 5_000)]),
    dict(slug="epicerie-fine-houdan", name="Épicerie fine Houdan", siret="38495012700025",
         address_line1="88 rue Houdan", postal_code="92330", city="Sceaux", rounding_step_cents=50,
         round_exact_baskets=True, max_roundup_cents=100, match_ratio_percent=100, match_monthly_cap_cents=3_000,
         beneficiaries=[("epicerie-solidaire-sceaux", 6_000), ("amis-jardin-menagerie", 4_000)]),
]
DONORS = ["marie.dupont@example.org", "karim.benali@example.org", "lucie.martin@example.org"]


def load_merchants():
    if db.session.scalar(select(func.count()).select_from(Organization)
                         .where(Organization.slug.in_(["epicerie-solidaire-sceaux", "amis-jardin-menagerie",
                                                       "ville-de-sceaux"]))) < 3:
        return ["Round-up demo skipped: the demo organizations are missing."]
    lines = ["Round-up merchants (dashboard at /commercant with the key):"]
    campaign = db.session.scalar(select(Campaign).where(Campaign.status == CampaignStatus.published)
                                 .order_by(Campaign.id).limit(1))
    for values in MERCHANTS:
        merchant = db.session.scalar(select(Merchant).where(Merchant.slug == values["slug"]))
        if merchant is None:
            values = dict(values)
            beneficiaries = [{"organization": slug, "share_basis_points": share}
                             for slug, share in values.pop("beneficiaries")]
            if values["slug"] == "epicerie-fine-houdan" and campaign is not None:
                # The grocer also supports a campaign of the territory when one is running.
                beneficiaries[1] = {"campaign": campaign.slug, "share_basis_points": 4_000}
            merchant = services.create_merchant(beneficiaries=beneficiaries, **values)
        _load_roundups(merchant)
        if db.session.scalar(select(MerchantKey.id).where(MerchantKey.merchant_id == merchant.id).limit(1)):
            lines.append(f"  {merchant.slug}: keys exist (only their hashes are kept); create another with "
                         f"`flask --app wsgi roundups create-key {merchant.slug}` or "
                         f"POST /api/v1/merchants/{merchant.slug}/keys")
        else:
            _, key = services.create_key(merchant, label="démo")
            lines.append(f"  {merchant.slug}: {key}")
    db.session.flush()
    lines.extend(_settle_past_months())
    return lines


def _load_roundups(merchant):
    """About three months and a half of round-ups, the same on every load (ids are deterministic)."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    today = local_today()
    first_day = previous_month(previous_month(previous_month(today.replace(day=1))))
    now = datetime.now(zone)
    generator = random.Random(merchant.slug)
    rows, day = [], first_day
    while day <= today:
        for number in range(generator.randint(8, 30) if day.weekday() != 6 else 0):
            moment = datetime.combine(day, time(8), zone) + timedelta(minutes=generator.randint(0, 660))
            basket = generator.randint(150, 6_000)
            options = services.roundup_options(merchant, basket)
            choice = generator.random()
            if not options or choice > 0.8 or moment > now:
                continue
            rows.append({"external_id": f"demo-{day:%Y%m%d}-{number:03d}", "basket_cents": basket,
                         "roundup_cents": options[0] if choice < 0.7 else options[-1],
                         "occurred_at": moment.isoformat(),
                         "donor_email": DONORS[number % 3] if choice < 0.05 else None})
        day += timedelta(days=1)
    for start in range(0, len(rows), services.MAX_BATCH):
        services.record_batch(merchant, rows[start:start + services.MAX_BATCH])
    # One return in store: the first round-up of last month.
    voided = db.session.scalar(select(func.min(Roundup.external_id)).where(
        Roundup.merchant_id == merchant.id,
        Roundup.external_id >= f"demo-{previous_month(today.replace(day=1)):%Y%m}"))
    if voided:
        services.void_roundup(merchant, voided)


def _settle_past_months():
    today = local_today()
    month = previous_month(previous_month(previous_month(today.replace(day=1))))
    lines = []
    while month < today.replace(day=1):
        for slug, settlement, outcome in services.settle_all(month):
            if settlement is not None and outcome:
                lines.append(f"  statement {month:%Y-%m} {slug}: {format_eur(settlement.total_cents)}")
        db.session.flush()
        month = next_month(month)
    return lines
