"""French display of dates and times in the territory's time zone, and the Jinja filters."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app

from app.money import format_eur, format_percent
from app.text import agree, with_preposition


def local_zone():
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def format_day(value):
    """`25/11/2026` for a date or an aware datetime (shown in the territory's time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_day_long(value):
    """`25 novembre 2026`."""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, format="long", locale="fr_FR")


def format_moment(value):
    """`25/11/2026 à 14:05` in the territory's time zone."""
    if value is None:
        return ""
    local = to_local(value)
    return f"{local.strftime('%d/%m/%Y')} à {local.strftime('%H:%M')}"


def local_today() -> date:
    return datetime.now(local_zone()).date()


def init_app(app):
    app.jinja_env.filters.update(
        eur=format_eur, day=format_day, day_long=format_day_long, moment=format_moment,
        percent=format_percent,
        # "auprès {{ name|de }}", "les dons {{ name|to }}", "{{ name }} vous {{ name|agree('remercie', 'remercient') }}"
        de=lambda name: with_preposition(name, "de"), to=lambda name: with_preposition(name, "à"), agree=agree,
    )
