"""HTTP errors: JSON for the API, a generic translated page otherwise. Never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.logs import get_logger
from portal.web.htmx import render_page

log = get_logger("errors")
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _handle_http(error: HTTPException):
    if request.path.startswith("/api/"):
        response = jsonify({"error": error.name, "message": error.description})
    elif error.code == 429 and request.endpoint == "public.lookup":
        # The lookup's own page (or fragment), saying to wait, with what was typed kept.
        typed = request.form.get("receipt_number", "")[:64]
        body, _ = render_page("public/lookup.html", "lookup", outcome="rate_limited", typed=typed)
        response = Flask.response_class(body, mimetype="text/html")
    else:
        response = Flask.response_class(
            render_template("errors/error.html", code=error.code), mimetype="text/html"
        )
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name in _KEPT_HEADERS:
            response.headers[name] = value
    return response


def _handle_unexpected(error: Exception):
    log.exception("unhandled error", extra={"path": request.path, "method": request.method})
    return _handle_http(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(Exception, _handle_unexpected)
