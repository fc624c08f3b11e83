"""The ingest API (product.md, "The ingest API contract"): one view for every endpoint.

Order of checks: 401 bad token, 403 endpoint not for this agency, 415 not JSON, 413 too large,
400 not a JSON object with an `events` list; then 200 with a per-event outcome.
"""

from __future__ import annotations

import functools
import json

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import OperationalError

from portal.core.access import ACCESS_EVENTS
from portal.core.cases import CASE_EVENTS
from portal.core.ingest import (
    MAX_BATCH_BYTES,
    MAX_EVENTS_PER_BATCH,
    Endpoint,
    authenticate_client,
    ingest_batch,
)
from portal.core.representatives import REPRESENTATIONS
from portal.db import get_session
from portal.logs import get_logger
from portal.web.access import tell_new_access
from portal.web.alerts import deliver_case_alerts
from portal.web.openapi import build_openapi

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = get_logger("api")

ENDPOINTS: tuple[Endpoint, ...] = (CASE_EVENTS, ACCESS_EVENTS, REPRESENTATIONS)


def _problem(status: int, error: str, message: str, **headers):
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _ingest(endpoint: Endpoint):
    session = get_session()
    client = authenticate_client(session, _bearer_token())
    if client is None:
        log.warning("api authentication failed", extra={"endpoint": endpoint.name})
        return _problem(401, "Unauthorized", "A valid bearer token is required.",
                        **{"WWW-Authenticate": 'Bearer realm="portal-ingest"'})
    if not endpoint.allows(client.agency):
        log.warning("api endpoint refused", extra={"endpoint": endpoint.name, "agency": client.agency})
        return _problem(403, "Forbidden", f"Agency {client.agency} may not use this endpoint.")
    session.commit()  # end the read; ingest_batch opens its own write transaction
    if request.mimetype != "application/json":
        return _problem(415, "Unsupported Media Type", "Send Content-Type: application/json.")
    if (request.content_length or 0) > MAX_BATCH_BYTES:
        return _problem(413, "Payload Too Large", "A batch is at most 1 MiB.")
    body = request.get_data(cache=False)
    if len(body) > MAX_BATCH_BYTES:
        return _problem(413, "Payload Too Large", "A batch is at most 1 MiB.")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, "Bad Request", "The body is not valid JSON.")
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        return _problem(400, "Bad Request", 'The body must be an object with an "events" list.')
    if len(events) > MAX_EVENTS_PER_BATCH:
        return _problem(413, "Payload Too Large", "A batch is at most 1000 events.")
    try:
        outcome = ingest_batch(session, endpoint, client, events)
    except OperationalError:
        session.rollback()
        log.exception("ingest batch failed", extra={"endpoint": endpoint.name})
        return _problem(503, "Service Unavailable", "The database is busy; send the batch again.",
                        **{"Retry-After": "5"})
    if outcome.accepted:
        try:
            deliver_case_alerts()
            tell_new_access()
        except Exception:  # the events are stored; alerts stay pending and go with the next batch
            get_session().rollback()
            log.exception("case alerts could not be queued")
    log.info(
        "ingest batch",
        extra={
            "endpoint": endpoint.name,
            "agency": client.agency,
            "accepted": len(outcome.accepted),
            "duplicates": len(outcome.duplicates),
            "rejected": len(outcome.rejected),
        },
    )
    return jsonify(outcome.as_dict())


def _view_for(endpoint: Endpoint):
    def view():
        return _ingest(endpoint)

    view.__name__ = view.__qualname__ = endpoint.name.replace("-", "_")
    return view


for _endpoint in ENDPOINTS:
    bp.add_url_rule(f"/{_endpoint.name}", view_func=_view_for(_endpoint), methods=["POST"])


@bp.get("/openapi.json")
def openapi():
    return current_app.response_class(_openapi_text(), mimetype="application/json")


@functools.cache
def _openapi_text() -> str:
    return json.dumps(build_openapi(ENDPOINTS), separators=(",", ":"))
