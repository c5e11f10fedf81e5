"""JSON API of the town's review: a holder submits a draft, an administrator approves it or returns it
with a reason. (Publishing directly stays `POST /campaigns/{slug}/publish`, administrators only.)"""
import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.auth.access import current_user, ensure_organization, require_roles
from app.extensions import db
from campaigns import services
from campaigns.schemas import CampaignOut
from campaigns.services import review

review_bp = Blueprint("campaign_review", __name__, url_prefix="/api/v1/campaigns",
                      description="The town's review of campaigns before they are published.")


class ReturnIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=review.RETURN_REASON_MAX),
                           metadata={"description": "what the holder should change, shown to them"})


class ReviewedCampaignOut(CampaignOut):
    submitted_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    return_reason = fields.String(allow_none=True)


@review_bp.route("/<slug>/submit", methods=["POST"])
@require_roles("admin", "holder")
@review_bp.response(200, ReviewedCampaignOut)
def submit_campaign(slug):
    """Send a draft to the town for review (a holder of its organization, or an administrator). It
    must have a description and an end date to come; it is no longer edited while under review."""
    campaign = services.get_campaign(slug)
    ensure_organization(current_user(), campaign.organization_id)
    review.submit_campaign(campaign, current_user())
    db.session.commit()
    return campaign


@review_bp.route("/<slug>/approve", methods=["POST"])
@require_roles("admin")
@review_bp.response(200, ReviewedCampaignOut)
def approve_campaign(slug):
    """Publish a submitted campaign (administrators): public at once, taking gifts from its start
    date. The organization's holders are told by email."""
    campaign = review.approve_campaign(services.get_campaign(slug), current_user())
    db.session.commit()
    return campaign


@review_bp.route("/<slug>/return", methods=["POST"])
@require_roles("admin")
@review_bp.arguments(ReturnIn)
@review_bp.response(200, ReviewedCampaignOut)
def return_campaign(data, slug):
    """Send a submitted campaign back to draft with the reason its holders read (administrators);
    they are told by email."""
    campaign = review.return_campaign(services.get_campaign(slug), current_user(), data["reason"])
    db.session.commit()
    return campaign


def init_app(app):
    from app.extensions import api

    api.register_blueprint(review_bp)
