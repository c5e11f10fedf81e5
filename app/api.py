"""The flask-smorest Api, with every error answered — and documented — as application/problem+json.

The OpenAPI document is a contract that tests/test_schemathesis.py holds every answer to: each error
response is documented with the RFC 9457 shape app/errors.py writes, every operation needs a bearer
token unless its view says otherwise (`@bp.doc(security=PUBLIC)` or `OPTIONAL_BEARER`), and numeric
bounds are numbers.
"""
import http
import json
from decimal import Decimal

import marshmallow as ma
from flask import request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter

from app.errors import problem_response
from app.fields import MAX_ID

PROBLEM_CONTENT_TYPE = "application/problem+json"
BEARER = [{"bearer": []}]
PUBLIC = []  # no credentials
OPTIONAL_BEARER = [{}, {"bearer": []}]  # anyone; a staff token may see more


class Problem(ma.Schema):
    """RFC 9457 problem details, as app/errors.py writes them."""

    type = ma.fields.String(required=True, metadata={"description": "a URI naming the kind of problem"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), metadata={
        "description": "the offending fields, each with its messages"})


def numeric_bounds(converter, field, ret, **kwargs):
    """A `Range` of Decimals is documented with numbers, not the strings JSON would make of them."""
    return {key: float(ret[key]) if isinstance(ret[key], Decimal) and ret[key] % 1 else int(ret[key])
            for key in ("minimum", "maximum") if isinstance(ret.get(key), Decimal)}


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` in every route: a path id beyond the databases' INTEGER is no row (404), not an error
    of the database (Werkzeug's own converter accepts any number of digits)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int_schema(converter):
    return {"type": "integer", "minimum": 0, "maximum": converter.max}


MAX_JSON_DEPTH = 32


def _unreadable(value):
    """Why a parsed JSON document cannot be accepted, or None: nesting deeper than MAX_JSON_DEPTH, or a
    NUL character (PostgreSQL text cannot hold one)."""
    pending = [(value, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return f"nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(value, str) and "\x00" in value:
            return "contains a NUL character"
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return None


def refuse_unreadable_input():
    """Before any API view: a 400 for input that no schema should ever see (a JSON body nested 1,000 deep
    makes the parser recurse out of its stack; a NUL byte in a path, query or string fails in PostgreSQL)."""
    if not request.path.startswith("/api/"):
        return None
    if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                     for key, value in request.args.items(multi=True)):
        return problem_response(400, "Invalid characters", "The URL contains a NUL character.",
                                type_slug="invalid-characters")
    if not request.is_json:
        return None
    try:
        why = _unreadable(json.loads(request.get_data(cache=True) or b"null"))
    except RecursionError:
        why = f"nested deeper than {MAX_JSON_DEPTH} levels"
    except ValueError:
        return None  # not JSON: the view's parser answers "Malformed JSON"
    if why:
        return problem_response(400, "Unreadable JSON", f"The request body is {why}.", type_slug="unreadable-json")
    return None


class ProblemApi(Api):
    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        # app.errors.init_app installs the problem+json handler for the whole application.
        pass

    def init_app(self, app, **kwargs):
        # Before any blueprint: routes pick their converters when they are added.
        app.url_map.converters["int"] = BoundedIntConverter
        app.before_request(refuse_unreadable_input)
        super().init_app(app, **kwargs)
        self.register_converter(BoundedIntConverter, bounded_int_schema)

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(numeric_bounds)
        self.spec.options.setdefault("security", BEARER)

    def _register_responses(self):
        # As flask-smorest's, but with the content type the errors are really sent with.
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (4xx, 5xx) as problem details", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)
