"""Builders for ingest payloads: valid by default, overridden per test."""

from __future__ import annotations

import itertools

_ids = itertools.count(1)


def case_event(**overrides) -> dict:
    event = {
        "event_id": f"evt-{next(_ids)}",
        "receipt_number": "MSC2190000001",
        "occurred_at": "2025-01-10T14:00:00Z",
        "form_type": "I-485",
        "status": "case_received",
        "office": "NBC",
    }
    event.update(overrides)
    return {k: v for k, v in event.items() if v is not None}


def case_history(receipt_number: str = "MSC2190000001", form_type: str = "I-485") -> list[dict]:
    """A case received at the NBC, transferred to Los Angeles, then sent an RFE."""
    return [
        case_event(receipt_number=receipt_number, form_type=form_type,
                   occurred_at="2025-01-10T14:00:00Z", status="case_received", office="NBC",
                   parties=[{"role": "applicant", "a_number": "A012345678",
                             "access_code": "LINK-CODE-1", "given_name": "Canary",
                             "family_name": "Zebrafinch"}]),
        case_event(receipt_number=receipt_number, form_type=form_type,
                   occurred_at="2025-02-03T09:30:00Z", status="fingerprints_taken", office="NBC"),
        case_event(receipt_number=receipt_number, form_type=form_type,
                   occurred_at="2025-05-20T16:00:00Z", status="case_transferred", office="LOS"),
        case_event(receipt_number=receipt_number, form_type=form_type,
                   occurred_at="2025-07-01T12:00:00Z", status="rfe_sent", office="LOS"),
    ]


def access_event(**changes) -> dict:
    """An ICE access event about A012345678 (the applicant of case_history)."""
    event = {
        "event_id": f"acc-{next(_ids)}", "occurred_at": "2025-04-02T13:05:00Z",
        "subject": {"a_number": "A012345678"}, "agency": "ICE", "component": "ERO", "system": "EID",
        "action": "viewed", "purpose": "law_enforcement",
        "authority": {"sorn": "DHS/ICE-011", "routine_use": "G"},
        "data_categories": ["biographic", "immigration_history"],
        "accessor": {"role": "officer", "office_country": "US"},
    }
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}
