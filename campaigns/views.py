"""JSON API: organizations and partners (administrators), campaigns (public, holders, administrators)."""
from flask import abort, current_app, request
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from app.api import OPTIONAL_BEARER
from app.audit import record_action
from app.auth.access import can_see_organization, current_user, ensure_organization, ensure_partner, require_roles
from app.auth.models import Role
from app.banking import format_iban
from app.errors import InvalidInput
from app.extensions import db
from app.pagination import PageArgs, paginate
from campaigns import services
from campaigns.models import Campaign
from campaigns.schemas import (BankDetailsIn, CampaignDetailOut, CampaignFilters, CampaignIn, CampaignOut,
                               CampaignPatch, GrantIn, GrantOut, NewsIn, NewsOut, OrganizationIn, OrganizationOut, OrganizationPatch,
                               PartnerIn, PartnerOut, PartnerPatch, PartnerPaymentIn, PartnerPaymentOut, PledgeIn,
                               PledgeOut, PledgePatch)
from campaigns.services import review
from campaigns.services.content import latest_news

organizations_bp = Blueprint("organizations", __name__, url_prefix="/api/v1/organizations",
                             description="Beneficiary associations and public bodies.")
partners_bp = Blueprint("partners", __name__, url_prefix="/api/v1/partners",
                        description="Partners who match gifts and fund campaigns.")


@organizations_bp.route("", methods=["POST"])
@require_roles("admin")
@organizations_bp.arguments(OrganizationIn)
@organizations_bp.response(201, OrganizationOut)
def create_organization(data):
    organization = services.create_organization(**data)
    db.session.commit()
    return organization


@organizations_bp.route("", methods=["GET"])
@require_roles("admin")
@organizations_bp.arguments(PageArgs, location="query")
@organizations_bp.response(200, OrganizationOut(many=True))
def list_organizations(args):
    return paginate(services.list_organizations(), args["page"], args["per_page"])


@organizations_bp.route("/<slug>", methods=["GET"])
@require_roles("admin", "finance", "holder")
@organizations_bp.response(200, OrganizationOut)
def get_organization(slug):
    organization = services.get_organization(slug)
    ensure_organization(current_user(), organization.id)
    return organization


@organizations_bp.route("/<slug>", methods=["PATCH"])
@require_roles("admin")
@organizations_bp.arguments(OrganizationPatch(partial=True))
@organizations_bp.response(200, OrganizationOut)
def update_organization(data, slug):
    organization = services.update_organization(services.get_organization(slug), **data)
    db.session.commit()
    return organization


def _image_manager(slug):
    """The organization, if the caller is an administrator or a finance officer of it; else 404."""
    user = current_user()
    if user is None:
        abort(401)
    organization = services.get_organization(slug)
    if not (user.is_admin or (user.role is Role.finance and user.organization_id == organization.id)):
        abort(404)
    return organization


def _uploaded_image(kind):
    """The image of a multipart upload (field named `kind`) or of a raw `image/png`/`image/jpeg` body."""
    limit = current_app.config["ORGANIZATION_IMAGE_MAX_BYTES"] + 1
    upload = request.files.get(kind)
    if upload is not None:
        return upload.read(limit)
    if request.mimetype in ("image/png", "image/jpeg"):
        return request.stream.read(limit)
    raise InvalidInput(f"send the image in the multipart field `{kind}` (PNG or JPEG)", kind)


@organizations_bp.route("/<slug>/bank-details", methods=["PUT"])
@require_roles("admin", "finance")
@organizations_bp.arguments(BankDetailsIn)
@organizations_bp.response(200, OrganizationOut)
def set_bank_details(data, slug):
    """The account merchants and partners transfer to: IBAN, BIC (optional), account holder, replaced
    whole. Administrators and the organization's finance officers; each change is in the action log."""
    organization = services.set_bank_details(_image_manager(slug), iban=data["iban"], bic=data.get("bic"),
                                             account_holder=data["account_holder"])
    record_action(current_user(), "organization.bank_details", organization,
                  f"IBAN {format_iban(organization.bank_iban)}")
    db.session.commit()
    return organization


@organizations_bp.route("/<slug>/<any(signature, stamp, logo):kind>", methods=["PUT"])
@organizations_bp.response(200, OrganizationOut)
def upload_image(slug, kind):
    """The signature printed on receipts (none is issued without it), the stamp or the logo: PNG or
    JPEG, as multipart/form-data (field named like the image: `signature`, `stamp`, `logo`) or as the
    raw body. Administrators and the organization's finance officers."""
    organization = services.set_organization_image(_image_manager(slug), kind, _uploaded_image(kind))
    db.session.commit()
    return organization


@organizations_bp.route("/<slug>/<any(signature, stamp, logo):kind>", methods=["DELETE"])
@organizations_bp.response(200, OrganizationOut)
def remove_image(slug, kind):
    organization = services.remove_organization_image(_image_manager(slug), kind)
    db.session.commit()
    return organization


@partners_bp.route("", methods=["POST"])
@require_roles("admin")
@partners_bp.arguments(PartnerIn)
@partners_bp.response(201, PartnerOut)
def create_partner(data):
    partner = services.create_partner(**data)
    db.session.commit()
    return partner


@partners_bp.route("", methods=["GET"])
@require_roles("admin")
@partners_bp.arguments(PageArgs, location="query")
@partners_bp.response(200, PartnerOut(many=True))
def list_partners(args):
    return paginate(services.list_partners(), args["page"], args["per_page"])


@partners_bp.route("/<slug>", methods=["GET"])
@require_roles("admin", "partner")
@partners_bp.response(200, PartnerOut)
def get_partner(slug):
    partner = services.get_partner(slug)
    ensure_partner(current_user(), partner.id)
    return partner


@partners_bp.route("/<slug>", methods=["PATCH"])
@require_roles("admin")
@partners_bp.arguments(PartnerPatch)
@partners_bp.response(200, PartnerOut)
def update_partner(data, slug):
    """Complete or correct a partner's identity (its company receipts print it; they wait for a SIREN)."""
    partner = services.update_partner(services.get_partner(slug), **data)
    db.session.commit()
    return partner


@partners_bp.route("/<slug>/payments", methods=["POST"])
@require_roles("admin")
@partners_bp.arguments(PartnerPaymentIn)
@partners_bp.response(201, PartnerPaymentOut)
@partners_bp.alt_response(200, schema=PartnerPaymentOut, description="A replay: the payment recorded first.")
def record_partner_payment(data, slug):
    """Money a partner paid for its matches and grants on a campaign: its company receipt follows."""
    partner = services.get_partner(slug)
    campaign = services.get_campaign(data.pop("campaign"))
    payment, created = services.record_partner_payment(partner, campaign, **data)
    db.session.commit()
    return payment, 201 if created else 200


@partners_bp.route("/<slug>/payments", methods=["GET"])
@require_roles("admin", "partner")
@partners_bp.arguments(PageArgs, location="query")
@partners_bp.response(200, PartnerPaymentOut(many=True))
def list_partner_payments(args, slug):
    partner = services.get_partner(slug)
    ensure_partner(current_user(), partner.id)
    return paginate(services.partner_payments(partner), args["page"], args["per_page"])




# --- Campaigns -------------------------------------------------------------------------------------

campaigns_bp = Blueprint("campaigns", __name__, url_prefix="/api/v1/campaigns",
                         description="Territorial campaigns, their reward tiers, match pledges and grants.")


def _manageable(slug):
    """The campaign, if the caller (admin, or holder of its organization) may manage it; else 404."""
    campaign = services.get_campaign(slug)
    ensure_organization(current_user(), campaign.organization_id)
    return campaign


def _visible(slug):
    campaign = services.get_campaign(slug)
    if not campaign.is_public and not can_see_organization(current_user(), campaign.organization_id):
        abort(404)
    return campaign


@campaigns_bp.route("", methods=["POST"])
@require_roles("admin", "holder")
@campaigns_bp.arguments(CampaignIn)
@campaigns_bp.response(201, CampaignOut)
def create_campaign(data):
    user = current_user()
    organization_slug = data.pop("organization", None)
    if organization_slug:
        organization = services.get_organization(organization_slug)
        ensure_organization(user, organization.id)
        organization_id = organization.id
    elif user.organization_id is not None:
        organization_id = user.organization_id
    else:
        raise InvalidInput("name the organization that runs the campaign", "organization")
    campaign = services.create_campaign(organization_id, **data)
    db.session.commit()
    return campaign


@campaigns_bp.route("", methods=["GET"])
@campaigns_bp.arguments(CampaignFilters, location="query")
@campaigns_bp.response(200, CampaignOut(many=True))
@campaigns_bp.doc(security=OPTIONAL_BEARER)
def list_campaigns(args):
    """Public list; drafts appear only to their organization's users and administrators."""
    statement = services.list_campaigns(
        status=args.get("status"), territory=args.get("territory"), category=args.get("category"), q=args.get("q"),
        viewer=current_user(),
    ).options(selectinload(Campaign.tiers), selectinload(Campaign.stretch_goals))
    return paginate(statement, args["page"], args["per_page"])


@campaigns_bp.route("/<slug>", methods=["GET"])
@campaigns_bp.response(200, CampaignDetailOut)
@campaigns_bp.doc(security=OPTIONAL_BEARER)
def get_campaign(slug):
    return _visible(slug)


@campaigns_bp.route("/<slug>", methods=["PATCH"])
@require_roles("admin", "holder")
@campaigns_bp.arguments(CampaignPatch(partial=True))
@campaigns_bp.response(200, CampaignOut)
def update_campaign(data, slug):
    campaign = services.update_campaign(_manageable(slug), **data)
    db.session.commit()
    return campaign


@campaigns_bp.route("/<slug>/publish", methods=["POST"])
@require_roles("admin", "holder")
@campaigns_bp.response(200, CampaignOut)
def publish_campaign(slug):
    """Administrators publish a draft directly (or a submitted campaign). A holder of the organization
    gets 403 `review-required`: they submit it (`POST /campaigns/{slug}/submit`) and the town publishes."""
    campaign = review.publish_directly(_manageable(slug), current_user())
    db.session.commit()
    return campaign


@campaigns_bp.route("/<slug>/cancel", methods=["POST"])
@require_roles("admin", "holder")
@campaigns_bp.response(200, CampaignOut)
def cancel_campaign(slug):
    campaign = services.cancel_campaign(_manageable(slug))
    db.session.commit()
    return campaign


@campaigns_bp.route("/<slug>/cover", methods=["PUT"])
@require_roles("admin", "holder")
@campaigns_bp.response(200, CampaignOut)
def upload_cover(slug):
    """multipart/form-data with the image in the `cover` field (PNG, JPEG or WebP)."""
    campaign = _manageable(slug)
    upload = request.files.get("cover")
    if upload is None:
        raise InvalidInput("send the image in the multipart field `cover`", "cover")
    services.set_cover(campaign, upload.read(current_app.config["CAMPAIGN_COVER_MAX_BYTES"] + 1))
    db.session.commit()
    return campaign


@campaigns_bp.route("/<slug>/pledges", methods=["POST"])
@require_roles("admin")
@campaigns_bp.arguments(PledgeIn)
@campaigns_bp.response(201, PledgeOut)
def create_pledge(data, slug):
    campaign = services.get_campaign(slug)
    partner = services.get_partner(data.pop("partner"))
    pledge = services.create_pledge(campaign, partner.id, **data)
    db.session.commit()
    return pledge


@campaigns_bp.route("/<slug>/pledges", methods=["GET"])
@require_roles("admin")
@campaigns_bp.response(200, PledgeOut(many=True))
def list_pledges(slug):
    return services.list_pledges(services.get_campaign(slug))


@campaigns_bp.route("/<slug>/pledges/<int:pledge_id>", methods=["PATCH"])
@require_roles("admin")
@campaigns_bp.arguments(PledgePatch)
@campaigns_bp.response(200, PledgeOut)
def update_pledge(data, slug, pledge_id):
    pledge = services.set_pledge_active(services.get_campaign(slug), pledge_id, data["active"])
    db.session.commit()
    return pledge


@campaigns_bp.route("/<slug>/grants", methods=["POST"])
@require_roles("admin")
@campaigns_bp.arguments(GrantIn)
@campaigns_bp.response(201, GrantOut)
def record_grant(data, slug):
    """A partner's fixed grant (the city's subsidy, a company's patronage); `reference` makes a retry harmless."""
    campaign = services.get_campaign(slug)
    partner = services.get_partner(data["partner"])
    grant = services.record_grant(campaign, partner.id, data["amount_cents"], reference=data.get("reference"))
    db.session.commit()
    return grant


@campaigns_bp.route("/<slug>/news", methods=["POST"])
@require_roles("admin", "holder")
@campaigns_bp.arguments(NewsIn)
@campaigns_bp.response(201, NewsOut)
def add_news(data, slug):
    news = services.add_news(_manageable(slug), data["title"], data["body"], author_id=current_user().id)
    db.session.commit()
    return news


@campaigns_bp.route("/<slug>/news", methods=["GET"])
@campaigns_bp.response(200, NewsOut(many=True))
@campaigns_bp.doc(security=OPTIONAL_BEARER)
def list_news(slug):
    return latest_news(_visible(slug).id, limit=50)


def init_app(app):
    from app.extensions import api

    api.register_blueprint(organizations_bp)
    api.register_blueprint(partners_bp)
    api.register_blueprint(campaigns_bp)
