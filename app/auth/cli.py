"""`flask users ...` and `flask tokens ...`."""
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.audit import record_action
from app.auth import invitations, services
from app.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Manage the people who sign in.")
tokens_cli = AppGroup("tokens", help="Create and revoke API tokens.")


def _id_for_slug(table_name, slug):
    table = db.metadata.tables[table_name]
    found = db.session.scalar(select(table.c.id).where(table.c.slug == slug))
    if found is None:
        raise click.ClickException(f"no {table_name[:-1]} with the slug {slug!r}")
    return found


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["admin", "finance", "holder", "partner"]))
@click.option("--organization", "organization_slug", help="Slug of the organization (finance, holder).")
@click.option("--partner", "partner_slug", help="Slug of the partner (partner users).")
@click.option("--password", help="Leave out to email (and print) a link to choose it, as an invitation does.")
@click.option("--name", default="")
def create_user_command(email, role, organization_slug, partner_slug, password, name):
    """Create a user who signs in at /connexion (the first administrator, for one)."""
    organization_id = _id_for_slug("organizations", organization_slug) if organization_slug else None
    partner_id = _id_for_slug("partners", partner_slug) if partner_slug else None
    link = None
    try:
        user = services.create_user(email, role, organization_id=organization_id,
                                    partner_id=partner_id, password=password, name=name)
        if password is None:
            link = invitations.send_invitation(user)
            record_action(None, "user.invite", f"user:{user.email}", f"{user.role.value} (ligne de commande)")
    except DomainError as error:
        raise click.ClickException(error.detail)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")
    if link:
        click.echo(f"Emailed them a link to choose a password, valid once: {link}")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", default="")
def create_token_command(email, label):
    """Create an API token for EMAIL and print it once."""
    _, token = services.create_token(_user(email), label)
    db.session.commit()
    click.echo(token)


@tokens_cli.command("revoke")
@click.argument("prefix_or_id")
def revoke_token_command(prefix_or_id):
    """Revoke the API token with this id, or the one whose start (`sol_...`, as listed) is PREFIX_OR_ID."""
    try:
        rows = services.find_tokens(prefix_or_id)
    except DomainError as error:
        raise click.ClickException(error.detail)
    if not rows:
        raise click.ClickException(f"no live token matches {prefix_or_id!r}")
    if len(rows) > 1:
        listed = ", ".join(f"{row.id} ({row.prefix}..., {row.user.email})" for row in rows)
        raise click.ClickException(f"{len(rows)} live tokens match {prefix_or_id!r}: {listed}; give an id")
    row = services.revoke_token(rows[0])
    db.session.commit()
    click.echo(f"Revoked token {row.id} ({row.prefix}...) of {row.user.email}.")


def _user(email):
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    return user


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user_command(email):
    """Stop EMAIL from signing in: their sessions end and their API tokens stop working."""
    user = services.deactivate_user(_user(email))
    db.session.commit()
    click.echo(f"Deactivated {user.email}: signed out everywhere, API tokens refused.")


@users_cli.command("reset-password")
@click.argument("email")
@click.option("--prompt", is_flag=True, help="Type the new password instead of having one generated.")
def reset_password_command(email, prompt):
    """Give EMAIL a new password (printed once unless --prompt); every session they had ends."""
    user = _user(email)
    password = (click.prompt("New password", hide_input=True, confirmation_prompt=True) if prompt
                else secrets.token_urlsafe(12))
    try:
        services.set_password(user, password)
    except DomainError as error:
        raise click.ClickException(error.detail)
    db.session.commit()
    click.echo(f"New password for {user.email}; every session they had is closed.")
    if not prompt:
        click.echo(f"Password: {password}")


def init_app(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
