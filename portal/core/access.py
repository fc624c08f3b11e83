"""Access events: POST /api/v1/access-events (product.md, "The ingest API contract").

Every agency may send them, for its own agency only (the machinery checks `agency`). Events for
people without an account are kept; they show once the person links a case as its applicant or
beneficiary (never through a petitioner's link).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from babel import Locale
from pydantic import Field, StringConstraints, model_validator
from sqlmodel import Session

from portal.catalog import load_access_catalog
from portal.core.errors import EventRejected
from portal.core.ingest import AgencyCode, BulkStore, Endpoint, EventId, IngestModel, IsoDate, StoreContext, Timestamp
from portal.core.models import AccessEvent, IngestedEvent

CATALOG = load_access_catalog()
# CLDR's two-letter territories, without its groupings and placeholders (not ISO 3166-1 countries).
_NOT_COUNTRIES = {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}
COUNTRIES = frozenset(code for code in Locale("en").territories
                      if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)


def _codes(entries) -> Literal:  # type: ignore[valid-type]
    return Literal[tuple(entries)]  # type: ignore[return-value]


class SubjectIn(IngestModel):
    """Whose data: an A-number and/or a receipt number (meaning that case's applicant or
    beneficiary, never its petitioner)."""

    a_number: Annotated[str, StringConstraints(strict=True, pattern=r"^A[0-9]{8,9}$")] | None = None
    receipt_number: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}[0-9]{10}$")] | None = None

    @model_validator(mode="after")
    def needs_one(self):
        if not self.a_number and not self.receipt_number:
            raise ValueError("give a_number or receipt_number")
        return self


class SornAuthority(IngestModel):
    sorn: _codes(CATALOG.sorns)  # type: ignore[valid-type]
    routine_use: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=16)]


class StatuteAuthority(IngestModel):
    statute: _codes(CATALOG.statutes)  # type: ignore[valid-type]


class ConsentAuthority(IngestModel):
    consent: Literal[True]


class RecipientIn(IngestModel):
    agency: AgencyCode | None = None
    organization: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def exactly_one(self):
        if bool(self.agency) == bool(self.organization):
            raise ValueError("give either agency or organization")
        return self


class AccessorIn(IngestModel):
    """Who looked, by role and office country only: never a person's name."""

    role: Literal["officer", "analyst", "contractor", "automated_system"]
    office_country: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2}$")]


class WithheldIn(IngestModel):
    exemption: _codes(CATALOG.exemptions)  # type: ignore[valid-type]
    until: IsoDate | None = None


class AccessEventIn(IngestModel):
    event_id: EventId
    occurred_at: Timestamp
    subject: SubjectIn
    agency: AgencyCode
    component: _codes(CATALOG.components) | None = None  # type: ignore[valid-type]
    system: _codes(CATALOG.systems)  # type: ignore[valid-type]
    action: _codes(CATALOG.actions)  # type: ignore[valid-type]
    purpose: _codes(CATALOG.purposes)  # type: ignore[valid-type]
    authority: SornAuthority | StatuteAuthority | ConsentAuthority
    data_categories: Annotated[list[_codes(CATALOG.data_categories)], Field(min_length=1, max_length=8)]  # type: ignore[valid-type]
    recipient: RecipientIn | None = None
    accessor: AccessorIn
    withheld: WithheldIn | None = None
    justification: Annotated[str, StringConstraints(strict=True, max_length=500)] | None = None


def _authority(event: AccessEventIn) -> tuple[str, str | None, str | None]:
    authority = event.authority
    if isinstance(authority, SornAuthority):
        return "sorn", authority.sorn, authority.routine_use
    if isinstance(authority, StatuteAuthority):
        return "statute", authority.statute, None
    return "consent", None, None


def check_access_event(event: AccessEventIn) -> None:
    """What the schema alone cannot say; EventRejected with every problem found."""
    errors = []
    if event.component and CATALOG.components[event.component].agency != event.agency:
        errors.append(("component", f"is not part of {event.agency}"))
    if event.accessor.office_country not in COUNTRIES:
        errors.append(("accessor.office_country", "is not an ISO 3166-1 alpha-2 country code"))
    if event.action == "disclosed" and event.recipient is None:
        errors.append(("recipient", "is required for a disclosure (5 U.S.C. 552a(c)(1))"))
    if errors:
        raise EventRejected(errors)


def access_event_row(event: AccessEventIn) -> dict:
    """The access_event columns of a checked event, canonical JSON included."""
    kind, code, routine_use = _authority(event)
    return {
        "occurred_at": event.occurred_at,
        "subject_a_number": event.subject.a_number[1:].zfill(9) if event.subject.a_number else None,
        "subject_receipt_number": event.subject.receipt_number,
        "agency": event.agency, "component": event.component, "system": event.system, "action": event.action,
        "purpose": event.purpose, "authority_kind": kind, "authority_code": code, "routine_use": routine_use,
        "data_categories": ",".join(sorted(set(event.data_categories))),
        "recipient_agency": event.recipient.agency if event.recipient else None,
        "recipient_organization": event.recipient.organization if event.recipient else None,
        "accessor_role": event.accessor.role, "accessor_country": event.accessor.office_country,
        "withheld_exemption": event.withheld.exemption if event.withheld else None,
        "withheld_until": event.withheld.until if event.withheld else None,
        "justification": event.justification,
        "canonical": json.dumps(event.model_dump(mode="json", exclude_none=True), sort_keys=True,
                                separators=(",", ":"), ensure_ascii=False),
    }


def store_access_event(session: Session, ctx: StoreContext, event: AccessEventIn) -> None:
    check_access_event(event)
    session.add(AccessEvent(ingested_event_id=ctx.ingested.id, **access_event_row(event)))


def on_access_event_retracted(session: Session, target: IngestedEvent) -> None:
    """Nothing to recompute: readers join the retraction when they show the event."""


ACCESS_EVENTS = Endpoint(
    name="access-events",
    summary="Accesses to a person's data by an agency",
    event_model=AccessEventIn,
    store=store_access_event,
    on_retracted=on_access_event_retracted,
    agencies=None,
    bulk=BulkStore(table=AccessEvent, check=check_access_event, row=access_event_row),
)
