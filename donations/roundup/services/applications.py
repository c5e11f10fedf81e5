"""Shops' applications to join the round-up: sent from the public page, approved or refused by the town.

Approving creates the merchant through `create_merchant` (the same checks as the API), invites the
contact as a `merchant` user and emails them; refusing emails the reason. Each decision is logged.
"""
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit import record_action
from app.auth.invitations import invite_user
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.identifiers import clean_siret
from app.mail import make_message, send_after_commit
from app.sql import locked
from app.states import Repeat, move_to
from app.text import slugify
from app.types import utcnow
from campaigns.models import Campaign, CampaignStatus, Organization
from donations.roundup.applications import (
    APPLICATION_TRANSITIONS,
    ApplicationBeneficiary,
    ApplicationStatus,
    MerchantApplication,
)
from donations.roundup.models import FULL_SHARE, Merchant
from donations.roundup.services.merchants import _top_ups, create_merchant

APPLICATION_FIELDS = ("name", "address_line1", "postal_code", "city", "contact_name", "contact_email",
                      "contact_phone", "rounding_step_cents", "round_exact_baskets", "max_roundup_cents")
REFUSAL_REASON_MAX = 2000


def live_beneficiaries(now: datetime | None = None) -> tuple[Sequence[Organization], Sequence[Campaign]]:
    """What a shop may choose to give to: the territory's organizations, and its campaigns open now."""
    now = now or utcnow()
    organizations = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.status == CampaignStatus.published, Campaign.starts_at <= now,
                               Campaign.ends_at > now).order_by(Campaign.title)).all()
    return organizations, campaigns


def submit_application(*, siret, beneficiaries, charter_text, top_ups_cents=(), **values) -> MerchantApplication:
    """A new pending application. `beneficiaries`: [{"organization" or "campaign": id, "share_basis_points"}],
    among `live_beneficiaries()`, shares adding up to 100 %. Conflict if this SIRET already waits."""
    try:
        siret = clean_siret(siret or "")
    except ValueError as error:
        raise InvalidInput(str(error), "siret") from None
    if not (charter_text or "").strip():
        raise InvalidInput("the charter must be accepted", "charter")
    step = values.get("rounding_step_cents")
    if isinstance(step, bool) or not isinstance(step, int) or not 0 < step <= 100_000:
        raise InvalidInput("a rounding step between 1 cent and 1,000 €", "rounding_step_cents")
    maximum = values.get("max_roundup_cents")
    if maximum is not None and (isinstance(maximum, bool) or not isinstance(maximum, int) or maximum <= 0):
        raise InvalidInput("a positive maximum, or none", "max_roundup_cents")
    for name in ("name", "address_line1", "postal_code", "city", "contact_name", "contact_email", "contact_phone"):
        if not str(values.get(name) or "").strip():
            raise InvalidInput(f"{name} is required", name)
    if db.session.scalar(select(MerchantApplication.id).where(MerchantApplication.siret == siret,
                                                              MerchantApplication.status == ApplicationStatus.pending)):
        raise Conflict("an application for this SIRET is already waiting", "siret")
    application = MerchantApplication(
        siret=siret, charter_text=charter_text, top_ups_cents=_top_ups(list(top_ups_cents)),
        **{name: (values[name].strip() if isinstance(values.get(name), str) else values.get(name))
           for name in APPLICATION_FIELDS})
    application.contact_email = application.contact_email.lower()
    application.beneficiaries = _chosen(beneficiaries)
    db.session.add(application)
    try:
        with db.session.begin_nested():  # two sends of the same form at once: the index keeps one
            db.session.flush()
    except IntegrityError:
        raise Conflict("an application for this SIRET is already waiting", "siret") from None
    return application


def _chosen(items) -> list[ApplicationBeneficiary]:
    organizations, campaigns = live_beneficiaries()
    organization_ids = {row.id for row in organizations}
    campaign_ids = {row.id for row in campaigns}
    rows, seen = [], set()
    for item in items or []:
        share = item.get("share_basis_points")
        if isinstance(share, bool) or not isinstance(share, int) or not 0 < share <= FULL_SHARE:
            raise InvalidInput("each share is between 0.01 % and 100 %", "beneficiaries")
        if item.get("organization") in organization_ids:
            key, row = ("o", item["organization"]), ApplicationBeneficiary(organization_id=item["organization"])
        elif item.get("campaign") in campaign_ids:
            key, row = ("c", item["campaign"]), ApplicationBeneficiary(campaign_id=item["campaign"])
        else:
            raise InvalidInput("each beneficiary is one of the territory's organizations or open campaigns",
                               "beneficiaries")
        if key in seen:
            raise InvalidInput("each beneficiary once", "beneficiaries")
        seen.add(key)
        row.share_basis_points = share
        rows.append(row)
    if not rows:
        raise InvalidInput("choose at least one beneficiary", "beneficiaries")
    total = sum(row.share_basis_points for row in rows)
    if total != FULL_SHARE:
        raise InvalidInput(f"the shares add up to {total / 100:.2f} %, not 100 %", "beneficiaries")
    return rows


def list_applications(status: ApplicationStatus | None = None):
    query = select(MerchantApplication).order_by(MerchantApplication.created_at.desc(), MerchantApplication.id.desc())
    if status is not None:
        query = query.where(MerchantApplication.status == status)
    return query


def get_application(application_id, *, for_update=False) -> MerchantApplication:
    query = select(MerchantApplication).where(MerchantApplication.id == application_id)
    row = db.session.scalar(locked(query) if for_update else query)
    if row is None:
        raise NotFound(f"no merchant application {application_id}")
    return row


def _free_slug(name):
    base = slugify(name) or "commerce"
    slug, n = base, 1
    while db.session.scalar(select(Merchant.id).where(Merchant.slug == slug)) is not None:
        n += 1
        slug = f"{base[:75]}-{n}"
    return slug


def approve_application(application_id, *, by) -> MerchantApplication:
    """Create the merchant and invite its contact (role `merchant`); email them. In one transaction:
    an InvalidInput (a campaign that closed since) or a Conflict (the email has an account) leaves nothing."""
    application = get_application(application_id, for_update=True)
    if application.status is not ApplicationStatus.pending:  # a decision is final: InvalidTransition
        move_to(application, ApplicationStatus.approved, APPLICATION_TRANSITIONS, what="merchant application",
                repeat=Repeat.REFUSE)
    merchant = create_merchant(
        beneficiaries=[_as_merchant_beneficiary(row) for row in application.beneficiaries],
        name=application.name, slug=_free_slug(application.name), siret=application.siret,
        address_line1=application.address_line1, postal_code=application.postal_code, city=application.city,
        email=application.contact_email, rounding_step_cents=application.rounding_step_cents,
        round_exact_baskets=application.round_exact_baskets, top_ups_cents=list(application.top_ups_cents or []),
        max_roundup_cents=application.max_roundup_cents)
    move_to(application, ApplicationStatus.approved, APPLICATION_TRANSITIONS, what="merchant application",
            repeat=Repeat.REFUSE)
    application.merchant_id = merchant.id  # set with the status, before anything flushes (the row's checks)
    application.decided_at = utcnow()
    application.decided_by_id = getattr(by, "id", None)
    invite_user(application.contact_email, "merchant", merchant_id=merchant.id, name=application.contact_name,
                invited_by=by)
    record_action(by, "merchant_application.approve", f"merchant_application:{application.id}",
                  f"{application.name} → commerçant {merchant.slug}")
    send_after_commit(db.session, make_message(
        application.contact_email, "Solidaire : votre commerce rejoint l'arrondi solidaire",
        f"Bonjour {application.contact_name},\n\n"
        f"La Ville a accepté la demande de {application.name} : votre commerce propose désormais l'arrondi "
        "solidaire.\n\nVous recevez dans un autre message le lien pour choisir votre mot de passe. Une fois "
        "connecté, votre espace commerçant vous permet de créer une clé de caisse pour la page Caisse, de "
        "suivre les arrondis et de télécharger vos relevés mensuels.\n\nMerci de votre engagement !\n"))
    db.session.flush()
    return application


def _as_merchant_beneficiary(row):
    if row.organization_id is not None:
        return {"organization": row.organization.slug, "share_basis_points": row.share_basis_points}
    return {"campaign": row.campaign.slug, "share_basis_points": row.share_basis_points}


def refuse_application(application_id, *, by, reason) -> MerchantApplication:
    """Refuse with a reason, emailed to the contact."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("a refusal gives its reason", "reason")
    if len(reason) > REFUSAL_REASON_MAX:
        raise InvalidInput(f"at most {REFUSAL_REASON_MAX} characters", "reason")
    application = get_application(application_id, for_update=True)
    move_to(application, ApplicationStatus.refused, APPLICATION_TRANSITIONS, what="merchant application",
            repeat=Repeat.REFUSE)
    application.refusal_reason = reason
    application.decided_at = utcnow()
    application.decided_by_id = getattr(by, "id", None)
    record_action(by, "merchant_application.refuse", f"merchant_application:{application.id}",
                  f"{application.name} : {reason}"[:1000])
    send_after_commit(db.session, make_message(
        application.contact_email, "Solidaire : votre demande d'arrondi solidaire",
        f"Bonjour {application.contact_name},\n\n"
        f"La Ville n'a pas retenu la demande de {application.name} pour l'arrondi solidaire, pour la raison "
        f"suivante :\n\n{reason}\n\nVous pouvez envoyer une nouvelle demande quand vous le souhaitez.\n"))
    db.session.flush()
    return application
