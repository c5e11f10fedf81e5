"""JSON API: organizations and partners (administrators)."""
from flask_smorest import Blueprint

from app.auth.access import current_user, ensure_organization, ensure_partner, require_roles
from app.extensions import db
from app.pagination import PageArgs, paginate
from campaigns import services
from campaigns.schemas import OrganizationIn, OrganizationOut, OrganizationPatch, PartnerIn, PartnerOut

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


def init_app(app):
    from app.extensions import api

    api.register_blueprint(organizations_bp)
    api.register_blueprint(partners_bp)
