"""`flask users ...` and `flask tokens ...`."""
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import services
from app.auth.models import User
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
@click.option("--password", help="Leave out to have one generated and printed.")
@click.option("--name", default="")
def create_user_command(email, role, organization_slug, partner_slug, password, name):
    """Create a user who signs in at /connexion."""
    organization_id = _id_for_slug("organizations", organization_slug) if organization_slug else None
    partner_id = _id_for_slug("partners", partner_slug) if partner_slug else None
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = services.create_user(email, role, organization_id=organization_id,
                                    partner_id=partner_id, password=password, name=name)
    except DomainError as error:
        raise click.ClickException(error.detail)
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")
    if generated:
        click.echo(f"Password: {password}")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--label", default="")
def create_token_command(email, label):
    """Create an API token for EMAIL and print it once."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    _, token = services.create_token(user, label)
    db.session.commit()
    click.echo(token)


def init_app(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
