"""Benchmark: POST /api/v1/access-events in batches of 1000 against raw executemany (performance.md).

The portal runs under gunicorn (2 sync workers, as bench/status_lookup.py) on a database that
already holds 10,000,000 access events (portal bench-data); one agency client after another
posts batches of 1000 valid events about bench applicants (fresh event ids every run). The
baseline, in the same run, inserts the same rows, access_event columns only, with the driver's
executemany in batches of 1000 (one transaction each, as the portal commits each batch) into the
same database's access_event table (deleted again afterwards); the ratio against it decides. A
second baseline, printed as a floor, inserts them into an empty table with the same indexes (a
scratch SQLite file with the portal's pragmas, or a PostgreSQL table LIKE access_event).
Prints the ratio on its last line and exits non-zero below the target.

    python bench/ingest.py [--events 10000000] [--batches 20] [--database-url URL] [--profile]

--profile then posts one more batch in-process under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.status_lookup import ROOT, VENV_BIN, free_port, portal  # noqa: E402

TARGET = 0.25
AGENCIES = ("USCIS", "CBP", "OBIM", "FBI", "ICE")  # a few agency feeds, one client each
SCRATCH_TABLE = "bench_scratch_access_event"


def prepare_database(url: str, events: int, env: dict) -> int:
    """Migrate, write the bench events if missing (idempotent); the number of bench applicants."""
    env = dict(env, PORTAL_DATABASE_URL=url)
    portal("db", "upgrade", env=env)
    started = time.perf_counter()
    print(portal("bench-data", "--cases", "0", "--events", str(events), env=env).strip(), flush=True)
    print(f"  data set ready in {time.perf_counter() - started:.0f} s", flush=True)
    from portal.benchdata import bench_applicants_present
    from portal.db import make_engine
    engine = make_engine(url)
    try:
        return bench_applicants_present(engine)
    finally:
        engine.dispose()


def serve_portal(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--log-level", "warning", "portal.wsgi:app"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the portal did not start")


def make_batches(applicants: int, batches: int, size: int, seed: int):
    """(agency, JSON body, access_event rows) per batch: valid events about bench applicants."""
    from portal.benchdata import EVENTS_END, EVENTS_SPAN, access_event_payload, bench_a_number, bench_access_profiles

    rng = random.Random(seed)
    run = uuid.uuid4().hex[:12]  # fresh event ids every run: nothing is judged a duplicate
    profiles = bench_access_profiles(seed)
    by_agency = {agency: [p for p in profiles if p.agency == agency] for agency in AGENCIES}
    end = min(datetime.now(UTC), EVENTS_END)
    span = int(EVENTS_SPAN.total_seconds())
    result, row_id = [], 1
    for b in range(batches):
        agency = AGENCIES[b % len(AGENCIES)]
        events, rows = [], []
        for n in range(size):
            profile = rng.choice(by_agency[agency])
            a_number = bench_a_number(rng.randrange(applicants))
            when = end - timedelta(seconds=rng.randrange(span))
            when = when.replace(microsecond=0)
            until = (date(2023, 1, 1) + timedelta(days=rng.randrange(2900))
                     if profile.can_withhold and rng.random() < 0.05 else None)
            event = access_event_payload(profile, f"ingest-{run}-{b}-{n}", when, a_number, until)
            events.append(event)
            canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            rows.append((row_id, row_id, when, a_number, None, *profile.columns,
                         "(j)(2)" if until else None, until, profile.payload.get("justification"),
                         canonical))
            row_id += 1
        body = json.dumps({"events": events}, separators=(",", ":")).encode()
        result.append((agency, body, rows))
    return result


def post_batches(port: int, tokens: dict[str, str], batches) -> float:
    """Events accepted per second, posting one batch after another; every event must be accepted."""
    accepted = 0
    started = time.perf_counter()
    for agency, body, rows in batches:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        connection.request("POST", "/api/v1/access-events", body=body, headers={
            "Authorization": f"Bearer {tokens[agency]}", "Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"ingest answered {response.status}: {answer[:500]!r}")
        outcome = json.loads(answer)
        if outcome["rejected"] or outcome["duplicates"] or len(outcome["accepted"]) != len(rows):
            raise SystemExit(f"not every event was accepted: {json.dumps(outcome)[:1000]}")
        accepted += len(outcome["accepted"])
    return accepted / (time.perf_counter() - started)


# --- the baseline: raw executemany of the same rows ---------------------------------------------

_COLUMNS = ("id", "ingested_event_id", "occurred_at", "subject_a_number", "subject_receipt_number",
            "agency", "component", "system", "action", "purpose", "authority_kind", "authority_code",
            "routine_use", "data_categories", "recipient_agency", "recipient_organization",
            "accessor_role", "accessor_country", "withheld_exemption", "withheld_until",
            "justification", "canonical")


def _sqlite_ddl() -> list[str]:
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from portal.core.models import AccessEvent
    table = AccessEvent.__table__
    dialect = sqlite.dialect()
    return [str(CreateTable(table).compile(dialect=dialect))] + [
        str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]


def raw_sqlite(batches, path: Path) -> float:
    """Rows/s of sqlite3 executemany, a batch per transaction, into an empty access_event table
    with the model's indexes, with the portal's pragmas (WAL, synchronous=FULL)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    for statement in _sqlite_ddl():
        connection.execute(statement)
    sql = f"INSERT INTO access_event ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
    prepared = [[_sqlite_row(row) for row in rows] for _, _, rows in batches]
    count = 0
    started = time.perf_counter()
    for rows in prepared:
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, rows)
        connection.execute("COMMIT")
        count += len(rows)
    rate = count / (time.perf_counter() - started)
    connection.close()
    return rate


def raw_sqlite_same_table(batches, path: Path) -> float:
    """Rows/s of sqlite3 executemany of the same rows into the benchmark database's own
    access_event table (10M rows, its indexes), a batch per committed transaction; the rows are
    deleted afterwards, outside the timing. Ledger ids are negative placeholders (no ledger row,
    so this connection leaves foreign keys off, as raw executemany would)."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=60)
    connection.execute("PRAGMA synchronous=FULL")
    columns = _COLUMNS[1:]  # the database numbers the rows
    sql = f"INSERT INTO access_event ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    prepared = [[(-row[0], *row[1:]) for row in (_sqlite_row(r)[1:] for r in rows)] for _, _, rows in batches]
    count = 0
    try:
        started = time.perf_counter()
        for rows in prepared:
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(sql, rows)
            connection.execute("COMMIT")
            count += len(rows)
        return count / (time.perf_counter() - started)
    finally:
        connection.execute("DELETE FROM access_event WHERE ingested_event_id < 0")
        connection.close()


def _sqlite_row(row: tuple) -> tuple:
    # What SQLAlchemy would bind: naive UTC text for UTCDateTime, ISO text for dates.
    when = row[2].replace(tzinfo=None).isoformat(" ", "microseconds")
    until = row[19].isoformat() if row[19] else None
    return (*row[:2], when, *row[3:19], until, *row[20:])


def raw_postgresql(batches, url: str) -> float:
    """Rows/s of psycopg executemany, a batch per transaction, into a scratch table LIKE
    access_event INCLUDING INDEXES (no foreign key, as the raw path has no ledger row)."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    sql = (f"INSERT INTO {SCRATCH_TABLE} ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}")
        connection.execute(f"CREATE TABLE {SCRATCH_TABLE} (LIKE access_event INCLUDING INDEXES)")
        try:
            count = 0
            started = time.perf_counter()
            for _, _, rows in batches:
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(sql, rows)
                count += len(rows)
            return count / (time.perf_counter() - started)
        finally:
            connection.execute(f"DROP TABLE IF EXISTS {SCRATCH_TABLE}")


def raw_postgresql_same_table(batches, url: str) -> float:
    """Rows/s of psycopg executemany of the same rows into the benchmark database's own
    access_event table, a batch per transaction; deleted afterwards, outside the timing. The
    ledger foreign key is switched off for this session only (replica role), as the rows have
    placeholder ledger ids."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    columns = _COLUMNS[1:]
    sql = f"INSERT INTO access_event ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SET session_replication_role = replica")
        try:
            count = 0
            started = time.perf_counter()
            for _, _, rows in batches:
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(sql, [(-row[0], *row[2:]) for row in rows])
                count += len(rows)
            return count / (time.perf_counter() - started)
        finally:
            connection.execute("DELETE FROM access_event WHERE ingested_event_id < 0")


def profile_one_batch(url: str, env: dict, batch) -> None:
    """One more batch through the Flask test client under cProfile: where a request's time goes."""
    os.environ.update(env, PORTAL_DATABASE_URL=url)
    from portal import create_app
    agency, body, _ = batch
    app = create_app()
    token = portal("api-client", "create", "--agency", agency, "--name", "bench ingest profile",
                   env=dict(env, PORTAL_DATABASE_URL=url)).strip().splitlines()[-1]
    client = app.test_client()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    response = client.post("/api/v1/access-events", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    profiler.disable()
    elapsed = time.perf_counter() - started
    accepted = len(response.get_json()["accepted"])
    print(f"\nprofile: one batch in-process, {accepted} accepted in {elapsed:.2f} s "
          f"({accepted / elapsed:.0f} events/s, profiler overhead included)", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000, help="access events in the database")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None, help="default: a new one every run")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url",
                        default=f"sqlite:///{ROOT / 'bench/results/access-bench.db'}")
    args = parser.parse_args()
    (ROOT / "bench/results").mkdir(exist_ok=True)
    env = dict(os.environ, PORTAL_INSTANCE_DIR=str(ROOT / "bench/results/instance"),
               PORTAL_SECURE_COOKIES="false")
    applicants = prepare_database(args.database_url, args.events, env)
    env["PORTAL_DATABASE_URL"] = args.database_url
    tokens = {agency: portal("api-client", "create", "--agency", agency, "--name",
                             f"bench ingest {agency}", env=env).strip().splitlines()[-1]
              for agency in AGENCIES}
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    sqlite = args.database_url.startswith("sqlite")

    port = free_port()
    app = serve_portal(port, env)
    portal_rates, raw_rates, same_rates = [], [], []
    try:
        post_batches(port, tokens, make_batches(applicants, 2, args.batch_size, seed - 1))  # warm up
        for round_ in range(args.rounds):  # interleaved, so machine noise hits both alike
            batches = make_batches(applicants, args.batches, args.batch_size, seed + round_)
            portal_rates.append(post_batches(port, tokens, batches))
            if sqlite:
                raw_rates.append(raw_sqlite(batches, ROOT / "bench/results/ingest-scratch.db"))
                same_rates.append(raw_sqlite_same_table(batches, Path(args.database_url.split("///", 1)[1])))
            else:
                raw_rates.append(raw_postgresql(batches, args.database_url))
                same_rates.append(raw_postgresql_same_table(batches, args.database_url))
    finally:
        app.terminate()
        app.wait()
    if args.profile:
        profile_one_batch(args.database_url, env, make_batches(applicants, 1, args.batch_size, seed + 99)[0])
    # The target compares with raw executemany of the same rows into that database (its 10M-row
    # table and indexes); an empty table with the same indexes is printed too, as a floor.
    portal_rate, raw_rate, same_rate = max(portal_rates), max(raw_rates), max(same_rates)
    ratio = portal_rate / same_rate
    driver = "sqlite3" if sqlite else "psycopg"
    print(f"database: {args.database_url.split(':')[0]}, {args.events:,} bench events, "
          f"{applicants} bench applicants; {args.batches} batches of {args.batch_size} per round")
    print(f"ingest API: {', '.join(f'{r:,.0f}' for r in portal_rates)} events/s")
    print(f"raw {driver} executemany into an empty table: {', '.join(f'{r:,.0f}' for r in raw_rates)} rows/s "
          f"(ratio {portal_rate / raw_rate:.3f})")
    print(f"raw {driver} executemany into the same database's access_event: "
          f"{', '.join(f'{r:,.0f}' for r in same_rates)} rows/s")
    print(f"ratio {ratio:.3f} (target >= {TARGET:.2f})")
    sys.exit(0 if ratio >= TARGET else 1)


if __name__ == "__main__":
    main()
