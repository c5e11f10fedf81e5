"""`flask roundups ...`: settle a month, create a merchant key, open a dashboard link."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db
from donations.roundup import services

roundups_cli = AppGroup("roundups", help="Round-up at local merchants: settlements and keys.")


@roundups_cli.command("settle")
@click.option("--month", required=True, help="The month to settle, YYYY-MM.")
def settle_command(month):
    """Settle every merchant for MONTH (re-running it changes nothing)."""
    try:
        month = services.parse_month(month)
        results = services.settle_all(month, commit=db.session.commit)
    except DomainError as error:
        raise click.ClickException(error.detail)
    if not results:
        click.echo(f"Nothing to settle for {month:%Y-%m}.")
    for slug, settlement, outcome in results:
        if settlement is None:
            click.echo(f"{slug}: not settled ({outcome})")
        else:
            word = "settled" if outcome else "already settled"
            click.echo(f"{slug}: {word}, {settlement.roundup_count} round-ups, "
                       f"total {settlement.total_cents} cents (statement {settlement.id})")


@roundups_cli.command("create-key")
@click.argument("merchant_slug")
@click.option("--label", default="", help="Where the key is used (till, web shop...).")
@click.option("--kind", type=click.Choice(["api", "till"]), default="api", show_default=True,
              help="api: everything a checkout may do; till: a device at the counter (/caisse), which may "
                   "only quote, record, void and read today's figures.")
def create_key_command(merchant_slug, label, kind):
    """Create a key for a merchant; it is printed once."""
    try:
        _, key = services.issue_merchant_key(services.get_merchant(merchant_slug), kind, label)
    except DomainError as error:
        raise click.ClickException(error.detail)
    db.session.commit()
    click.echo(key)
    if kind == "till":
        # Opened once on the counter's phone or tablet (or turned into a QR code): the key stays in the fragment,
        # which the browser never sends to the server.
        click.echo(f"Installer la caisse : {current_app.config['PUBLIC_URL'].rstrip('/')}/caisse#cle={key}")


def init_app(app):
    app.cli.add_command(roundups_cli)
