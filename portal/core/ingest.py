"""The ingest API's machinery, shared by every endpoint (case events now; access events and
representations later): client authentication, per-event validation, idempotency on event_id,
retractions, and the store of rejected events. Contract: product.md, "The ingest API contract".
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from portal.core.errors import EventRejected
from portal.core.models import ApiClient, EventRetraction, IngestedEvent, RejectedEvent, utcnow
from portal.core.transactions import begin_write

AGENCIES = ("USCIS", "ICE", "CBP", "DOS", "FBI", "EOIR", "OBIM", "PORTAL")
MAX_EVENTS_PER_BATCH = 1000
MAX_BATCH_BYTES = 1024 * 1024
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_EVENT = datetime(1944, 4, 1, tzinfo=UTC)  # the A-file's start (DHS/USCIS/ICE/CBP-001)

# RFC 3339 date-time with a mandatory offset ("Z" or +hh:mm).
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)


def _parse_timestamp(value: Any) -> datetime:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T14:30:00Z")
    try:
        # fromisoformat takes at most 6 fractional digits: drop the rest (sub-microsecond).
        text = re.sub(r"(\.\d{6})\d+", r"\1", value.upper().replace(" ", "T"))
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError("is not a real date and time") from exc


def _within_bounds(value: datetime) -> datetime:
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("is in the future")
    if value < EARLIEST_EVENT:
        raise ValueError("is before 1944-04-01")
    return value.astimezone(UTC)


# Parsed into UTC, so that "Z" and "+00:00" (or any offset) name the same instant when comparing.
Timestamp = Annotated[
    datetime,
    BeforeValidator(_parse_timestamp),
    AfterValidator(_within_bounds),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
def _date_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_date_text), WithJsonSchema({"type": "string", "format": "date"})]
EventId = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=128, pattern=r"^[\x20-\x7E]+$"),
]
AgencyCode = Annotated[str, StringConstraints(strict=True, pattern="^(" + "|".join(AGENCIES) + ")$")]


class IngestModel(BaseModel):
    """Base of every ingest payload: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Retraction(IngestModel):
    """Marks an earlier event of the same agency and endpoint retracted; nothing is erased."""

    event_id: EventId
    agency: AgencyCode | None = None
    retracts: EventId
    reason: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=500)]


@dataclass(frozen=True)
class StoreContext:
    client: ApiClient
    ingested: IngestedEvent
    now: datetime


@dataclass(frozen=True)
class BulkStore:
    table: type
    check: Callable[[Any], None]
    row: Callable[[Any], dict]


@dataclass(frozen=True)
class Endpoint:
    """One ingest endpoint: who may use it, what it accepts, and how an event is stored."""

    name: str
    summary: str
    event_model: type[IngestModel]
    store: Callable[[Session, StoreContext, Any], None]
    on_retracted: Callable[[Session, IngestedEvent], None]
    agencies: frozenset[str] | None = None  # None: every agency
    # Set-based storing for endpoints whose events are one row each (access events): `check`
    # raises EventRejected, `row` gives the column values (without ingested_event_id).
    bulk: BulkStore | None = None

    def allows(self, agency: str) -> bool:
        return self.agencies is None or agency in self.agencies


@dataclass
class BatchOutcome:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


# --- clients -----------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_client(session: Session, agency: str, name: str) -> tuple[ApiClient, str]:
    """A new client and its token; the token is returned once and only its hash is stored."""
    if agency not in AGENCIES:
        raise ValueError(f"unknown agency {agency!r}; one of {', '.join(AGENCIES)}")
    token = "pt_" + secrets.token_urlsafe(32)
    client = ApiClient(agency=agency, name=name, token_hash=hash_token(token))
    session.add(client)
    session.commit()
    return client, token


def authenticate_client(session: Session, token: str | None) -> ApiClient | None:
    if not token or len(token) > 200:
        return None
    return session.exec(
        select(ApiClient).where(
            ApiClient.token_hash == hash_token(token), ApiClient.revoked_at.is_(None)
        )
    ).first()


PORTAL_CLIENT_NAME = "this portal (its own reads)"


def portal_ingested_event(session: Session, endpoint: str, content: dict, now: datetime) -> IngestedEvent:
    """The ledger row of an event the portal records itself (its staff's and representatives'
    reads), under a PORTAL client that has no usable token; the caller commits."""
    client = session.exec(select(ApiClient).where(ApiClient.agency == "PORTAL",
                                                  ApiClient.name == PORTAL_CLIENT_NAME)).first()
    if client is None:
        client = ApiClient(agency="PORTAL", name=PORTAL_CLIENT_NAME,
                           token_hash=hash_token(secrets.token_urlsafe(32)), revoked_at=now)
        session.add(client)
        session.flush()
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    ingested = IngestedEvent(endpoint=endpoint, agency="PORTAL", event_id="portal-" + secrets.token_hex(16),
                             content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
                             api_client_id=client.id, received_at=now)
    session.add(ingested)
    session.flush()
    return ingested


# --- batches -----------------------------------------------------------------------------------


def _content_hash(event: BaseModel) -> str:
    canonical = json.dumps(event.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _validation_errors(exc: ValidationError) -> list[tuple[str, str]]:
    errors = []
    for error in exc.errors(include_url=False):
        field_name = ".".join(str(part) for part in error["loc"]) or "event"
        message = error["msg"].removeprefix("Value error, ")
        errors.append((field_name, message))
    return errors


def _raw_event_id(raw: Any) -> str | None:
    value = raw.get("event_id") if isinstance(raw, dict) else None
    if isinstance(value, str) and 1 <= len(value) <= 128 and value.isprintable():
        return value
    return None


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where a NUL character hides in the event, if anywhere (PostgreSQL text cannot hold one)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path or "event"
        found = _nul_path(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _parse(endpoint: Endpoint, raw: Any) -> BaseModel:
    if not isinstance(raw, dict):
        raise EventRejected([("event", "must be a JSON object")])
    nul = _nul_path(raw)
    if nul is not None:
        raise EventRejected([(nul, "must not contain NUL characters")])
    model = Retraction if "retracts" in raw else endpoint.event_model
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise EventRejected(_validation_errors(exc)) from exc


def _stored(session: Session, endpoint: str, agency: str, event_id: str) -> IngestedEvent | None:
    return session.exec(
        select(IngestedEvent).where(
            IngestedEvent.endpoint == endpoint,
            IngestedEvent.agency == agency,
            IngestedEvent.event_id == event_id,
        )
    ).first()


def _judge_existing(existing: IngestedEvent, content_hash: str) -> str:
    return _judge_existing_hash(existing.content_hash, content_hash)


def _judge_existing_hash(existing_hash: str, content_hash: str) -> str:
    if existing_hash == content_hash:
        return "duplicate"
    raise EventRejected(
        [("event_id", "was already used by a stored event with different content")]
    )


def _retract(session: Session, endpoint: Endpoint, ctx: StoreContext, event: Retraction) -> None:
    if event.retracts == event.event_id:
        raise EventRejected([("retracts", "names this event itself")])
    target = _stored(session, endpoint.name, ctx.client.agency, event.retracts)
    if target is None:
        raise EventRejected([("retracts", "names no stored event of this agency")])
    if session.exec(
        select(EventRetraction.id).where(EventRetraction.ingested_event_id == target.id)
    ).first():
        raise EventRejected([("retracts", "names a retraction; retractions cannot be retracted")])
    if session.exec(
        select(EventRetraction.id).where(EventRetraction.retracted_event_id == target.id)
    ).first():
        raise EventRejected([("retracts", "names an event that is already retracted")])
    session.add(
        EventRetraction(
            ingested_event_id=ctx.ingested.id,
            retracted_event_id=target.id,
            reason=event.reason,
            retracted_at=ctx.now,
        )
    )
    session.flush()
    endpoint.on_retracted(session, target)


def _store_one(
    session: Session, endpoint: Endpoint, client: ApiClient, event: BaseModel, now: datetime
) -> str:
    """Store one valid event: "accepted" or "duplicate", or raise EventRejected."""
    if event.agency is not None and event.agency != client.agency:
        raise EventRejected([("agency", f"must be this client's agency, {client.agency}")])
    content_hash = _content_hash(event)
    existing = _stored(session, endpoint.name, client.agency, event.event_id)
    if existing is not None:
        return _judge_existing(existing, content_hash)
    savepoint = session.begin_nested()
    try:
        ingested = IngestedEvent(
            endpoint=endpoint.name,
            agency=client.agency,
            event_id=event.event_id,
            content_hash=content_hash,
            api_client_id=client.id,
            received_at=now,
        )
        session.add(ingested)
        session.flush()
        ctx = StoreContext(client=client, ingested=ingested, now=now)
        if isinstance(event, Retraction):
            _retract(session, endpoint, ctx, event)
        else:
            endpoint.store(session, ctx, event)
        savepoint.commit()
    except IntegrityError:
        # Another request stored the same event_id first (the unique constraint decided).
        savepoint.rollback()
        existing = _stored(session, endpoint.name, client.agency, event.event_id)
        if existing is None:
            raise
        return _judge_existing(existing, content_hash)
    except EventRejected:
        savepoint.rollback()
        raise
    session.execute(
        update(RejectedEvent)
        .where(
            RejectedEvent.endpoint == endpoint.name,
            RejectedEvent.agency == client.agency,
            RejectedEvent.event_id == event.event_id,
            RejectedEvent.resolved_at.is_(None),
        )
        .values(resolved_at=now)
    )
    return "accepted"


def ingest_batch(
    session: Session, endpoint: Endpoint, client: ApiClient, events: list[Any]
) -> BatchOutcome:
    """Judge and store each event in order (a repeated id in one batch is judged like a later
    post); commit once. The caller has checked auth, permission, size and the `events` list.

    The batch is its own transaction: one the caller left open is committed first.
    """
    begin_write(session)
    now = utcnow()
    if endpoint.bulk is not None:
        outcome = _bulk_batch(session, endpoint, client, events, now)
        if outcome is not None:
            return outcome
    outcome = BatchOutcome()
    for index, raw in enumerate(events):
        event_id = _raw_event_id(raw)
        try:
            event = _parse(endpoint, raw)
            verdict = _store_one(session, endpoint, client, event, now)
        except EventRejected as rejection:
            session.add(RejectedEvent(**_reject(outcome, endpoint, client, index, raw, event_id, rejection, now)))
            continue
        (outcome.accepted if verdict == "accepted" else outcome.duplicates).append(event.event_id)
    session.commit()
    return outcome


def _reject(outcome: BatchOutcome, endpoint: Endpoint, client: ApiClient, index: int, raw: Any,
            event_id: str | None, rejection: EventRejected, now: datetime) -> dict:
    """Record a rejection in the outcome; the RejectedEvent row's values (kept for staff)."""
    errors = [{"field": f, "message": m} for f, m in rejection.errors]
    outcome.rejected.append({"index": index, "event_id": event_id, "errors": errors})
    return {"endpoint": endpoint.name, "agency": client.agency, "api_client_id": client.id, "batch_index": index,
            "event_id": event_id, "payload": json.dumps(raw, ensure_ascii=False),
            "errors": json.dumps(errors, ensure_ascii=False), "received_at": now}


def _bulk_batch(session: Session, endpoint: Endpoint, client: ApiClient, events: list[Any], now: datetime
                ) -> BatchOutcome | None:
    """The same judgements as the event-by-event path, with a few statements per batch instead
    of several per event. None (nothing written) for a batch it leaves to that path: one with a
    retraction, or one that met a concurrent writer of the same ids."""
    parsed: list[tuple[int, Any, str | None, BaseModel | EventRejected]] = []
    for index, raw in enumerate(events):
        event_id = _raw_event_id(raw)
        try:
            event = _parse(endpoint, raw)
        except EventRejected as rejection:
            parsed.append((index, raw, event_id, rejection))
            continue
        if isinstance(event, Retraction):
            return None
        parsed.append((index, raw, event_id, event))
    ids = [item[3].event_id for item in parsed if not isinstance(item[3], EventRejected)]
    stored = dict(session.exec(
        select(IngestedEvent.event_id, IngestedEvent.content_hash).where(
            IngestedEvent.endpoint == endpoint.name, IngestedEvent.agency == client.agency,
            col(IngestedEvent.event_id).in_(ids))
    ).all()) if ids else {}
    outcome, rejected_rows, accepted = BatchOutcome(), [], []
    for index, raw, event_id, event in parsed:
        try:
            if isinstance(event, EventRejected):
                raise event
            if event.agency is not None and event.agency != client.agency:
                raise EventRejected([("agency", f"must be this client's agency, {client.agency}")])
            content_hash = _content_hash(event)
            if event.event_id in stored:  # stored before, or earlier in this batch
                if _judge_existing_hash(stored[event.event_id], content_hash) == "duplicate":
                    outcome.duplicates.append(event.event_id)
                continue
            endpoint.bulk.check(event)
        except EventRejected as rejection:
            rejected_rows.append(_reject(outcome, endpoint, client, index, raw, event_id, rejection, now))
            continue
        stored[event.event_id] = content_hash
        accepted.append((event, content_hash))
        outcome.accepted.append(event.event_id)
    try:
        with session.begin_nested():
            if accepted:
                # Core statements on the tables: the ORM's bulk insert splits a batch into many.
                ledger = IngestedEvent.__table__
                ledger_ids = session.connection().execute(
                    insert(ledger).returning(ledger.c.id, sort_by_parameter_order=True),
                    [{"endpoint": endpoint.name, "agency": client.agency, "event_id": event.event_id,
                      "content_hash": content_hash, "api_client_id": client.id, "received_at": now}
                     for event, content_hash in accepted],
                ).scalars().all()
                session.connection().execute(insert(endpoint.bulk.table.__table__),
                                [dict(endpoint.bulk.row(event), ingested_event_id=ledger_id)
                                 for (event, _hash), ledger_id in zip(accepted, ledger_ids, strict=True)])
                session.execute(
                    update(RejectedEvent)
                    .where(RejectedEvent.endpoint == endpoint.name, RejectedEvent.agency == client.agency,
                           col(RejectedEvent.event_id).in_(outcome.accepted), RejectedEvent.resolved_at.is_(None))
                    .values(resolved_at=now))
            if rejected_rows:
                session.connection().execute(insert(RejectedEvent.__table__), rejected_rows)
    except IntegrityError:
        return None  # another request stored some of these ids first: judge them one by one
    session.commit()
    return outcome


def pending_rejections(session: Session, endpoint: str | None = None) -> list[RejectedEvent]:
    """Rejected events not yet fixed by a later stored event, oldest first (staff review)."""
    query = select(RejectedEvent).where(RejectedEvent.resolved_at.is_(None))
    if endpoint:
        query = query.where(RejectedEvent.endpoint == endpoint)
    return list(session.exec(query.order_by(RejectedEvent.id)))
