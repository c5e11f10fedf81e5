"""Errors: domain exceptions raised by services, and their rendering.

Services raise the exceptions below with plain words; the JSON API renders them as RFC 9457
`application/problem+json`, the HTML pages as a French error page. Nothing here knows a domain.
"""
import logging

from flask import current_app, json, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://solidaire.example/problems/"

FRENCH_TITLES = {
    400: "Requête invalide",
    401: "Connexion requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    410: "Lien expiré",
    413: "Envoi trop volumineux",
    429: "Trop de requêtes",
    422: "Données invalides",
    500: "Erreur interne",
    502: "Prestataire indisponible",
    503: "Service momentanément indisponible",
}
# What a page says when a domain refusal reaches it unhandled: the refusal's own detail is written in
# English for the API (and may name internals), so a person reads a French sentence for its status.
FRENCH_DETAILS = {
    404: "Cette page n'existe pas, ou son lien est incomplet ou n'est plus valable.",
    409: "Cette action n'est plus possible : la situation a changé entre-temps. Rechargez la page.",
    410: "Ce lien n'est plus valable.",
    422: "Cette demande ne peut pas être traitée.",
    502: "Le prestataire de paiement n'a pas répondu : réessayez dans quelques minutes.",
}


class DomainError(Exception):
    """A refusal the user can act on. `field` names the offending input when there is one."""

    status = 422
    type_slug = "domain-error"
    title = "The request cannot be carried out"

    def __init__(self, detail, field=None, *, errors=None):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.errors = errors or ({field: [detail]} if field else None)


class InvalidInput(DomainError):
    status = 422
    type_slug = "validation-error"
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class InvalidTransition(Conflict):
    """A state machine refused a move (e.g. publishing a cancelled campaign)."""

    type_slug = "invalid-transition"
    title = "Invalid state transition"


class UpstreamError(DomainError):
    """The payment provider (or another service we depend on) refused or failed."""

    status = 502
    type_slug = "upstream-error"
    title = "Payment provider error"


def wants_problem_json():
    return request.path.startswith("/api/")


def problem_response(status, title, detail=None, *, type_slug=None, errors=None, headers=None):
    body = {
        "type": PROBLEM_TYPE_BASE + type_slug if type_slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_webargs_messages(messages):
    """webargs reports {"json": {"field": [...]}, "query": {...}}; clients want {"field": [...]}."""
    errors = {}
    for location, fields in (messages or {}).items():
        if isinstance(fields, dict):
            for name, value in fields.items():
                errors[name] = value
        else:
            errors[f"_{location}"] = fields if isinstance(fields, list) else [fields]
    return errors


def http_exception_response(error: HTTPException):
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    if status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.exception("unhandled error on %s %s", request.method, request.path, exc_info=original)
    if not wants_problem_json():
        return html_error(status)
    errors = flatten_webargs_messages(data.get("messages")) if "messages" in data else data.get("errors")
    detail = data.get("message") or (error.description if status < 500 else None)
    if status == 400 and errors and "_json" in errors:
        return problem_response(400, "Malformed JSON", "The request body is not valid JSON.",
                                type_slug="malformed-json", errors={"body": errors["_json"]})
    if status == 422 and errors:
        fields = ", ".join(sorted(errors))
        return problem_response(422, "Invalid input", f"Check these fields: {fields}.",
                                type_slug="validation-error", errors=errors)
    return problem_response(status, error.name, detail, headers=data.get("headers"))


def domain_error_response(error: DomainError):
    if not wants_problem_json():
        return html_error(error.status, FRENCH_DETAILS.get(error.status))
    return problem_response(error.status, error.title, error.detail,
                            type_slug=error.type_slug, errors=error.errors)


def html_error(status, detail=None):
    title = FRENCH_TITLES.get(status, "Erreur")
    return render_template("error.html", status=status, title=title, detail=detail), status


RETRY_AFTER_SECONDS = 5


def database_unavailable_response(error):
    """The database is down, restarting, or a lock or statement timed out: nothing was written (the
    transaction is rolled back), so the client may simply try again in a few seconds."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if not wants_problem_json():
        body, status = html_error(503, "Le service est momentanément indisponible : réessayez dans quelques "
                                       "secondes.")
        return body, status, headers
    return problem_response(503, "Service unavailable", "The database is unavailable; retry shortly.",
                            type_slug="database-unavailable", headers=headers)


def init_app(app):
    app.register_error_handler(DomainError, domain_error_response)
    # flask-smorest registers its own JSON handler; ours replaces it for both pages and API.
    app.register_error_handler(HTTPException, http_exception_response)
    app.register_error_handler(OperationalError, database_unavailable_response)
    app.register_error_handler(PoolTimeout, database_unavailable_response)
