"""A file the browser saves rather than shows: CSV exports, statements, registers."""
from flask import current_app


def attachment(content, filename, mimetype="text/csv; charset=utf-8"):
    """A response carrying `content` to be saved as `filename`."""
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
