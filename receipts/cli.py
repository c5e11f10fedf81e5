"""`flask --app wsgi receipts ...`: issue queued and annual receipts by hand."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from campaigns.models import Organization, ReceiptRegime
from receipts.jobs import issue_annual, issue_queued_receipts
from receipts.services.annual import plan_annual
from receipts.services.pdf import RenderPool

receipts_cli = AppGroup("receipts", help="Tax receipts.")


@receipts_cli.command("annual")
@click.option("--year", type=int, required=True, help="The calendar year of the gifts.")
@click.option("--organization", "slug", help="One organization's slug (default: all that issue receipts).")
@click.option("--workers", type=int, default=None, help="Rendering processes (default: one per core).")
def annual_command(year, slug, workers):
    """Issue the annual receipts of YEAR; safe to re-run, it never issues a receipt twice."""
    statement = select(Organization).where(Organization.receipt_regime != ReceiptRegime.not_eligible)
    if slug:
        statement = select(Organization).where(Organization.slug == slug)
    organizations = db.session.scalars(statement.order_by(Organization.id)).all()
    if slug and not organizations:
        raise click.ClickException(f"no organization {slug!r}")
    with RenderPool(workers) as pool:
        for organization in organizations:
            if not organization.issues_receipts:
                raise click.ClickException(f"{organization.slug} does not issue tax receipts")
            todo = len(plan_annual(organization, year).drafts)
            with click.progressbar(length=todo, label=f"{organization.slug} {year}") as bar:
                plan, issued = issue_annual(organization, year, renderer=pool, progress=bar.update)
            click.echo(f"{organization.slug}: {issued} issued, {plan.already_issued} already issued, "
                       f"{len(plan.waiting_for_address)} round-up donors waiting for their address")


@receipts_cli.command("issue-queued")
def issue_queued_command():
    """Issue the receipts waiting in the queue now."""
    click.echo(f"{issue_queued_receipts(limit=100_000)} requests processed")
