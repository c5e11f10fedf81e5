"""JSON API of gifts: start and confirm a card gift, read it, refund it, record an offline gift."""
from flask import request, url_for
from flask_smorest import Blueprint

from app.api import OPTIONAL_BEARER
from app.auth.access import can_see_organization, current_user, ensure_organization, require_roles
from app.errors import NotFound
from app.extensions import db
from campaigns import services as campaigns
from donations import services
from donations.models import Donation
from donations.schemas import (ConfirmIn, ConfirmOut, DonationOut, GiftIn, GiftStartedOut, OfflineGiftIn, RefundIn,
                               RefundOut, TokenArgs)

bp = Blueprint("donations", __name__, url_prefix="/api/v1", description="Gifts and their payment.")


def idempotency_key():
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return key[:255] or None


def started(donation):
    kind, secret, _ = services.client_secret_for(donation)
    token = services.donor_token(donation)
    return {"id": donation.id, "status": donation.status, "amount_cents": donation.amount_cents,
            "monthly": donation.monthly, "kind": kind, "client_secret": secret, "token": token,
            "thanks_url": url_for("donation_pages.thanks", token=token)}


@bp.route("/campaigns/<slug>/donations", methods=["POST"])
@bp.arguments(GiftIn)
@bp.response(201, GiftStartedOut)
@bp.alt_response(200, schema=GiftStartedOut, description="a retry with the same Idempotency-Key")
@bp.doc(security=[], parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}])
def start_gift(data, slug):
    donation, created = services.start_gift(slug, idempotency_key=idempotency_key(), **data)
    db.session.commit()
    return started(donation), 201 if created else 200


@bp.route("/donations/<int:donation_id>/confirm", methods=["POST"])
@bp.arguments(ConfirmIn)
@bp.response(200, ConfirmOut)
@bp.doc(security=[])
def confirm_gift(data, donation_id):
    donation = services.donation_for_token(data["token"])
    if donation.id != donation_id:
        raise NotFound("no such gift")
    donation, step = services.confirm_gift(donation.id, data.get("payment_method"))
    db.session.commit()
    return {"id": donation.id, **step}


@bp.route("/donations/<int:donation_id>", methods=["GET"])
@bp.arguments(TokenArgs, location="query")
@bp.response(200, DonationOut)
@bp.doc(security=OPTIONAL_BEARER)
def get_gift(args, donation_id):
    """For administrators and the organization's finance officers, or the donor with the signed token."""
    if args.get("token"):
        donation = services.donation_for_token(args["token"])
        if donation.id != donation_id:
            raise NotFound("no such gift")
        return donation
    user = current_user()
    donation = db.session.get(Donation, donation_id)
    if donation is None or user is None or user.role.value not in ("admin", "finance") \
            or not can_see_organization(user, donation.organization_id):
        raise NotFound("no such gift")
    return donation


@bp.route("/donations/<int:donation_id>/refund", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(RefundIn)
@bp.response(200, RefundOut)
@bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "schema": {"type": "string"}}])
def refund_gift(data, donation_id):
    user = current_user()
    donation = services.get_donation(donation_id)
    ensure_organization(user, donation.organization_id)
    refund = services.refund_gift(donation.id, data.get("amount_cents"), requested_by_id=user.id,
                                  idempotency_key=idempotency_key())
    db.session.commit()
    return refund


@bp.route("/organizations/<slug>/offline-donations", methods=["POST"])
@require_roles("admin", "finance")
@bp.arguments(OfflineGiftIn)
@bp.response(201, DonationOut)
def record_offline_gift(data, slug):
    organization = campaigns.get_organization(slug)
    ensure_organization(current_user(), organization.id)
    donation = services.record_offline_gift(organization.id, data.pop("campaign"),
                                            idempotency_key=idempotency_key(), **data)
    db.session.commit()
    return donation
