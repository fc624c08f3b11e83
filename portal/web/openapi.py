"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from portal.core.ingest import AGENCIES, MAX_EVENTS_PER_BATCH, Endpoint, Retraction

REF = "#/components/schemas/{model}"


class FieldError(BaseModel):
    field: str
    message: str


class RejectedOutcome(BaseModel):
    index: int = Field(ge=0)
    event_id: str | None
    errors: list[FieldError]


class BatchOutcome(BaseModel):
    """Per-event outcome of a batch; 200 even when every event was rejected."""

    accepted: list[str]
    duplicates: list[str]
    rejected: list[RejectedOutcome]


class Problem(BaseModel):
    error: str
    message: str


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }


@cache
def _build(endpoints: tuple[Endpoint, ...]) -> dict:
    models = {Retraction, BatchOutcome, Problem, *(e.event_model for e in endpoints)}
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas = top["$defs"]
    paths = {}
    for endpoint in endpoints:
        who = ", ".join(sorted(endpoint.agencies)) if endpoint.agencies else "every agency"
        paths[f"/api/v1/{endpoint.name}"] = {
            "post": {
                "operationId": endpoint.name.replace("-", "_"),
                "summary": endpoint.summary,
                "description": (
                    f"Clients of: {who}. Each event is judged on its own; idempotent on "
                    "(agency, endpoint, event_id). An event with `retracts` marks an earlier "
                    "event retracted."
                ),
                "security": [{"bearerAuth": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["events"],
                                "properties": {
                                    "events": {
                                        "type": "array",
                                        "maxItems": MAX_EVENTS_PER_BATCH,
                                        "items": {
                                            "anyOf": [
                                                {"$ref": REF.format(model=endpoint.event_model.__name__)},
                                                {"$ref": REF.format(model="Retraction")},
                                            ]
                                        },
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Per-event outcome",
                        "content": {
                            "application/json": {"schema": {"$ref": REF.format(model="BatchOutcome")}}
                        },
                    },
                    "400": _error_response("Not JSON, or no `events` list"),
                    "401": _error_response("Missing or invalid bearer token"),
                    "403": _error_response("This agency may not use this endpoint"),
                    "413": _error_response("More than 1000 events or 1 MiB"),
                    "415": _error_response("Content-Type is not application/json"),
                    "503": _error_response("The database is busy; retry later"),
                },
            }
        }
    paths["/api/v1/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Immigration case transparency portal: ingest API",
            "version": "1",
            "description": "Agency systems push events here. Agency codes: " + ", ".join(AGENCIES),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def build_openapi(endpoints: tuple[Endpoint, ...]) -> dict:
    return _build(tuple(endpoints))
