"""`flask --app wsgi receipts ...`: issue queued and annual receipts by hand; archive a year; erase
donors' data whose retention has ended."""
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.errors import InvalidInput
from app.extensions import db
from campaigns.models import Organization, ReceiptRegime
from receipts.jobs import issue_annual, issue_queued_receipts
from receipts.services.annual import plan_annual
from receipts.services import retention
from receipts.services.pdf import RenderPool

receipts_cli = AppGroup("receipts", help="Tax receipts.")


@receipts_cli.command("annual")
@click.option("--year", type=int, required=True, help="The calendar year of the gifts.")
@click.option("--organization", "slug", help="One organization's slug (default: all that issue receipts).")
@click.option("--workers", type=int, default=None, help="Rendering processes (default: one per core).")
def annual_command(year, slug, workers):
    """Issue the annual receipts of YEAR (an ended year); safe to re-run, it never issues a receipt
    twice, and issues a complementary receipt for money of YEAR received since the first run."""
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
            try:
                todo = len(plan_annual(organization, year).drafts)
            except InvalidInput as refusal:  # a year that has not ended
                raise click.ClickException(refusal.detail) from None
            with click.progressbar(length=todo, label=f"{organization.slug} {year}") as bar:
                plan, issued = issue_annual(organization, year, renderer=pool, progress=bar.update)
            click.echo(f"{organization.slug}: {issued} issued, {plan.already_issued} already issued, "
                       f"{plan.complementary} complementary, "
                       f"{len(plan.waiting_for_address)} round-up donors waiting for their address")


@receipts_cli.command("issue-queued")
def issue_queued_command():
    """Issue the receipts waiting in the queue now."""
    click.echo(f"{issue_queued_receipts(limit=100_000)} requests processed")


@receipts_cli.command("archive")
@click.option("--organization", "slug", required=True, help="The organization's slug.")
@click.option("--year", type=int, required=True, help="The year of issue (the receipts' numbers).")
@click.option("--to", "target", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (created if needed).")
def archive_command(slug, year, target):
    """Write YEAR's receipt PDFs as issued, the register CSV and MANIFEST.sha256 (check it with
    `sha256sum -c MANIFEST.sha256`). Keep it six years after the end of YEAR (LPF art. L102 B)."""
    organization = db.session.scalar(select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise click.ClickException(f"no organization {slug!r}")
    written = retention.archive_year(organization, year, target)
    click.echo(f"{slug} {year}: {len(written) - 1} PDF, the register and MANIFEST.sha256 written to {target}; "
               f"keep them until {retention.kept_until(year):%d/%m/%Y}")


@receipts_cli.command("purge-donor-data")
@click.option("--dry-run", is_flag=True, help="Say what would be erased, erase nothing.")
def purge_command(dry_run):
    """Erase donors' personal data whose retention has ended (receipts issued more than six years
    ago, LPF art. L102 B; gifts without a receipt six years after their year; never an open gift).
    Amounts, dates and numbers stay. Irreversible: archive first, and run with --dry-run first."""
    purge = retention.purge_donor_data(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would erase" if dry_run else "erased"
    click.echo(f"receipts issued up to {purge.until_year}: {verb} the donor data and PDFs of "
               f"{len(purge.receipts)} receipts, the donor data of {len(purge.donations)} gifts, "
               f"the emails of {purge.roundups} round-ups and {len(purge.roundup_donors)} round-up donors' identities")
