"""`portal bench-data`: large, deterministic data sets written with bulk inserts (bench/).

Rows go in as tuples through the driver's executemany in batches, with ids assigned here, so
that a million cases take minutes; no ORM objects on this path (performance.md, "Hints").
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from portal.catalog import load_access_catalog, load_catalog
from portal.core.cases import CASE_EVENTS
from portal.core.ingest import create_api_client
from portal.core.models import AccessEvent, ApiClient, Case, CaseLink, CaseParty, IngestedEvent, User

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


def bench_cases_present(engine: Engine) -> int:
    """How many bench cases there are (indexes 0..n-1 are written in order, so a search finds n)."""
    with engine.connect() as connection:
        def exists(index: int) -> bool:
            return connection.execute(select(Case.id).where(
                Case.receipt_number == bench_receipt_number(index))).first() is not None
        return _prefix_length(exists)


def _prefix_length(exists) -> int:
    """n such that exists(i) for every i < n and not exists(n), for a prefix-closed set."""
    if not exists(0):
        return 0
    low, high = 1, 2  # exists(low - 1) holds
    while exists(high - 1):
        low, high = high, high * 2
    while low < high:  # the answer is in [low, high)
        middle = (low + high) // 2
        if exists(middle):
            low = middle + 1
        else:
            high = middle
    return low


def write_bench_cases(engine: Engine, cases: int, seed: int, start: int = 0) -> Written:
    """Bench cases start..start+cases-1 (receipt numbers from bench_receipt_number)."""
    catalog = load_catalog()
    rng = random.Random(seed if start == 0 else f"{seed}:{start}")
    forms = [code for code, form in catalog.forms.items() if not form.protected]
    with Session(engine) as session:
        client = session.scalars(select(ApiClient).where(ApiClient.name == BENCH_CLIENT_NAME)).first()
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

    for index in range(start, start + cases):
        receipt = bench_receipt_number(index)
        form = forms[rng.randrange(len(forms))]
        office = catalog.office_for_prefix(receipt[:3]).code
        when = START + timedelta(days=rng.randrange(1500), seconds=rng.randrange(86_400))
        steps = rng.randint(1, len(PATH))
        received = when
        case_id = next_case + index - start
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


# --- access events -----------------------------------------------------------------------------

EVENTS_END = datetime(2026, 11, 1, tzinfo=UTC)  # a fixed anchor: the data set is the same every day
EVENTS_SPAN = timedelta(days=5 * 365)  # occurred_at spread over the five years before EVENTS_END
EVENT_BATCH = 50_000  # events per transaction (whole applicants only: a crash leaves none half-done)
WITHHELD_SHARE = 0.02  # of all events; only law-enforcement agencies withhold, under (j)(2)
_WITHHOLDING = ("ICE", "CBP", "FBI")
_LETTERS = "ABCDEFGHIJKL"

# Who looks at an applicant's data, how and why: (agency, weight, components, systems, actions,
# purposes, authorities, data categories, accessor roles, office countries). An authority is
# ("sorn", code) with a routine-use letter drawn per profile, ("statute", code) or ("consent",).
# A disclosure names a recipient agency from DISCLOSED_TO.
_SCENARIOS = [
    ("USCIS", 22, [None], ["ELIS", "CLAIMS3"], ["viewed", "viewed", "updated", "searched"],
     ["adjudication"], [("sorn", "DHS/USCIS-007"), ("sorn", "DHS/USCIS/ICE/CBP-001"), ("statute", "INA 103")],
     ["biographic", "application", "immigration_history", "contact"], ["officer", "officer", "contractor"], ["US"]),
    ("USCIS", 8, [None], ["ELIS"], ["searched", "matched"], ["background_check"],
     [("sorn", "DHS/USCIS-018")], ["biographic", "biometric", "criminal_history"],
     ["officer", "analyst", "automated_system"], ["US"]),
    ("USCIS", 4, ["FDNS"], ["FDNS-DS"], ["viewed", "searched", "updated"], ["fraud_detection"],
     [("sorn", "DHS/USCIS-007"), ("statute", "INA 103")],
     ["application", "biographic", "immigration_history", "contact"], ["analyst", "officer"], ["US"]),
    ("USCIS", 4, [None], ["ELIS", "CLAIMS3"], ["disclosed"],
     ["background_check", "law_enforcement", "removal_proceedings", "congressional_inquiry"],
     [("sorn", "DHS/USCIS/ICE/CBP-001"), ("statute", "INA 105")],
     ["biographic", "application", "immigration_history"], ["officer"], ["US"]),
    ("USCIS", 2, [None], ["CLAIMS3", "ELIS"], ["viewed", "searched"], ["own_request", "statistics"],
     [("statute", "5 U.S.C. 552"), ("sorn", "DHS/USCIS-007")],
     ["biographic", "application", "immigration_history"], ["analyst", "contractor"], ["US"]),
    ("ICE", 8, ["ERO", "HSI"], ["EID"], ["viewed", "searched", "updated"],
     ["law_enforcement", "removal_proceedings"], [("sorn", "DHS/ICE-011"), ("statute", "INA 287")],
     ["custody", "criminal_history", "biographic", "immigration_history", "contact"],
     ["officer", "analyst"], ["US", "US", "US", "MX", "GT"]),
    ("ICE", 2, ["ERO"], ["EID"], ["disclosed"], ["removal_proceedings", "law_enforcement"],
     [("sorn", "DHS/ICE-011")], ["custody", "biographic", "criminal_history"], ["officer"], ["US"]),
    ("CBP", 9, ["OFO", "USBP"], ["TECS"], ["viewed", "searched", "updated"],
     ["border_inspection", "law_enforcement"], [("sorn", "DHS/CBP-011"), ("statute", "INA 235")],
     ["travel", "biographic", "immigration_history", "biometric"], ["officer"],
     ["US", "US", "US", "CA", "IE", "AE"]),
    ("CBP", 6, ["OFO"], ["ATS"], ["matched", "searched"], ["border_inspection"],
     [("sorn", "DHS/CBP-011")], ["travel", "biographic"], ["automated_system", "analyst"], ["US"]),
    ("DOS", 6, [None], ["CCD"], ["viewed", "searched", "disclosed"], ["adjudication", "background_check"],
     [("statute", "INA 105"), ("consent",)], ["biographic", "travel", "application"],
     ["officer", "contractor"], ["MX", "IN", "CN", "PH", "NG", "DE", "BR", "VN", "US"]),
    ("FBI", 10, [None], ["NGI"], ["matched", "searched"], ["background_check", "law_enforcement"],
     [("statute", "INA 105")], ["biometric", "criminal_history", "biographic"],
     ["automated_system", "analyst"], ["US"]),
    ("EOIR", 4, [None], ["ECAS"], ["viewed", "updated"], ["removal_proceedings", "litigation"],
     [("statute", "INA 103"), ("sorn", "DHS/USCIS/ICE/CBP-001")],
     ["biographic", "immigration_history", "custody", "application"], ["officer", "contractor"], ["US"]),
    ("OBIM", 12, [None], ["HART"], ["matched"], ["background_check", "border_inspection"],
     [("sorn", "DHS/ALL-041"), ("sorn", "DHS/USCIS-018")], ["biometric", "biographic"],
     ["automated_system"], ["US"]),
    ("PORTAL", 3, [None], ["PORTAL"], ["viewed"], ["own_request"], [("consent",)],
     ["contact", "biographic", "application"], ["analyst"], ["US"]),
]
DISCLOSED_TO = {"USCIS": ["FBI", "DOS", "ICE", "EOIR"], "ICE": ["EOIR", "CBP", "FBI"], "DOS": ["USCIS"]}
_JUSTIFICATIONS = {"PORTAL": "Answering the applicant's request for a copy of their records."}


@dataclass(frozen=True)
class AccessProfile:
    """One combination of who, how and why; events draw a profile and add when and whom."""

    agency: str
    columns: tuple  # component .. justification, in ACCESS_COLUMNS order (between the fixed ones)
    payload: dict  # the API's JSON without event_id, occurred_at, subject and withheld
    can_withhold: bool
    parts: tuple[str, str, str, str]  # canonical JSON around the event id, occurred_at, subject


def bench_a_number(index: int) -> str:
    """The stored (nine-digit) A-number of bench applicant `index`; the API takes "A" + it."""
    return f"{100_000_000 + index:09d}"


def bench_applicant_email(index: int) -> str:
    return f"bench-applicant-{index}@bench.example.org"


def _canonical_parts(payload: dict) -> tuple[str, str, str, str]:
    """The canonical JSON (store_access_event: sorted keys, compact, no nulls) cut around the
    event id, occurred_at and the subject, and without its closing brace (withheld sorts last)."""
    marked = dict(payload, event_id="\x01", occurred_at="\x02", subject="\x03")
    text = json.dumps(marked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    head, rest = text.split('"\\u0001"')
    middle, rest = rest.split('"\\u0002"')
    after, tail = rest.split('"\\u0003"')
    assert tail.endswith("}")
    return head, middle, after, tail[:-1]


def bench_access_profiles(seed: int, count: int = 2_000) -> list[AccessProfile]:
    """`count` profiles, drawn by scenario weight, so that picking one uniformly gives the mix."""
    catalog = load_access_catalog()
    rng = random.Random(f"{seed}:access-profiles")
    scenarios = [s for s in _SCENARIOS if s[0] in catalog.agencies]
    weights = [s[1] for s in scenarios]
    profiles = []
    for _ in range(count):
        (agency, _, components, systems, actions, purposes, authorities, categories, roles,
         countries) = rng.choices(scenarios, weights)[0]
        component = rng.choice(components)
        system = rng.choice(systems)
        action = rng.choice(actions)
        purpose = rng.choice(purposes)
        authority = rng.choice(authorities)
        chosen = sorted(set(rng.sample(categories, rng.randint(1, min(3, len(categories))))))
        role, country = rng.choice(roles), rng.choice(countries)
        assert system in catalog.systems and catalog.systems[system].agency == agency
        assert component is None or catalog.components[component].agency == agency
        assert action in catalog.actions and purpose in catalog.purposes
        assert all(c in catalog.data_categories for c in chosen)
        recipient = rng.choice(DISCLOSED_TO.get(agency, ["FBI"])) if action == "disclosed" else None
        if authority[0] == "sorn":
            kind, code, routine_use = "sorn", authority[1], rng.choice(_LETTERS)
            payload_authority = {"sorn": code, "routine_use": routine_use}
            assert code in catalog.sorns
        elif authority[0] == "statute":
            kind, code, routine_use = "statute", authority[1], None
            payload_authority = {"statute": code}
            assert code in catalog.statutes
        else:
            kind, code, routine_use = "consent", None, None
            payload_authority = {"consent": True}
        justification = _JUSTIFICATIONS.get(agency)
        payload = {"agency": agency, "system": system, "action": action, "purpose": purpose,
                   "authority": payload_authority, "data_categories": chosen,
                   "accessor": {"role": role, "office_country": country}}
        if component:
            payload["component"] = component
        if recipient:
            payload["recipient"] = {"agency": recipient}
        if justification:
            payload["justification"] = justification
        columns = (agency, component, system, action, purpose, kind, code, routine_use,
                   ",".join(chosen), recipient, None, role, country)
        profiles.append(AccessProfile(agency, columns, payload, agency in _WITHHOLDING,
                                      _canonical_parts(payload)))
    return profiles


def access_event_payload(profile: AccessProfile, event_id: str, occurred_at: datetime,
                         a_number: str, withheld_until: date | None = None) -> dict:
    """The event as an agency would POST it to /api/v1/access-events."""
    event = dict(profile.payload, event_id=event_id,
                 occurred_at=occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 subject={"a_number": "A" + a_number})
    if withheld_until is not None:
        event["withheld"] = {"exemption": "(j)(2)", "until": withheld_until.isoformat()}
    return event


INGESTED_COLUMNS = ("id", "endpoint", "agency", "event_id", "content_hash", "api_client_id",
                    "received_at")
ACCESS_COLUMNS = ("id", "ingested_event_id", "occurred_at", "subject_a_number",
                  "subject_receipt_number", "agency", "component", "system", "action", "purpose",
                  "authority_kind", "authority_code", "routine_use", "data_categories",
                  "recipient_agency", "recipient_organization", "accessor_role",
                  "accessor_country", "withheld_exemption", "withheld_until", "justification",
                  "canonical")
USER_COLUMNS = ("id", "public_id", "email", "email_key", "password_hash", "role",
                "preferred_language", "confirmed_at", "created_at", "password_changed_at")
PARTY_COLUMNS = ("id", "case_id", "role", "a_number")
LINK_COLUMNS = ("id", "public_id", "user_id", "case_id", "party_role", "created_at")


@dataclass
class WrittenEvents:
    applicants: int
    events: int
    already: int  # applicants (with their events) found from an earlier run and kept


class _BulkWriter:
    """Tuples into tables through the driver, one transaction per flush: executemany on SQLite
    (synchronous off for the load), COPY on PostgreSQL."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.driver = self.raw.driver_connection
        if self.sqlite:  # isolation_level None (portal.db): BEGIN and COMMIT are ours
            self.driver.execute("PRAGMA synchronous=OFF")
            self.driver.execute("PRAGMA cache_size=-1000000")  # 1 GB: the indexes stay in memory
        else:
            self.driver.rollback()
            self.driver.autocommit = True  # each transaction() below is then a real BEGIN/COMMIT

    def write(self, tables: list[tuple[str, tuple[str, ...], list[tuple]]]) -> None:
        if self.sqlite:
            self.driver.execute("BEGIN IMMEDIATE")
            try:
                for table, columns, rows in tables:
                    if rows:
                        self.driver.executemany(
                            f'INSERT INTO "{table}" ({", ".join(columns)}) '
                            f'VALUES ({", ".join("?" * len(columns))})', rows)
                self.driver.execute("COMMIT")
            except BaseException:
                self.driver.execute("ROLLBACK")
                raise
        else:
            with self.driver.transaction(), self.driver.cursor() as cursor:
                for table, columns, rows in tables:
                    if rows:
                        with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                            for row in rows:
                                copy.write_row(row)

    def close(self) -> None:
        if not self.sqlite:
            with self.driver.transaction(), self.driver.cursor() as cursor:
                # Ids were assigned here: move PostgreSQL's sequences past them.
                for table in ("user_account", "case_party", "case_link", "ingested_event", "access_event"):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                   f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)')
            # Planner statistics now, not whenever autovacuum gets to millions of new rows.
            self.driver.execute('ANALYZE "case", user_account, case_party, case_link, ingested_event, access_event')
            self.driver.autocommit = False
        self.raw.close()


def bench_applicants_present(engine: Engine) -> int:
    with engine.connect() as connection:
        def exists(index: int) -> bool:
            return connection.execute(select(User.id).where(
                User.email_key == bench_applicant_email(index))).first() is not None
        return _prefix_length(exists)


def write_bench_access_events(engine: Engine, events: int, per_applicant: int, seed: int,
                              password_hash: str, progress=None) -> WrittenEvents:
    """`events` access events over ceil(events / per_applicant) bench applicants, each with an
    account, its bench case (written if missing), a case_party with its A-number and a link.

    Each applicant's rows come from its own random stream and go in with its events in one
    transaction, so a second run with the same arguments finds them and writes nothing, and an
    interrupted run resumes after the last applicant it finished.
    """
    applicants = -(-events // per_applicant) if events > 0 else 0
    have_cases = bench_cases_present(engine)
    if have_cases < applicants:
        write_bench_cases(engine, applicants - have_cases, seed, start=have_cases)
    clients = _bench_clients(engine)
    done = bench_applicants_present(engine)
    if done >= applicants:
        return WrittenEvents(applicants, 0, done)
    with engine.connect() as connection:
        def next_id(model) -> int:
            return (connection.execute(select(func.max(model.id))).scalar() or 0) + 1
        ids = {name: next_id(model) for name, model in (
            ("user", User), ("party", CaseParty), ("link", CaseLink), ("event", IngestedEvent),
            ("access", AccessEvent))}
        case_ids = {}
        receipts = [bench_receipt_number(i) for i in range(done, applicants)]
        for chunk in range(0, len(receipts), 500):
            case_ids.update(connection.execute(select(Case.receipt_number, Case.id).where(
                Case.receipt_number.in_(receipts[chunk:chunk + 500]))).all())

    writer = _BulkWriter(engine)
    sqlite = writer.sqlite
    profiles = bench_access_profiles(seed)
    start = EVENTS_END - EVENTS_SPAN
    naive_start = start.replace(tzinfo=None)
    span = int(EVENTS_SPAN.total_seconds())
    withheld_from = date(2023, 1, 1).toordinal()  # withheld until: some past, some future
    withheld_days = date(2030, 12, 31).toordinal() - withheld_from
    share = WITHHELD_SHARE * len(profiles) / max(1, sum(p.can_withhold for p in profiles))
    created = stamp = (start.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite
                       else start)
    users, parties, links, ingested, accesses = [], [], [], [], []
    written = 0
    sql_time = (lambda text: text + ".000000") if sqlite else (lambda text: text + "+00")

    def flush() -> None:
        if not users:
            return
        writer.write([("user_account", USER_COLUMNS, users), ("case_party", PARTY_COLUMNS, parties),
                      ("case_link", LINK_COLUMNS, links), ("ingested_event", INGESTED_COLUMNS, ingested),
                      ("access_event", ACCESS_COLUMNS, accesses)])
        for rows in (users, parties, links, ingested, accesses):
            rows.clear()
        if progress:
            progress(written)

    try:
        for index in range(done, applicants):
            count = per_applicant if index < applicants - 1 else events - per_applicant * index
            rng = random.Random(f"{seed}:applicant:{index}")
            a_number = bench_a_number(index)
            case_id = case_ids[bench_receipt_number(index)]
            email = bench_applicant_email(index)
            user_id = ids["user"]
            users.append((user_id, f"{rng.getrandbits(128):032x}", email, email, password_hash,
                          "applicant", "en", stamp, created, created))
            parties.append((ids["party"], case_id, "applicant", a_number))
            links.append((ids["link"], f"{rng.getrandbits(128):032x}", user_id, case_id,
                          "applicant", created))
            ids["user"] += 1
            ids["party"] += 1
            ids["link"] += 1
            subject = f'{{"a_number":"A{a_number}"}}'
            offsets = sorted(rng.randrange(span) for _ in range(count))
            picks = rng.choices(profiles, k=count)
            event_id, access_id = ids["event"], ids["access"]
            for n in range(count):
                profile = picks[n]
                when = str(naive_start + timedelta(seconds=offsets[n]))
                stored = sql_time(when)
                public_id = f"bench-{index:07d}-{n:06d}"
                head, middle, after, tail = profile.parts
                if profile.can_withhold and rng.random() < share:
                    until = date.fromordinal(withheld_from + rng.randrange(withheld_days)).isoformat()
                    withheld = f',"withheld":{{"exemption":"(j)(2)","until":"{until}"}}}}'
                else:
                    until, withheld = None, "}"
                canonical = (f'{head}"{public_id}"{middle}"{when[:10]}T{when[11:]}Z"'
                             f"{after}{subject}{tail}{withheld}")
                ingested.append((event_id, "access-events", profile.agency, public_id,
                                 f"{rng.getrandbits(256):064x}", clients[profile.agency], stored))
                accesses.append((access_id, event_id, stored, a_number, None, *profile.columns,
                                 "(j)(2)" if until else None, until, profile.payload.get("justification"),
                                 canonical))
                event_id += 1
                access_id += 1
            ids["event"], ids["access"] = event_id, access_id
            written += count
            if len(accesses) >= EVENT_BATCH:
                flush()
        flush()
    finally:
        writer.close()
    return WrittenEvents(applicants, written, done)


def _bench_clients(engine: Engine) -> dict[str, int]:
    """One bench API client per agency (made once, kept): agency -> client id."""
    catalog = load_access_catalog()
    ids = {}
    with Session(engine) as session:
        for agency in catalog.agencies:
            name = f"bench {agency} feed"
            client = session.scalars(select(ApiClient).where(ApiClient.agency == agency,
                                                             ApiClient.name == name)).first()
            if client is None:
                client, _ = create_api_client(session, agency, name)
            ids[agency] = client.id
    return ids
