"""JSON API: an organization's accounting journal as a FEC file or a CSV, for a period."""
from datetime import timedelta

import marshmallow as ma
from flask import Response, abort
from flask_smorest import Blueprint

from app.auth.access import current_user, require_roles
from app.downloads import attachment
from app.errors import InvalidInput
from app.fields import Day
from campaigns.services import get_organization
from donations.accounting import entries, fec

bp = Blueprint("accounting_journal", __name__, url_prefix="/api/v1/organizations",
               description="Each organization's accounting entries (FEC, CSV), for its treasurer.")

MAX_PERIOD = timedelta(days=400)  # a financial year, and some: what one export is for


class PeriodArgs(ma.Schema):
    date_from = Day(required=True, data_key="from", metadata={"description": "first day, YYYY-MM-DD"})
    date_to = Day(required=True, data_key="to", metadata={"description": "last day (included), YYYY-MM-DD"})


def _journal(slug, args):
    user = current_user()
    organization = get_organization(slug)
    if not (user.is_admin or user.organization_id == organization.id):
        abort(404)
    start, end = args["date_from"], args["date_to"]
    if start > end:
        raise InvalidInput("from is after to", "from")
    if end - start > MAX_PERIOD:
        raise InvalidInput("a period is 400 days at most: export one financial year at a time", "to")
    return organization, end, entries.journal(organization, start, end)


@bp.route("/<slug>/accounting.fec", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, content_type="text/plain")
def journal_fec(args, slug):
    """The entries of the period in the FEC layout (article A. 47 A-1 LPF: 18 tab-separated fields,
    ISO 8859-15), named `<SIREN>FEC<last day>.txt`. The organization's finance officers and admins."""
    organization, end, journal = _journal(slug, args)
    return Response(fec.fec_file(journal), content_type=f"text/plain; charset={fec.FEC_ENCODING}", headers={
        "Content-Disposition": f'attachment; filename="{fec.fec_filename(organization, end)}"'})


@bp.route("/<slug>/accounting.csv", methods=["GET"])
@require_roles("admin", "finance")
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, content_type="text/csv")
def journal_csv(args, slug):
    """The same entries as a French CSV (`;`, decimal commas, dd/mm/yyyy)."""
    organization, end, journal = _journal(slug, args)
    return attachment(fec.journal_csv(journal), f"ecritures-{organization.slug}-{end:%Y%m%d}.csv")


def init_app(app):
    from app.extensions import (
        api,  # a registration on this app: only when the factory asks
    )

    api.register_blueprint(bp)
