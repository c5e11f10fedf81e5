"""JSON API: a partner's funding summary (JSON, CSV, PDF) and a campaign's funding plan (JSON, PDF)."""
from flask_smorest import Blueprint

from app.auth.access import current_user, ensure_organization, ensure_partner, require_roles
from app.downloads import attachment
from campaigns.services import get_campaign, get_partner
from receipts.summaries import documents, services
from receipts.summaries.schemas import CampaignFundingOut, PartnerSummaryOut, PeriodArgs

bp = Blueprint("summaries_api", __name__, url_prefix="/api/v1",
               description="What partners funded and where each campaign's money came from.")


def _partner_summary(slug, args):
    partner = get_partner(slug)
    ensure_partner(current_user(), partner.id)
    return services.partner_summary(slug, services.Period(args["start"], args["end"]))


@bp.route("/partners/<slug>/summary", methods=["GET"])
@bp.route("/partners/<slug>/summary.json", methods=["GET"], endpoint="partner_summary_json")
@require_roles("admin", "partner")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, PartnerSummaryOut)
def partner_summary(args, slug):
    return documents.partner_summary_data(_partner_summary(slug, args))


@bp.route("/partners/<slug>/summary.csv", methods=["GET"])
@require_roles("admin", "partner")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, content_type="text/csv")
def partner_summary_csv(args, slug):
    summary = _partner_summary(slug, args)
    return attachment(documents.partner_summary_csv(summary), f"bilan-{slug}.csv", "text/csv; charset=utf-8")


@bp.route("/partners/<slug>/summary.pdf", methods=["GET"])
@require_roles("admin", "partner")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, content_type="application/pdf")
def partner_summary_pdf(args, slug):
    summary = _partner_summary(slug, args)
    return attachment(documents.partner_summary_pdf(summary), f"bilan-{slug}.pdf", "application/pdf")


def _campaign_funding(slug):
    campaign = get_campaign(slug)
    ensure_organization(current_user(), campaign.organization_id)
    return services.campaign_funding(campaign)


@bp.route("/campaigns/<slug>/funding-summary", methods=["GET"])
@bp.route("/campaigns/<slug>/funding-summary.json", methods=["GET"], endpoint="campaign_funding_json")
@require_roles("admin", "finance", "holder")
@bp.response(200, CampaignFundingOut)
def campaign_funding(slug):
    return documents.campaign_funding_data(_campaign_funding(slug))


@bp.route("/campaigns/<slug>/funding-summary.pdf", methods=["GET"])
@require_roles("admin", "finance", "holder")
@bp.response(200, content_type="application/pdf")
def campaign_funding_pdf(slug):
    funding = _campaign_funding(slug)
    return attachment(documents.campaign_funding_pdf(funding), f"financement-{slug}.pdf", "application/pdf")
