"""The Stripe client of this app (localstripe in development and tests, Stripe in production)."""
import logging
from datetime import datetime, timezone

import stripe
from flask import current_app

from app.errors import UpstreamError
from app.formatting import local_zone

log = logging.getLogger(__name__)


def stripe_client() -> stripe.StripeClient:
    """One client per application, built on first use from the configuration."""
    app = current_app._get_current_object()
    client = app.extensions.get("donations.stripe")
    if client is None:
        client = stripe.StripeClient(app.config["STRIPE_SECRET_KEY"],
                                     base_addresses={"api": app.config["STRIPE_API_BASE"]},
                                     max_network_retries=2)
        app.extensions["donations.stripe"] = client
    return client


def on_account(account_id, **options) -> dict:
    """Request options acting on an organization's connected account (Stripe's `Stripe-Account` header):
    gifts are direct charges, so every object of a gift lives on its organization's account."""
    return {**options, "stripe_account": account_id} if account_id else options


def object_id(value):
    """Stripe answers an id or, when expanded (localstripe always expands), the object itself."""
    if value is None or isinstance(value, str):
        return value
    return value["id"]


def stripe_date(timestamp):
    """A Stripe timestamp as the day in the territory's time zone."""
    return datetime.fromtimestamp(int(timestamp), timezone.utc).astimezone(local_zone()).date()


class call_stripe:
    """`with call_stripe("creating the payment"):` turns Stripe's network and API errors into an
    UpstreamError (502) so that the caller's transaction is rolled back and nothing is half-written.
    Card declines are not caught here: the caller decides what a decline means."""

    def __init__(self, doing):
        self.doing = doing

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None or isinstance(error, stripe.CardError):
            return False
        if isinstance(error, stripe.StripeError):
            log.warning("Stripe refused while %s: %s", self.doing, error)
            raise UpstreamError(f"the payment provider failed while {self.doing}") from error
        return False


# What a donor reads when the bank refuses: Stripe's decline codes in French (Stripe's own messages
# are English). Unknown codes fall back to the generic sentence.
DECLINE_MESSAGES = {
    "insufficient_funds": "Votre carte a été refusée : le solde ou le plafond ne permet pas ce paiement.",
    "expired_card": "Votre carte a expiré. Essayez avec une autre carte.",
    "incorrect_cvc": "Le code de sécurité (CVC) de la carte est incorrect.",
    "invalid_cvc": "Le code de sécurité (CVC) de la carte est incorrect.",
    "incorrect_number": "Le numéro de carte est incorrect.",
    "invalid_number": "Le numéro de carte est incorrect.",
    "invalid_expiry_month": "Le mois d'expiration de la carte est incorrect.",
    "invalid_expiry_year": "L'année d'expiration de la carte est incorrecte.",
    "lost_card": "Votre carte a été refusée. Contactez votre banque.",
    "stolen_card": "Votre carte a été refusée. Contactez votre banque.",
    "do_not_honor": "Votre banque a refusé ce paiement. Contactez-la ou essayez une autre carte.",
    "processing_error": "Une erreur est survenue lors du traitement de la carte. Réessayez dans un instant.",
    "authentication_required": "Votre banque demande une authentification : réessayez et validez-la.",
    "card_velocity_exceeded": "Votre carte a atteint sa limite de paiements. Essayez une autre carte.",
}
GENERIC_DECLINE = "Votre carte a été refusée. Essayez une autre carte ou contactez votre banque."


def french_decline(error) -> str:
    """The French sentence for a Stripe CardError (its decline code, else its code)."""
    details = getattr(error, "error", None)
    codes = (getattr(details, "decline_code", None), getattr(error, "code", None), getattr(details, "code", None))
    return next((DECLINE_MESSAGES[code] for code in codes if code in DECLINE_MESSAGES), GENERIC_DECLINE)
