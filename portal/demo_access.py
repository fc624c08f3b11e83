"""Demo access events: what agencies plausibly do with each demo person's data over the life of
their cases, sent through the real ingest path, one demo client per agency.

Routine-use letters here are sample data (sorns.md: the letters are not verified).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal.core.access import ACCESS_EVENTS
from portal.core.ingest import create_api_client, ingest_batch
from portal.core.models import ApiClient, IngestedEvent

# (agency, component, system, action, purpose, authority, data categories, weight)
PATTERNS = [
    ("USCIS", None, "ELIS", "viewed", "adjudication", {"sorn": "DHS/USCIS-007", "routine_use": "A"},
     ["application", "biographic"], 10),
    ("USCIS", None, "CLAIMS3", "updated", "adjudication", {"sorn": "DHS/USCIS-007", "routine_use": "A"},
     ["application"], 4),
    ("USCIS", "FDNS", "FDNS-DS", "searched", "fraud_detection", {"sorn": "DHS/USCIS/ICE/CBP-001", "routine_use": "G"},
     ["biographic", "immigration_history"], 2),
    ("FBI", None, "NGI", "matched", "background_check", {"sorn": "DHS/USCIS-018", "routine_use": "E"},
     ["biometric", "criminal_history"], 3),
    ("OBIM", None, "HART", "matched", "background_check", {"sorn": "DHS/ALL-041", "routine_use": "B"},
     ["biometric"], 3),
    ("CBP", "OFO", "TECS", "viewed", "border_inspection", {"statute": "INA 235"}, ["travel", "biographic"], 3),
    ("CBP", "OFO", "ATS", "matched", "border_inspection", {"sorn": "DHS/CBP-011", "routine_use": "C"},
     ["travel"], 1),
    ("DOS", None, "CCD", "viewed", "adjudication", {"sorn": "DHS/USCIS/ICE/CBP-001", "routine_use": "D"},
     ["biographic", "application"], 1),
    ("EOIR", None, "ECAS", "viewed", "removal_proceedings", {"statute": "INA 103"},
     ["immigration_history"], 1),
    ("ICE", "ERO", "EID", "searched", "law_enforcement", {"statute": "INA 287"},
     ["biographic", "custody"], 1),
]
COUNTRIES = ["US", "US", "US", "US", "MX", "PH", "IN", "SV"]


def _event(r: random.Random, event_id: str, subject: dict, at: datetime) -> dict:
    agency, component, system, action, purpose, authority, categories, _ = r.choices(
        PATTERNS, [p[-1] for p in PATTERNS])[0]
    event = {"event_id": event_id, "occurred_at": at.isoformat(), "subject": subject, "agency": agency,
             "system": system, "action": action, "purpose": purpose, "authority": authority,
             "data_categories": categories,
             "accessor": {"role": r.choice(["officer", "officer", "analyst", "automated_system"]),
                          "office_country": "US" if agency != "DOS" else r.choice(COUNTRIES)}}
    if component:
        event["component"] = component
    if agency == "ICE":
        event["withheld"] = {"exemption": "(j)(2)"}
    return event


def access_events(cases: list[tuple[str, str | None, datetime]], anchor: datetime, seed: int) -> list[dict]:
    """Events for each (receipt, a_number, received) of a non-petitioner party: a handful over the
    life of the case, keyed by A-number when the party has one."""
    r = random.Random(seed)  # noqa: S311 (demo data, reproducible on purpose)
    events = []
    for receipt, a_number, received in cases:
        subject = {"a_number": a_number} if a_number else {"receipt_number": receipt}
        span = max((anchor - received).total_seconds(), 3600)
        for n in range(r.randint(3, 12)):
            at = received + timedelta(seconds=r.uniform(0, span))
            events.append(_event(r, f"demo-access-{receipt}-{n}", subject, at))
    return events


def showcase_events(receipt: str, anchor: datetime) -> list[dict]:
    """The demo applicant's case: one of everything the log explains (a disclosure, withheld
    entries with and without a release date, a released one, a correction)."""
    subject = {"receipt_number": receipt}
    base = {"subject": subject, "accessor": {"role": "officer", "office_country": "US"}}
    day = timedelta(days=1)
    return [
        dict(base, event_id=f"demo-show-{receipt}-disclosed", occurred_at=(anchor - 20 * day).isoformat(),
             agency="USCIS", system="CLAIMS3", action="disclosed", purpose="congressional_inquiry",
             authority={"sorn": "DHS/USCIS-007", "routine_use": "F"}, data_categories=["application"],
             recipient={"organization": "Office of a U.S. Representative"},
             justification="You asked your member of Congress to ask about your case."),
        dict(base, event_id=f"demo-show-{receipt}-withheld-dated", occurred_at=(anchor - 12 * day).isoformat(),
             agency="ICE", component="HSI", system="EID", action="searched", purpose="law_enforcement",
             authority={"sorn": "DHS/ICE-011", "routine_use": "K"}, data_categories=["biographic"],
             withheld={"exemption": "(j)(2)", "until": (anchor + 106 * day).date().isoformat()}),
        dict(base, event_id=f"demo-show-{receipt}-withheld-dated-2", occurred_at=(anchor - 11 * day).isoformat(),
             agency="ICE", component="HSI", system="EID", action="viewed", purpose="law_enforcement",
             authority={"sorn": "DHS/ICE-011", "routine_use": "K"}, data_categories=["biographic", "travel"],
             withheld={"exemption": "(j)(2)", "until": (anchor + 106 * day).date().isoformat()}),
        dict(base, event_id=f"demo-show-{receipt}-withheld-open", occurred_at=(anchor - 9 * day).isoformat(),
             agency="CBP", component="USBP", system="TECS", action="searched", purpose="law_enforcement",
             authority={"statute": "INA 287"}, data_categories=["travel"], withheld={"exemption": "(k)(2)"}),
        dict(base, event_id=f"demo-show-{receipt}-released", occurred_at=(anchor - 200 * day).isoformat(),
             agency="ICE", component="ERO", system="EID", action="searched", purpose="law_enforcement",
             authority={"statute": "INA 287"}, data_categories=["biographic"],
             withheld={"exemption": "(j)(2)", "until": (anchor - 30 * day).date().isoformat()}),
        dict(base, event_id=f"demo-show-{receipt}-mistake", occurred_at=(anchor - 40 * day).isoformat(),
             agency="CBP", component="OFO", system="TECS", action="viewed", purpose="border_inspection",
             authority={"statute": "INA 235"}, data_categories=["travel"]),
        {"event_id": f"demo-show-{receipt}-mistake-retracted", "retracts": f"demo-show-{receipt}-mistake",
         "reason": "The officer opened the wrong person's record."},
    ]


def _client(session: Session, agency: str) -> ApiClient:
    name = f"demo {agency} access feed"
    client = session.exec(select(ApiClient).where(ApiClient.name == name)).first()
    if client is None:
        client, _token = create_api_client(session, agency, name)  # token never shown
    return client


def seed_access_events(session: Session, events: list[dict]) -> int:
    """Send the events, grouped by agency (retractions go with the event they retract); idempotent."""
    if not events:
        return 0
    by_id = {e["event_id"]: e for e in events if "retracts" not in e}
    by_agency: dict[str, list[dict]] = {}
    for event in events:
        agency = by_id[event["retracts"]]["agency"] if "retracts" in event else event["agency"]
        by_agency.setdefault(agency, []).append(event)
    stored = 0
    for agency, batch in sorted(by_agency.items()):
        last = batch[-1]["event_id"]
        if session.exec(select(IngestedEvent.id).where(IngestedEvent.endpoint == ACCESS_EVENTS.name,
                                                       IngestedEvent.agency == agency,
                                                       IngestedEvent.event_id == last)).first():
            continue
        client = _client(session, agency)
        for start in range(0, len(batch), 1000):
            outcome = ingest_batch(session, ACCESS_EVENTS, client, batch[start:start + 1000])
            if outcome.rejected:
                raise RuntimeError(f"demo access events rejected by the API rules: {outcome.rejected[:3]}")
            stored += len(outcome.accepted)
    return stored
