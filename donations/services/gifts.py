"""Starting a card gift: the pending row, the Stripe customer and SetupIntent, then the payment."""
import enum
import hashlib
import json
import logging

import stripe
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.identifiers import clean_siren
from campaigns import services as campaigns
from donations import ledger
from donations.gateway import call_stripe, french_decline, object_id, on_account, stripe_client
from donations.models import Donation, DonationStatus, DonorType, PaymentMethod, ReceiptChoice
from donations.services.lookups import lock_donation
from donations.services.monthly import start_subscription
from donations.services.settlement import fail_gift

log = logging.getLogger(__name__)

DONOR_FIELDS = ("first_name", "last_name", "email", "address_line1", "address_line2", "postal_code", "city",
                "country", "company_name", "company_legal_form", "company_siren")
RECEIPT_FIELDS = {
    DonorType.individual: ("first_name", "last_name", "address_line1", "postal_code", "city"),
    DonorType.company: ("company_name", "company_legal_form", "company_siren", "address_line1", "postal_code",
                        "city"),
}


def clean_donor(donor_type, receipt_choice, values) -> dict:
    """Donor fields trimmed; those a receipt needs are required when a receipt is wanted."""
    donor = {name: (values.get(name) or "").strip() for name in DONOR_FIELDS}
    donor["country"] = donor["country"] or "France"
    if donor_type is DonorType.company:
        if not donor["company_name"]:
            raise InvalidInput("a company gift names the company", "company_name")
        try:
            donor["company_siren"] = clean_siren(donor["company_siren"])
        except ValueError as error:
            raise InvalidInput(str(error), "company_siren") from None
    else:
        donor["company_name"] = donor["company_legal_form"] = donor["company_siren"] = None
    if receipt_choice is not ReceiptChoice.none:
        missing = {name: ["required for a tax receipt"] for name in RECEIPT_FIELDS[donor_type] if not donor[name]}
        if missing:
            raise InvalidInput(f"a tax receipt needs: {', '.join(missing)}", errors=missing)
    return donor


def check_amount(campaign, amount_cents) -> None:
    if amount_cents > current_app.config["MAX_GIFT_CENTS"]:
        raise InvalidInput("this amount is above the largest gift accepted online", "amount_cents")
    campaigns.ensure_accepting_gifts(campaign, amount_cents)


def _tier_for(campaign, reward_tier_id, amount_cents):
    if reward_tier_id is None:
        return None
    tier = next((t for t in campaign.tiers if t.id == reward_tier_id), None)
    if tier is None:
        raise InvalidInput("this reward is not one of the campaign's", "reward_tier_id")
    if amount_cents < tier.min_amount_cents:
        raise InvalidInput("the gift is below this reward's minimum", "reward_tier_id")
    return tier


def existing_gift(campaign_id, idempotency_key, fingerprint=None) -> Donation | None:
    """The gift already made with this key on this campaign, or None. With a `fingerprint` (the
    request's), a gift made by another request with the same key is a Conflict: a key reused for
    another donor or amount must never hand out the first gift or its client secret."""
    if not idempotency_key:
        return None
    first = db.session.scalar(select(Donation).where(Donation.campaign_id == campaign_id,
                                                     Donation.idempotency_key == idempotency_key))
    if first is not None and fingerprint is not None and first.idempotency_fingerprint != fingerprint:
        raise Conflict("this Idempotency-Key was used for another gift: use a new key for a new gift",
                       "Idempotency-Key")
    return first


def request_fingerprint(**request) -> str:
    """SHA-256 of a gift request in canonical form (sorted keys, enums as their values)."""
    canonical = {name: (value.value if isinstance(value, enum.Enum) else value) for name, value in request.items()}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def start_gift(campaign_slug, *, amount_cents, donor_type=DonorType.individual, receipt_choice=ReceiptChoice.per_gift,
               reward_tier_id=None, anonymous=False, public_message="", monthly=False, idempotency_key=None,
               news_consent=False, payment_method_type="card", **donor_values) -> tuple[Donation, bool]:
    """Create the pending gift and its Stripe customer and SetupIntent (for a card, or for a SEPA
    Direct Debit: `payment_method_type="sepa_debit"`, a monthly gift or a large one-off gift).

    Returns (gift, created). A retry with the same idempotency key returns the first gift and
    creates nothing: the unique (campaign, key) constraint decides between concurrent retries.
    """
    campaign = campaigns.get_campaign(campaign_slug)
    donor_type, receipt_choice = DonorType(donor_type), ReceiptChoice(receipt_choice)
    fingerprint = request_fingerprint(
        amount_cents=amount_cents, donor_type=donor_type, receipt_choice=receipt_choice,
        reward_tier_id=reward_tier_id, anonymous=bool(anonymous), public_message=public_message or "",
        monthly=bool(monthly), **{name: donor_values.get(name) or "" for name in DONOR_FIELDS},
        **({"payment_method_type": payment_method_type} if payment_method_type != "card" else {}))
    first = existing_gift(campaign.id, idempotency_key, fingerprint)
    if first is not None:
        return first, False
    if not campaign.organization.issues_receipts:
        receipt_choice = ReceiptChoice.none
    check_amount(campaign, amount_cents)
    tier = _tier_for(campaign, reward_tier_id, amount_cents)
    donor = clean_donor(donor_type, receipt_choice, donor_values)
    if not donor["email"]:
        raise InvalidInput("an email address is needed to confirm the gift", "email")
    if monthly and tier is not None:
        raise InvalidInput("rewards are for one-off gifts", "reward_tier_id")
    method = _payment_method(payment_method_type, amount_cents, bool(monthly))

    donation = Donation(campaign_id=campaign.id, organization_id=campaign.organization_id, amount_cents=amount_cents,
                        donor_type=donor_type, receipt_choice=receipt_choice, anonymous=bool(anonymous),
                        news_consent=bool(news_consent),
                        public_message=(public_message or "").strip(), monthly=bool(monthly),
                        reward_tier_id=tier.id if tier else None,
                        tier_fair_value_cents=tier.fair_value_cents if tier else 0,
                        payment_method=method, idempotency_key=idempotency_key or None,
                        stripe_account_id=campaign.organization.stripe_account_id,
                        idempotency_fingerprint=fingerprint if idempotency_key else None, **donor)
    try:
        with db.session.begin_nested():
            db.session.add(donation)
    except IntegrityError:
        # A concurrent retry with the same key committed first: its gift is the gift (if same request).
        first = existing_gift(campaign.id, idempotency_key, fingerprint)
        if first is None:
            raise
        return first, False
    ledger.claim_tier(donation)
    _open_setup_intent(donation, campaign)
    db.session.flush()
    return donation, True


# Stripe's limit on one SEPA Direct Debit (docs.stripe.com/payments/sepa-debit: 10,000 EUR a transaction).
SEPA_MAX_CENTS = 1_000_000
STRIPE_TYPES = {PaymentMethod.card: "card", PaymentMethod.direct_debit: "sepa_debit"}


def _payment_method(kind, amount_cents, monthly) -> PaymentMethod:
    """A card always; a SEPA Direct Debit for a monthly gift, or a one-off gift of at least
    SEPA_ONE_OFF_MIN_CENTS, up to Stripe's limit on one debit."""
    if kind == "card":
        return PaymentMethod.card
    if kind != "sepa_debit":
        raise InvalidInput("pay by card or by SEPA Direct Debit (sepa_debit)", "payment_method_type")
    minimum = current_app.config["SEPA_ONE_OFF_MIN_CENTS"]
    if not monthly and not (minimum and amount_cents >= minimum):
        raise InvalidInput(f"SEPA Direct Debit is for monthly gifts, or one-off gifts of at least {minimum} cents"
                           if minimum else "SEPA Direct Debit is for monthly gifts", "payment_method_type")
    if amount_cents > SEPA_MAX_CENTS:
        raise InvalidInput(f"a SEPA Direct Debit is at most {SEPA_MAX_CENTS} cents", "amount_cents")
    return PaymentMethod.direct_debit


def _open_setup_intent(donation, campaign):
    client = stripe_client()
    key = f"solidaire-gift-{donation.public_id}"
    metadata = {"donation": donation.public_id, "campaign": campaign.slug}
    with call_stripe("registering the donor"):
        customer = client.v1.customers.create(
            params={"email": donation.email, "name": donation.donor_name, "metadata": metadata},
            options=on_account(donation.stripe_account_id, idempotency_key=f"{key}-customer"))
        setup = client.v1.setup_intents.create(
            params={"customer": customer.id, "payment_method_types": [STRIPE_TYPES[donation.payment_method]],
                    "usage": "off_session",
                    "metadata": metadata},
            options=on_account(donation.stripe_account_id, idempotency_key=f"{key}-setup"))
    donation.stripe_customer_id = customer.id
    donation.stripe_setup_intent_id = setup.id


def client_secret_for(donation) -> tuple[str | None, str | None, str | None]:
    """What the page needs to go on: the SetupIntent's secret before payment, the PaymentIntent's after."""
    client = stripe_client()
    with call_stripe("reading the payment"):
        if donation.stripe_payment_intent_id:
            intent = client.v1.payment_intents.retrieve(donation.stripe_payment_intent_id,
                                                         options=on_account(donation.stripe_account_id))
            return "payment_intent", intent.client_secret, intent.status
        if donation.stripe_setup_intent_id:
            intent = client.v1.setup_intents.retrieve(donation.stripe_setup_intent_id,
                                                      options=on_account(donation.stripe_account_id))
            return "setup_intent", intent.client_secret, intent.status
    return None, None, None


def confirm_gift(donation_id, payment_method=None) -> tuple[Donation, dict]:
    """After the page confirmed the SetupIntent: charge the saved card (or start the monthly gift).

    Returns the gift and what the page needs next: `{"status", "client_secret"?}`. A repeated call
    does not charge twice: the gift's row is locked and its PaymentIntent reused.
    """
    donation = lock_donation(donation_id)
    if donation.is_offline or donation.stripe_setup_intent_id is None:
        raise Conflict("this gift is not paid by card online")
    if donation.stripe_payment_intent_id and donation.status is not DonationStatus.failed:
        return donation, _next_step(donation)
    client = stripe_client()
    with call_stripe("reading the card registration"):
        setup = client.v1.setup_intents.retrieve(donation.stripe_setup_intent_id,
                                                 options=on_account(donation.stripe_account_id))
    saved_method = object_id(setup.payment_method)
    if setup.status != "succeeded" or not saved_method:
        raise Conflict("the card has not been registered yet", "payment_method")
    if payment_method and payment_method != saved_method:
        raise InvalidInput("this is not the card registered for the gift", "payment_method")
    if donation.monthly:
        start_subscription(donation, saved_method)
    else:
        _charge(donation, saved_method)
    db.session.flush()
    return donation, _next_step(donation)


def _charge(donation, payment_method):
    client = stripe_client()
    # A retry after a decline is a new PaymentIntent, hence a new key; a repeat of the same attempt is not.
    attempt = donation.stripe_payment_intent_id or "first"
    params = {"amount": donation.amount_cents, "currency": "eur", "customer": donation.stripe_customer_id,
              "payment_method": payment_method, "confirm": True,
              "payment_method_types": [STRIPE_TYPES[donation.payment_method]],
              "metadata": {"donation": donation.public_id, "campaign": donation.campaign.slug}}
    fee = application_fee(donation.amount_cents)
    if fee:
        params["application_fee_amount"] = fee
    try:
        with call_stripe("charging the card"):
            intent = client.v1.payment_intents.create(
                params=params, options=on_account(donation.stripe_account_id,
                                                  idempotency_key=f"solidaire-gift-{donation.public_id}-pay-{attempt}"))
    except stripe.CardError as error:
        intent_id = object_id(getattr(error.error, "payment_intent", None)) if error.error else None
        if intent_id:
            donation.stripe_payment_intent_id = intent_id
        donation.failure_reason = french_decline(error)[:300]
        if donation.status is DonationStatus.pending:
            fail_gift(donation, donation.failure_reason)
        return
    donation.stripe_payment_intent_id = intent.id


def application_fee(amount_cents) -> int:
    """The platform's share of a gift (STRIPE_APPLICATION_FEE_BPS, default 0: none), rounded down to the cent."""
    return amount_cents * current_app.config["STRIPE_APPLICATION_FEE_BPS"] // 10000


def _next_step(donation):
    kind, secret, status = client_secret_for(donation)
    step = {"status": donation.status.value, "payment_status": status}
    if status in ("requires_action", "requires_source_action"):
        step["client_secret"] = secret
    if donation.failure_reason and donation.status is DonationStatus.failed:
        step["failure_reason"] = donation.failure_reason
    return step
