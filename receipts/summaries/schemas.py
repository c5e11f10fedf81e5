"""Query arguments and JSON shapes of the summaries."""
import marshmallow as ma

from app.fields import Day


class PeriodArgs(ma.Schema):
    """`?from=2026-01-01&to=2026-12-31`: inclusive dates in the territory's time zone."""

    start = Day(data_key="from", load_default=None)
    end = Day(data_key="to", load_default=None)


class LeverageOut(ma.Schema):
    citizens_cents = ma.fields.Integer()
    partner_cents = ma.fields.Integer()
    ratio = ma.fields.String(allow_none=True, metadata={"description": "citizens' euros per partner euro, 2 decimals"})
    numerator = ma.fields.Integer(allow_none=True)
    denominator = ma.fields.Integer(allow_none=True)


class SupportedCampaignOut(ma.Schema):
    slug = ma.fields.String()
    title = ma.fields.String()
    organization = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    goal_cents = ma.fields.Integer()
    raised_cents = ma.fields.Integer()
    percent = ma.fields.Integer()
    ends_at = ma.fields.AwareDateTime()
    matched_cents = ma.fields.Integer()
    granted_cents = ma.fields.Integer()
    company_cents = ma.fields.Integer()
    partner_cents = ma.fields.Integer()
    matched_gifts = ma.fields.Integer()
    online_cents = ma.fields.Integer()
    offline_cents = ma.fields.Integer()
    roundup_cents = ma.fields.Integer()
    citizens_cents = ma.fields.Integer()
    others_cents = ma.fields.Integer()
    donors = ma.fields.Integer()
    leverage = ma.fields.Nested(LeverageOut)
    pledged_cents = ma.fields.Integer(metadata={"description": "the caps of the partner's match pledges on the campaign"})
    pledge_used_cents = ma.fields.Integer(metadata={"description": "what those pledges have matched, as of now"})
    pledge_left_cents = ma.fields.Integer(metadata={"description": "what they may still match"})


class PartnerRefOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()


class PeriodOut(ma.Schema):
    start = ma.fields.Date(data_key="from", attribute="from", allow_none=True)
    end = ma.fields.Date(data_key="to", attribute="to", allow_none=True)


class PartnerSummaryOut(ma.Schema):
    partner = ma.fields.Nested(PartnerRefOut)
    period = ma.fields.Nested(PeriodOut)
    matched_cents = ma.fields.Integer()
    granted_cents = ma.fields.Integer()
    company_cents = ma.fields.Integer()
    partner_cents = ma.fields.Integer()
    matched_gifts = ma.fields.Integer()
    citizens_cents = ma.fields.Integer()
    donors_reached = ma.fields.Integer()
    campaign_count = ma.fields.Integer()
    leverage = ma.fields.Nested(LeverageOut)
    pledged_cents = ma.fields.Integer()
    pledge_used_cents = ma.fields.Integer()
    pledge_left_cents = ma.fields.Integer()
    campaigns = ma.fields.List(ma.fields.Nested(SupportedCampaignOut))


class CampaignRefOut(ma.Schema):
    slug = ma.fields.String()
    title = ma.fields.String()
    organization = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.String()
    goal_cents = ma.fields.Integer()
    percent = ma.fields.Integer()
    donor_count = ma.fields.Integer()
    ends_at = ma.fields.AwareDateTime()


class FundingSourceOut(ma.Schema):
    source = ma.fields.String(metadata={"description": "online, offline, roundup, partner or company"})
    label = ma.fields.String()
    amount_cents = ma.fields.Integer()
    partner = ma.fields.String(metadata={"description": "the partner's slug, on a partner's line"})
    matched_cents = ma.fields.Integer()
    granted_cents = ma.fields.Integer()
    patronage_cents = ma.fields.Integer()
    pledged_cents = ma.fields.Integer()


class CampaignFundingOut(ma.Schema):
    campaign = ma.fields.Nested(CampaignRefOut)
    raised_cents = ma.fields.Integer()
    citizens_cents = ma.fields.Integer()
    partners_cents = ma.fields.Integer()
    leverage = ma.fields.Nested(LeverageOut)
    sources = ma.fields.List(ma.fields.Nested(FundingSourceOut))
