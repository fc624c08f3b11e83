"""Cases: storing USCIS case events (POST /api/v1/case-events) and the public status lookup."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import bindparam, func
from sqlmodel import Session, col, delete, select

from portal.catalog import CaseStatus, Form, Office, ProcessingTime, Step, load_catalog
from portal.core.alerts import alert_kind, record_alerts
from portal.core.errors import CaseNotFound, EventRejected
from portal.core.identifiers import normalize_receipt_number
from portal.core.ingest import (
    AgencyCode,
    Endpoint,
    EventId,
    IngestModel,
    IsoDate,
    StoreContext,
    Timestamp,
)
from portal.core.models import Case, CaseEvent, CaseLink, CaseParty, EventRetraction, IngestedEvent

CATALOG = load_catalog()
PARTY_ROLES = ("applicant", "beneficiary", "petitioner")

ReceiptNumberField = Annotated[
    str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}[0-9]{10}$")
]
ANumberField = Annotated[str, StringConstraints(strict=True, pattern=r"^A[0-9]{8,9}$")]
ShortText = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]


class PartyIn(IngestModel):
    """A person on the case. The access code is what that person types to link the case."""

    role: Literal["applicant", "beneficiary", "petitioner"]
    a_number: ANumberField | None = None
    access_code: Annotated[
        str, StringConstraints(strict=True, min_length=6, max_length=64, pattern=r"^[\x21-\x7E]+$")
    ] | None = None
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    date_of_birth: IsoDate | None = None
    email: Annotated[
        str, StringConstraints(strict=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    ] | None = None
    preferred_language: Annotated[
        str, StringConstraints(strict=True, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
    ] | None = None


class CaseEventIn(IngestModel):
    """A USCIS case status event. Send `parties` on a case's first event and whenever they change."""

    event_id: EventId
    agency: AgencyCode | None = None
    receipt_number: ReceiptNumberField
    occurred_at: Timestamp
    form_type: Literal[tuple(CATALOG.forms)]  # type: ignore[valid-type]
    status: Literal[tuple(CATALOG.statuses)]  # type: ignore[valid-type]
    office: Literal[tuple(CATALOG.offices)]  # type: ignore[valid-type]
    protected: Annotated[bool, Field(strict=True)] = False
    parties: Annotated[list[PartyIn], Field(max_length=20)] | None = None


def hash_access_code(receipt_number: str, access_code: str) -> str:
    # Keyed by the receipt number so equal codes on two cases do not hash alike.
    return hashlib.sha256(f"{receipt_number}:{access_code}".encode()).hexdigest()


def _check_against_case(event: CaseEventIn, case: Case | None) -> None:
    errors = []
    if CATALOG.office_for_prefix(event.receipt_number[:3]) is None:
        errors.append(("receipt_number", f"has an unknown office prefix {event.receipt_number[:3]}"))
    if case is not None and case.form_type != event.form_type:
        errors.append(("form_type", f"does not match the case on file ({case.form_type})"))
    codes = [p.access_code for p in event.parties or () if p.access_code]
    if len(codes) != len(set(codes)):
        errors.append(("parties", "two parties share one access code"))
    if errors:
        raise EventRejected(errors)


def store_case_event(session: Session, ctx: StoreContext, event: CaseEventIn) -> None:
    case = session.exec(select(Case).where(Case.receipt_number == event.receipt_number)).first()
    _check_against_case(event, case)
    if case is None:
        case = Case(
            receipt_number=event.receipt_number,
            form_type=event.form_type,
            status=event.status,
            office=event.office,
            status_at=event.occurred_at,
            received_at=event.occurred_at,
        )
        session.add(case)
        session.flush()
    previous_office = case.office  # before this event moves the projection
    # 8 U.S.C. 1367: protection is sticky; a later event cannot lift it.
    case.protected = case.protected or event.protected or CATALOG.forms[event.form_type].protected
    session.add(
        CaseEvent(
            ingested_event_id=ctx.ingested.id,
            case_id=case.id,
            occurred_at=event.occurred_at,
            form_type=event.form_type,
            status=event.status,
            office=event.office,
            protected=event.protected,
        )
    )
    if event.parties is not None:
        _replace_parties(session, case, event.parties)
    record_alerts(session, case, ctx.ingested.id,
                  alert_kind(event.status, event.office, previous_office), ctx.now)
    if event.occurred_at >= case.status_at:
        # The usual case, events in order: the projection moves forward without a query.
        case.status, case.office, case.status_at = event.status, event.office, event.occurred_at
        case.updated_at = ctx.now
    else:
        session.flush()
        refresh_case_projection(session, case, ctx.now)


def _replace_parties(session: Session, case: Case, parties: list[PartyIn]) -> None:
    session.exec(delete(CaseParty).where(CaseParty.case_id == case.id))
    for party in parties:
        session.add(
            CaseParty(
                case_id=case.id,
                role=party.role,
                a_number=party.a_number[1:].zfill(9) if party.a_number else None,
                access_code_hash=(
                    hash_access_code(case.receipt_number, party.access_code)
                    if party.access_code
                    else None
                ),
                given_name=party.given_name,
                family_name=party.family_name,
                date_of_birth=party.date_of_birth,
                email=party.email,
                preferred_language=party.preferred_language,
            )
        )


def _live_events(case_id: int):
    """Case events not retracted, as a query."""
    return (
        select(CaseEvent)
        .outerjoin(
            EventRetraction,
            EventRetraction.retracted_event_id == CaseEvent.ingested_event_id,
        )
        .where(CaseEvent.case_id == case_id, col(EventRetraction.id).is_(None))
    )


def refresh_case_projection(session: Session, case: Case, now: datetime) -> None:
    """Status columns follow the latest live event (events may arrive out of order)."""
    latest = session.exec(
        _live_events(case.id).order_by(col(CaseEvent.occurred_at).desc(), col(CaseEvent.id).desc())
    ).first()
    if latest is not None:
        case.status, case.office, case.status_at = latest.status, latest.office, latest.occurred_at
        first = session.exec(
            select(func.min(CaseEvent.occurred_at)).where(
                CaseEvent.id.in_(_live_events(case.id).with_only_columns(CaseEvent.id))
            )
        ).one()
        case.received_at = first
    case.updated_at = now
    session.add(case)


def on_case_event_retracted(session: Session, target: IngestedEvent) -> None:
    case = session.exec(
        select(Case).join(CaseEvent, CaseEvent.case_id == Case.id).where(
            CaseEvent.ingested_event_id == target.id
        )
    ).first()
    if case is not None:
        refresh_case_projection(session, case, target.received_at)


CASE_EVENTS = Endpoint(
    name="case-events",
    summary="Case status events from USCIS",
    event_model=CaseEventIn,
    store=store_case_event,
    on_retracted=on_case_event_retracted,
    agencies=frozenset({"USCIS"}),
)


# --- the public lookup -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    status: CaseStatus
    office: Office
    transferred_from: Office | None
    retracted_at: datetime | None


@dataclass(frozen=True)
class ProcessingAssessment:
    time: ProcessingTime
    expected_by: date
    outside_normal: bool


@dataclass(frozen=True)
class PublicCaseStatus:
    receipt_number: str
    form: Form
    status: CaseStatus
    step: Step
    office: Office
    status_at: datetime
    received_at: datetime
    history: list[HistoryEntry]  # newest first
    processing: ProcessingAssessment | None

    @property
    def cohort(self) -> dict[str, str] | None:
        """Form, filing office (from the receipt prefix) and filing month: "cases like mine"."""
        office = CATALOG.office_for_prefix(self.receipt_number[:3])
        if office is None:
            return None
        return {"form": self.form.code, "office": office.code, "month": self.received_at.strftime("%Y-%m")}


def add_months(start: date, months: float) -> date:
    """Start + months, fractional months as 30.44 days each (processing times are in months)."""
    return start + timedelta(days=round(months * 30.436875))


def assess_processing(
    form: str, office: str, received: date, status: CaseStatus, today: date
) -> ProcessingAssessment | None:
    time = CATALOG.processing_time(form, office)
    if time is None:
        return None
    expected_by = add_months(received, time.months)
    return ProcessingAssessment(time, expected_by, not status.decided and today > expected_by)


# One statement, built once with a bound parameter: the case's columns ride along on each of its
# event rows, so the lookup is a single round trip that reuses the compiled statement.
_LOOKUP = (
    select(
        Case.receipt_number, Case.form_type, Case.status, Case.office, Case.status_at,
        Case.received_at, Case.protected,
        CaseEvent.occurred_at, CaseEvent.status.label("event_status"),
        CaseEvent.office.label("event_office"), EventRetraction.retracted_at,
    )
    .join(CaseEvent, CaseEvent.case_id == Case.id)
    .outerjoin(EventRetraction, EventRetraction.retracted_event_id == CaseEvent.ingested_event_id)
    .where(Case.receipt_number == bindparam("receipt_number"))
    .order_by(CaseEvent.occurred_at, CaseEvent.id)
)


def public_case_status(session: Session, typed_receipt_number: str, today: date) -> PublicCaseStatus:
    """What the public lookup shows: no names or other personal data, ever.

    Raises InvalidReceiptNumber for a malformed number, CaseNotFound for an unknown or a
    protected case (8 U.S.C. 1367: both answer alike).
    """
    return _case_status(session, normalize_receipt_number(typed_receipt_number), today,
                        include_protected=False)


def _case_status(session: Session, receipt_number: str, today: date, include_protected: bool
                 ) -> PublicCaseStatus:
    # Core on the session's connection: the lookup is read-only and hot, so it skips the ORM.
    rows = session.connection().execute(_LOOKUP, {"receipt_number": receipt_number}).all()
    if not rows or (rows[0].protected and not include_protected):
        raise CaseNotFound()
    row = rows[0]
    history: list[HistoryEntry] = []
    previous_office = None
    for event in rows:
        office, retracted_at = event.event_office, event.retracted_at
        moved = retracted_at is None and previous_office not in (None, office)
        history.append(
            HistoryEntry(
                occurred_at=event.occurred_at,
                status=CATALOG.statuses[event.event_status],
                office=CATALOG.offices[office],
                transferred_from=CATALOG.offices[previous_office] if moved else None,
                retracted_at=retracted_at,
            )
        )
        if retracted_at is None:
            previous_office = office
    history.reverse()
    status = CATALOG.statuses[row.status]
    return PublicCaseStatus(
        receipt_number=row.receipt_number,
        form=CATALOG.forms[row.form_type],
        status=status,
        step=CATALOG.steps[status.step],
        office=CATALOG.offices[row.office],
        status_at=row.status_at,
        received_at=row.received_at,
        history=history,
        processing=assess_processing(
            row.form_type, row.office, row.received_at.date(), status, today
        ),
    )


# --- an account's linked cases -----------------------------------------------------------------


@dataclass(frozen=True)
class LinkedCase:
    link_id: str  # the CaseLink's opaque id: what URLs carry, never the receipt number
    party_role: str
    receipt_number: str
    form: Form
    status: CaseStatus
    status_at: datetime
    outside_normal: bool


def _visible(case_protected: bool, party_role: str) -> bool:
    # 8 U.S.C. 1367: a petitioner never sees a protected case, even through an old link.
    return not (case_protected and party_role == "petitioner")


def linked_cases(session: Session, user_id: int, today: date) -> list[LinkedCase]:
    """Every case linked to the account, the ones needing action first, then by latest change."""
    rows = session.exec(
        select(CaseLink.public_id, CaseLink.party_role, Case)
        .join(Case, Case.id == CaseLink.case_id)
        .where(CaseLink.user_id == user_id)
    ).all()
    result = []
    for link_id, party_role, case in rows:
        if not _visible(case.protected, party_role):
            continue
        status = CATALOG.statuses[case.status]
        processing = assess_processing(case.form_type, case.office, case.received_at.date(), status, today)
        result.append(LinkedCase(link_id, party_role, case.receipt_number, CATALOG.forms[case.form_type],
                                 status, case.status_at, bool(processing and processing.outside_normal)))
    return sorted(result, key=lambda c: (not c.status.action_required, -c.status_at.timestamp()))


def linked_case_status(session: Session, user_id: int, link_id: str, today: date
                       ) -> tuple[str, PublicCaseStatus]:
    """(party role, status) of one linked case, or CaseNotFound for a link that is not this
    account's (the same answer as for an id that does not exist)."""
    row = session.exec(
        select(CaseLink.party_role, Case.receipt_number, Case.protected)
        .join(Case, Case.id == CaseLink.case_id)
        .where(CaseLink.public_id == link_id, CaseLink.user_id == user_id)
    ).first()
    if row is None or not _visible(row.protected, row.party_role):
        raise CaseNotFound()
    return row.party_role, _case_status(session, row.receipt_number, today, include_protected=True)
