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
