"""`flask stripe ...`: development helpers around the payment provider."""
import json
import urllib.request

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from campaigns import services as campaigns
from donations.services import accounts

stripe_cli = AppGroup("stripe", help="Payment provider helpers.")

# Events of the organizations' connected accounts, delivered to /api/v1/stripe/connect-webhook.
CONNECT_WEBHOOK_EVENTS = ["account.updated", "account.application.deauthorized"]

WEBHOOK_EVENTS = [
    "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
    "charge.refunded", "charge.dispute.created", "charge.dispute.closed",
    "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
    "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
]


@stripe_cli.command("register-webhook")
@click.option("--url", required=True, help="Where localstripe should deliver events.")
def register_webhook(url):
    """Point localstripe's webhooks at URL (the platform's events, signed with STRIPE_WEBHOOK_SECRET) and
    at URL's connect-webhook (connected accounts' events, STRIPE_CONNECT_WEBHOOK_SECRET); localstripe only."""
    base = current_app.config["STRIPE_API_BASE"].rstrip("/")
    if "api.stripe.com" in base:
        raise click.ClickException("real Stripe: configure the endpoints in the Stripe dashboard instead")
    connect_url = url.rsplit("/", 1)[0] + "/connect-webhook"
    for path, target, secret in (
            ("webhooks/solidaire", url, current_app.config["STRIPE_WEBHOOK_SECRET"]),
            ("connect/webhooks/solidaire", connect_url, current_app.config["STRIPE_CONNECT_WEBHOOK_SECRET"])):
        body = json.dumps({"url": target, "secret": secret,
                           "events": WEBHOOK_EVENTS + CONNECT_WEBHOOK_EVENTS}).encode()
        request = urllib.request.Request(f"{base}/_config/{path}", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status >= 300:
                raise click.ClickException(f"localstripe answered {response.status}")
    click.echo(f"localstripe delivers {len(WEBHOOK_EVENTS)} event types to {url} and connected accounts' "
               f"to {connect_url}")


@stripe_cli.command("connect-account")
@click.argument("organization")
@click.option("--return-url", help="Where Stripe sends the treasurer back (default: PUBLIC_URL/gestion).")
def connect_account(organization, return_url):
    """Create ORGANIZATION's Stripe account (once) and print a single-use onboarding link."""
    found, created = accounts.create_account(campaigns.get_organization(organization))
    db.session.commit()
    back = return_url or f"{current_app.config['PUBLIC_URL'].rstrip('/')}/gestion"
    link = accounts.onboarding_link(found, return_url=back, refresh_url=back)
    click.echo(f"{'created' if created else 'existing'} account {found.stripe_account_id} "
               f"(payments {'on' if found.takes_payments else 'off'})")
    click.echo(f"onboarding link (single use, a few minutes): {link['url']}")


@stripe_cli.command("refresh-account")
@click.argument("organization")
def refresh_account(organization):
    """Re-read ORGANIZATION's Stripe account and keep its flags (what account.updated does)."""
    found = campaigns.get_organization(organization)
    if not found.stripe_account_id:
        raise click.ClickException("no Stripe account yet: run `stripe connect-account` first")
    outcome = accounts.refresh_account(found.stripe_account_id)
    db.session.commit()
    click.echo(f"{found.stripe_account_id}: {outcome}; charges {'on' if found.charges_enabled else 'off'}, "
               f"payouts {'on' if found.payouts_enabled else 'off'}")
