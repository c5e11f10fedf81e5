"""Monthly gifts: a Stripe subscription on the saved card. Each paid invoice is one gift of its own
(its own receipt line, its own campaign total); the first one is the gift the donor started."""
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db
from app.types import utcnow
from donations.gateway import call_stripe, object_id, on_account, stripe_client
from donations.models import Donation
from donations.services.lookups import lock_donation_where
from donations.services.settlement import apply_intent

log = logging.getLogger(__name__)

GIFT_FIELDS = ("campaign_id", "organization_id", "donor_type", "amount_cents", "anonymous", "receipt_choice",
               "payment_method", "first_name", "last_name", "email", "address_line1", "address_line2", "postal_code",
               "city", "country", "company_name", "company_legal_form", "company_siren", "stripe_customer_id",
               "stripe_subscription_id", "stripe_account_id")


def start_subscription(donation, payment_method) -> None:
    client = stripe_client()
    key = f"solidaire-gift-{donation.public_id}"
    metadata = {"donation": donation.public_id, "campaign": donation.campaign.slug}
    account = donation.stripe_account_id
    with call_stripe("starting the monthly gift"):
        client.v1.customers.update(donation.stripe_customer_id,
                                   params={"invoice_settings": {"default_payment_method": payment_method}},
                                   options=on_account(account))
        product = client.v1.products.create(params={"name": f"Don mensuel — {donation.campaign.title}"[:200]},
                                            options=on_account(account, idempotency_key=f"{key}-product"))
        plan = client.v1.plans.create(params={"amount": donation.amount_cents, "currency": "eur", "interval": "month",
                                              "product": product.id, "metadata": metadata},
                                      options=on_account(account, idempotency_key=f"{key}-plan"))
        subscription = client.v1.subscriptions.create(
            params={"customer": donation.stripe_customer_id, "items": [{"plan": plan.id}], "metadata": metadata},
            options=on_account(account, idempotency_key=f"{key}-subscription"))
        invoice = client.v1.invoices.retrieve(object_id(subscription.latest_invoice),
                                              options=on_account(account)).to_dict()
    donation.stripe_subscription_id = subscription.id
    donation.stripe_invoice_id = invoice["id"]
    donation.stripe_payment_intent_id = object_id(invoice.get("payment_intent"))


def settle_invoice(invoice_id, account=None) -> str:
    """A paid invoice of a monthly gift: the first month settles the gift the donor started, each later
    month becomes a gift of its own, created once (the invoice id is unique). The invoice is read on the
    account of its gift, else on `account` (the connected account the event came from)."""
    client = stripe_client()
    account = db.session.scalar(select(Donation.stripe_account_id).where(Donation.stripe_invoice_id == invoice_id)) \
        or account
    with call_stripe("reading the invoice"):
        invoice = client.v1.invoices.retrieve(invoice_id, options=on_account(account)).to_dict()
    subscription_id = object_id(invoice.get("subscription"))
    intent_id = object_id(invoice.get("payment_intent"))
    if not subscription_id or not intent_id:
        return "unknown"
    gift = lock_donation_where(Donation.stripe_invoice_id == invoice["id"])
    if gift is None:
        first = db.session.scalar(select(Donation).where(Donation.stripe_subscription_id == subscription_id,
                                                         Donation.recurring_of_id.is_(None)))
        if first is None or (account and first.stripe_account_id != account):
            return "unknown"
        gift = Donation(recurring_of_id=first.id, monthly=True, stripe_invoice_id=invoice["id"],
                        stripe_payment_intent_id=intent_id,
                        **{name: getattr(first, name) for name in GIFT_FIELDS})
        gift.amount_cents = invoice.get("amount_paid") or invoice["total"]
        try:
            with db.session.begin_nested():
                db.session.add(gift)
        except IntegrityError:
            return "unchanged"  # the same invoice's other event created it a moment ago
    elif gift.stripe_payment_intent_id is None:
        gift.stripe_payment_intent_id = intent_id
    with call_stripe("reading the payment"):
        intent = client.v1.payment_intents.retrieve(intent_id, options=on_account(gift.stripe_account_id)).to_dict()
    return apply_intent(gift, intent)


def cancel_monthly(donation) -> Donation:
    """Stop the donor's monthly gift; the months already given stay given."""
    first = donation.recurring_of or donation
    if not first.monthly or not first.stripe_subscription_id:
        raise Conflict("this gift is not a monthly gift")
    if first.subscription_cancelled_at is not None:
        return first
    with call_stripe("stopping the monthly gift"):
        stripe_client().v1.subscriptions.cancel(first.stripe_subscription_id,
                                                options=on_account(first.stripe_account_id))
    first.subscription_cancelled_at = utcnow()
    db.session.flush()
    return first


def subscription_ended(subscription_id) -> str:
    """Stripe ended the subscription (cancelled in its dashboard, or cards failing)."""
    first = db.session.scalar(select(Donation).where(Donation.stripe_subscription_id == subscription_id,
                                                     Donation.recurring_of_id.is_(None)))
    if first is None or first.subscription_cancelled_at is not None:
        return "unchanged"
    first.subscription_cancelled_at = utcnow()
    return "cancelled"
