"""`flask demo load`: a believable Sceaux territory. Each package adds its part; loading twice is harmless."""
import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data for the Sceaux territory.")


def register_loader(app, order, loader):
    """`loader()` adds its rows if they are missing and returns lines to print (credentials...)."""
    app.extensions.setdefault("solidaire.demo", []).append((order, loader))


def load_all(app):
    lines = []
    for _, loader in sorted(app.extensions.get("solidaire.demo", []), key=lambda item: item[0]):
        lines.extend(loader() or [])
        db.session.commit()
    return lines


@demo_cli.command("load")
def load_command():
    """Load (or complete) the demonstration data."""
    for line in load_all(current_app._get_current_object()):
        click.echo(line)


def init_app(app):
    app.cli.add_command(demo_cli)
