"""The open-data page and its files: /donnees-ouvertes, the funding CSV/JSON with their Table Schema,
and the town's subsidies in the SCDL format. Public, read-only, rebuilt from the ledger on each request
(a reverse proxy may keep a copy for `MAX_AGE` seconds)."""
import json

from flask import Blueprint, current_app, render_template

from app.csv import write_csv
from app.downloads import attachment
from app.types import utcnow
from donations.opendata.funding import SOURCE_LABELS, funding_rows
from donations.opendata.schemas import (
    FUNDING_FIELD_NAMES,
    FUNDING_FIELDS,
    FUNDING_SCHEMA_VERSION,
    LICENCE,
    SCDL_SUBSIDIES_FIELDS,
    SCDL_SUBSIDIES_SCHEMA,
    SCDL_SUBSIDIES_VERSION,
    funding_schema,
)
from donations.opendata.subsidies import configured_town, subsidy_rows

bp = Blueprint("opendata", __name__, template_folder="templates", url_prefix="/donnees-ouvertes")

MAX_AGE = 300  # seconds a shared cache may serve a file before asking again


def _public(response):
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site's script may read it
    return response


def _json(document):
    return _public(current_app.response_class(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                                              mimetype="application/json"))


def _base_url():
    return current_app.config["PUBLIC_URL"].rstrip("/")


@bp.get("")
def index():
    return render_template("opendata/index.html", fields=FUNDING_FIELDS, sources=SOURCE_LABELS,
                           licence=LICENCE, funding_version=FUNDING_SCHEMA_VERSION,
                           scdl_version=SCDL_SUBSIDIES_VERSION, town=configured_town())


@bp.get("/financements.csv")
def funding_csv():
    records = [row.as_record() for row in funding_rows()]
    content = write_csv(FUNDING_FIELD_NAMES, ([record[name] for name in FUNDING_FIELD_NAMES] for record in records),
                        delimiter=",")
    return _public(attachment(content, "financements.csv"))


@bp.get("/financements.json")
def funding_json():
    base = _base_url()
    return _json({
        "titre": "Financement des campagnes par source et par mois",
        "producteur": current_app.config.get("LEGAL_PUBLISHER", ""),
        "licence": LICENCE,
        "schema": f"{base}/donnees-ouvertes/financements.schema.json",
        "genere_le": utcnow().replace(microsecond=0).isoformat(),
        "financements": [row.as_record() for row in funding_rows()],
    })


@bp.get("/financements.schema.json")
def funding_schema_json():
    return _json(funding_schema(_base_url()))


@bp.get("/subventions.csv")
def subsidies_csv():
    rows = subsidy_rows()
    content = write_csv(SCDL_SUBSIDIES_FIELDS, ([row[name] for name in SCDL_SUBSIDIES_FIELDS] for row in rows),
                        delimiter=",")
    return _public(attachment(content, "subventions.csv"))


@bp.get("/subventions.schema.json")
def subsidies_schema_json():
    return _json(SCDL_SUBSIDIES_SCHEMA)


def init_app(app):
    app.register_blueprint(bp)
