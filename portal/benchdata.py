"""`portal bench-data`: large, deterministic data sets written with bulk inserts (bench/).

Rows go in as tuples through the driver's executemany in batches, with ids assigned here, so
that a million cases take minutes; no ORM objects on this path (performance.md, "Hints").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from portal.catalog import load_catalog
from portal.core.cases import CASE_EVENTS
from portal.core.ingest import create_api_client
from portal.core.models import ApiClient, Case, IngestedEvent

BENCH_CLIENT_NAME = "bench USCIS feed"
BATCH = 5_000
PATH = ["case_received", "biometrics_scheduled", "fingerprints_taken", "actively_reviewed",
        "rfe_sent", "rfe_response_received", "case_approved", "card_being_produced", "card_mailed"]
_PREFIXES = ("MSC", "EAC", "WAC", "LIN", "SRC", "IOE", "YSC")
START = datetime(2021, 1, 4, 15, 0, tzinfo=UTC)


def bench_receipt_number(index: int) -> str:
    """The receipt number of bench case `index` (the benchmark draws random indexes)."""
    return f"{_PREFIXES[index % len(_PREFIXES)]}{3_000_000_000 + index // len(_PREFIXES):010d}"


@dataclass
class Written:
    cases: int
    events: int


def write_bench_cases(engine: Engine, cases: int, seed: int) -> Written:
    catalog = load_catalog()
    rng = random.Random(seed)
    forms = [code for code, form in catalog.forms.items() if not form.protected]
    with Session(engine) as session:
        client = session.exec(select(ApiClient).where(ApiClient.name == BENCH_CLIENT_NAME)).first()
        if client is None:
            client, _ = create_api_client(session, "USCIS", BENCH_CLIENT_NAME)
        client_id = client.id
    with engine.begin() as connection:
        next_case = (connection.execute(select(func.max(Case.id))).scalar() or 0) + 1
        next_event = (connection.execute(select(func.max(IngestedEvent.id))).scalar() or 0) + 1
    now = datetime.now(UTC)
    case_rows, ingested_rows, event_rows = [], [], []
    total_events = 0

    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"

    def stamp(value: datetime):
        # SQLite stores what UTCDateTime would: naive UTC in SQLAlchemy's text layout.
        return value.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else value

    def flush() -> None:
        with engine.begin() as connection:
            for table, rows in (("case", case_rows), ("ingested_event", ingested_rows),
                                ("case_event", event_rows)):
                if rows:
                    columns = list(rows[0])
                    sql = (f'INSERT INTO "{table}" ({", ".join(columns)}) '
                           f'VALUES ({", ".join([mark] * len(columns))})')
                    values = [tuple(stamp(v) if isinstance(v, datetime) else v
                                    for v in row.values()) for row in rows]
                    connection.exec_driver_sql(sql, values)
        case_rows.clear(), ingested_rows.clear(), event_rows.clear()

    for index in range(cases):
        receipt = bench_receipt_number(index)
        form = forms[rng.randrange(len(forms))]
        office = catalog.office_for_prefix(receipt[:3]).code
        when = START + timedelta(days=rng.randrange(1500), seconds=rng.randrange(86_400))
        steps = rng.randint(1, len(PATH))
        received = when
        case_id = next_case + index
        for n in range(steps):
            if n:
                when += timedelta(days=rng.randint(5, 90))
            ingested_rows.append({
                "id": next_event, "endpoint": CASE_EVENTS.name, "agency": "USCIS",
                "event_id": f"bench-{receipt}-{n}", "content_hash": f"{rng.getrandbits(256):064x}",
                "api_client_id": client_id, "received_at": now,
            })
            event_rows.append({
                "id": next_event, "ingested_event_id": next_event, "case_id": case_id,
                "occurred_at": when, "form_type": form, "status": PATH[n], "office": office,
                "protected": False,
            })
            next_event += 1
        total_events += steps
        case_rows.append({
            "id": case_id, "public_id": f"{rng.getrandbits(128):032x}", "receipt_number": receipt,
            "form_type": form, "status": PATH[steps - 1], "office": office, "status_at": when,
            "received_at": received, "protected": False, "created_at": now, "updated_at": now,
        })
        if len(event_rows) >= BATCH:
            flush()
    flush()
    if not sqlite:
        # Ids were assigned here: move PostgreSQL's sequences past them.
        with engine.begin() as connection:
            for table in ("case", "ingested_event", "case_event"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{table}"))'))
    return Written(cases=cases, events=total_events)
