"""`flask stripe ...`: development helpers around the payment provider."""
import json
import urllib.request

import click
from flask import current_app
from flask.cli import AppGroup

stripe_cli = AppGroup("stripe", help="Payment provider helpers.")

WEBHOOK_EVENTS = [
    "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
    "charge.refunded", "charge.dispute.created", "charge.dispute.closed",
    "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
    "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
]


@stripe_cli.command("register-webhook")
@click.option("--url", required=True, help="Where localstripe should deliver events.")
def register_webhook(url):
    """Point localstripe's webhook at URL, signed with STRIPE_WEBHOOK_SECRET (localstripe only)."""
    base = current_app.config["STRIPE_API_BASE"].rstrip("/")
    if "api.stripe.com" in base:
        raise click.ClickException("real Stripe: configure the endpoint in the Stripe dashboard instead")
    body = json.dumps({"url": url, "secret": current_app.config["STRIPE_WEBHOOK_SECRET"],
                       "events": WEBHOOK_EVENTS}).encode()
    request = urllib.request.Request(f"{base}/_config/webhooks/solidaire", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status >= 300:
            raise click.ClickException(f"localstripe answered {response.status}")
    click.echo(f"localstripe delivers {len(WEBHOOK_EVENTS)} event types to {url}")
