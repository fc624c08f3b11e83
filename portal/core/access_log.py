"""Reading the access log: whose log an account may see, one page of it, what is withheld, the
12-month summary, and the portal's own reads recorded as access events.

A person's log is every access event whose subject is one of their A-numbers, or the receipt
number of a case on which they are the applicant or beneficiary. A petitioner's link never
counts (product.md, "Parties and safety"); a representative sees what the represented party sees.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.catalog import Entry, load_access_catalog
from portal.core import representatives
from portal.core.errors import CaseNotFound
from portal.core.identifiers import A_NUMBER_RE, is_receipt_number, normalize_a_number
from portal.core.ingest import portal_ingested_event
from portal.core.models import AccessEvent, Case, CaseLink, CaseParty, EventRetraction, User
from portal.core.transactions import begin_write

CATALOG = load_access_catalog()
PAGE_SIZE = 50
SUMMARY_MONTHS = 12
SUBJECT_ROLES = ("applicant", "beneficiary")  # never "petitioner"
# The Privacy Act lets an agency's own people read a record they need for their duties.
PORTAL_AUTHORITY = "5 U.S.C. 552a(b)(1)"


# --- whose log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """The keys access events name a person by."""

    a_numbers: tuple[str, ...] = ()
    receipt_numbers: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.a_numbers or self.receipt_numbers)

    def keys(self) -> list[tuple[sa.ColumnElement, str]]:
        return ([(AccessEvent.subject_a_number, a) for a in self.a_numbers]
                + [(AccessEvent.subject_receipt_number, r) for r in self.receipt_numbers])

    def person_keys(self) -> list[tuple[sa.ColumnElement, str]]:
        """One key per person: their A-numbers, or the receipt numbers when no A-number is known
        (an event under either key shows in the same log, so one entry per read is enough)."""
        if self.a_numbers:
            return [(AccessEvent.subject_a_number, a) for a in self.a_numbers]
        return [(AccessEvent.subject_receipt_number, r) for r in self.receipt_numbers]

    def clause(self) -> sa.ColumnElement[bool]:
        parts = []
        if self.a_numbers:
            parts.append(AccessEvent.subject_a_number.in_(self.a_numbers))
        if self.receipt_numbers:
            parts.append(AccessEvent.subject_receipt_number.in_(self.receipt_numbers))
        return sa.or_(*parts) if parts else sa.false()


def _subjects(rows) -> Subjects:
    a_numbers = sorted({a for a, _ in rows if a})
    receipts = sorted({r for _, r in rows})
    return Subjects(tuple(a_numbers), tuple(receipts))


def subjects_of_user(session: Session, user_id: int) -> Subjects:
    """The account's own subjects: the parties it is linked as, applicant or beneficiary only."""
    rows = session.exec(
        select(CaseParty.a_number, Case.receipt_number)
        .select_from(CaseLink)
        .join(Case, Case.id == CaseLink.case_id)
        .outerjoin(CaseParty, (CaseParty.case_id == CaseLink.case_id) & (CaseParty.role == CaseLink.party_role))
        .where(CaseLink.user_id == user_id, col(CaseLink.party_role).in_(SUBJECT_ROLES))
    ).all()
    return _subjects(rows)


def subjects_of_client(session: Session, user: User, representation_id: str) -> Subjects:
    """The represented party's subjects, for a representative with an active representation of
    an applicant or beneficiary; CaseNotFound otherwise (the same answer as an unknown id)."""
    representation, case = representatives.active_representation(session, user, representation_id)
    if representation.party_role not in SUBJECT_ROLES:
        raise CaseNotFound()
    return subjects_of_party(session, case.id, representation.party_role)


def subjects_of_party(session: Session, case_id: int, party_role: str) -> Subjects:
    """One party of a case: their A-number (if the agency sent one) and the case's receipt number."""
    if party_role not in SUBJECT_ROLES:
        return Subjects()
    row = session.exec(
        select(CaseParty.a_number, Case.receipt_number).select_from(Case)
        .outerjoin(CaseParty, (CaseParty.case_id == Case.id) & (CaseParty.role == party_role))
        .where(Case.id == case_id)
    ).first()
    return _subjects([row]) if row else Subjects()


def subjects_in_payload(payload: str) -> Subjects:
    """The people a raw ingest payload names (a rejected event staff open): its subject, its
    case's receipt number and its parties' A-numbers, where they are well-formed."""
    try:
        data = json.loads(payload)
    except ValueError:
        return Subjects()
    if not isinstance(data, dict):
        return Subjects()
    a_numbers, receipts = set(), set()
    subject = data.get("subject") if isinstance(data.get("subject"), dict) else {}
    parties = data.get("parties") if isinstance(data.get("parties"), list) else []
    parties = [p for p in parties if isinstance(p, dict)]
    for value in [subject.get("a_number"), *(p.get("a_number") for p in parties)]:
        if isinstance(value, str) and A_NUMBER_RE.fullmatch(value) and value.startswith("A"):
            a_numbers.add(normalize_a_number(value))
    for value in (subject.get("receipt_number"), data.get("receipt_number")):
        if isinstance(value, str) and is_receipt_number(value):
            receipts.add(value)
    return Subjects(tuple(sorted(a_numbers)), tuple(sorted(receipts)))


# --- one page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilter:
    agency: str = ""
    purpose: str = ""
    category: str = ""
    since: date | None = None
    until: date | None = None

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        clauses = []
        if self.agency:
            clauses.append(AccessEvent.agency == self.agency)
        if self.purpose:
            clauses.append(AccessEvent.purpose == self.purpose)
        if self.category:
            padded = sa.literal(",") + AccessEvent.data_categories + sa.literal(",")
            clauses.append(padded.contains(f",{self.category},"))
        if self.since:
            clauses.append(AccessEvent.occurred_at >= datetime.combine(self.since, datetime.min.time(), UTC))
        if self.until:
            clauses.append(AccessEvent.occurred_at < datetime.combine(self.until + timedelta(days=1),
                                                                      datetime.min.time(), UTC))
        return clauses

    @property
    def active(self) -> bool:
        return bool(self.agency or self.purpose or self.category or self.since or self.until)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the (occurred_at, id) of the last entry shown."""

    occurred_at: datetime
    event_id: int

    def token(self) -> str:
        micros = int(self.occurred_at.timestamp()) * 1_000_000 + self.occurred_at.microsecond
        return f"{micros}.{self.event_id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """None for a missing or malformed token (the first page)."""
        if not token or len(token) > 40:
            return None
        micros, _, event_id = token.partition(".")
        if not (micros.isdigit() and event_id.isdigit()):
            return None
        try:
            moment = datetime.fromtimestamp(int(micros) // 1_000_000, UTC).replace(microsecond=int(micros) % 1_000_000)
        except (OverflowError, ValueError, OSError):
            return None
        return cls(moment, int(event_id))


@dataclass(frozen=True)
class Authority:
    kind: str  # sorn | statute | consent
    entry: Entry | None
    routine_use: str | None


@dataclass(frozen=True)
class LogEntry:
    id: int
    occurred_at: datetime
    agency: Entry
    component: Entry | None
    system: Entry
    action: Entry
    purpose: Entry
    authority: Authority
    data_categories: tuple[Entry, ...]
    recipient_agency: Entry | None
    recipient_organization: str | None
    accessor_role: str
    accessor_country: str
    justification: str | None
    withheld_until: date | None  # set on an entry that was withheld and has been released
    withheld_exemption: Entry | None
    retracted_at: datetime | None
    retraction_reason: str | None

    @property
    def facts_key(self) -> tuple:
        """Every code the catalog part of an entry shows (what a rendering of it depends on)."""
        return (self.action.code, self.system.code, tuple(c.code for c in self.data_categories), self.purpose.code,
                self.authority.kind, self.authority.entry.code if self.authority.entry else None,
                self.authority.routine_use, self.recipient_agency.code if self.recipient_agency else None,
                self.accessor_role, self.accessor_country)

    @property
    def month(self) -> tuple[int, int]:
        return self.occurred_at.year, self.occurred_at.month

    def export_row(self) -> dict:
        """The entry as plain codes and values (CSV and JSON exports)."""
        return {
            "occurred_at": self.occurred_at.isoformat(), "agency": self.agency.code,
            "component": self.component.code if self.component else None, "system": self.system.code,
            "action": self.action.code, "purpose": self.purpose.code,
            "authority": self.authority.kind,
            "authority_code": self.authority.entry.code if self.authority.entry else None,
            "routine_use": self.authority.routine_use,
            "data_categories": [c.code for c in self.data_categories],
            "recipient_agency": self.recipient_agency.code if self.recipient_agency else None,
            "recipient_organization": self.recipient_organization,
            "accessor_role": self.accessor_role, "accessor_office_country": self.accessor_country,
            "justification": self.justification,
            "withheld_until": self.withheld_until.isoformat() if self.withheld_until else None,
            "retracted_at": self.retracted_at.isoformat() if self.retracted_at else None,
            "retraction_reason": self.retraction_reason,
        }


@dataclass(frozen=True)
class WithheldGroup:
    exemption: Entry
    until: date | None
    count: int


@dataclass
class LogPage:
    entries: list[LogEntry]
    next_cursor: str | None
    withheld: list[WithheldGroup] = field(default_factory=list)


_COLUMNS = (AccessEvent, EventRetraction.retracted_at, EventRetraction.reason)


def _shown(today: date) -> sa.ColumnElement[bool]:
    """Withheld entries stay out of the list until their release date (if they have one)."""
    return sa.or_(AccessEvent.withheld_exemption.is_(None), AccessEvent.withheld_until <= today)


def _entry(event: AccessEvent, retracted_at: datetime | None, reason: str | None) -> LogEntry:
    authority_entry = None
    if event.authority_kind == "sorn":
        authority_entry = CATALOG.sorns[event.authority_code]
    elif event.authority_kind == "statute":
        authority_entry = CATALOG.statutes[event.authority_code]
    return LogEntry(
        id=event.id, occurred_at=event.occurred_at, agency=CATALOG.agencies[event.agency],
        component=CATALOG.components[event.component] if event.component else None,
        system=CATALOG.systems[event.system], action=CATALOG.actions[event.action],
        purpose=CATALOG.purposes[event.purpose],
        authority=Authority(event.authority_kind, authority_entry, event.routine_use),
        data_categories=tuple(CATALOG.data_categories[c] for c in event.data_categories.split(",")),
        recipient_agency=CATALOG.agencies[event.recipient_agency] if event.recipient_agency else None,
        recipient_organization=event.recipient_organization,
        accessor_role=event.accessor_role, accessor_country=event.accessor_country,
        justification=event.justification, withheld_until=event.withheld_until,
        withheld_exemption=CATALOG.exemptions[event.withheld_exemption] if event.withheld_exemption else None,
        retracted_at=retracted_at, retraction_reason=reason,
    )


def _newest_first(session: Session, subjects: Subjects, where: list, cursor: Cursor | None, limit: int):
    """Up to `limit` rows, newest first: one index-ordered scan per subject key, merged (an OR
    over the keys would sort every one of the person's events on each page)."""
    if cursor is not None:
        where = [*where, AccessEvent.occurred_at <= cursor.occurred_at,
                 sa.or_(AccessEvent.occurred_at < cursor.occurred_at, AccessEvent.id < cursor.event_id)]
    streams = []
    for column, value in subjects.keys():
        query = (select(*_COLUMNS)
                 .outerjoin(EventRetraction, EventRetraction.retracted_event_id == AccessEvent.ingested_event_id)
                 .where(column == value, *where)
                 .order_by(AccessEvent.occurred_at.desc(), AccessEvent.id.desc())
                 .limit(limit))
        streams.append(session.exec(query).all())
    seen: set[int] = set()
    merged = heapq.merge(*streams, key=lambda row: (row[0].occurred_at, row[0].id), reverse=True)
    for row in merged:
        if row[0].id not in seen:
            seen.add(row[0].id)
            yield row


def log_page(session: Session, subjects: Subjects, log_filter: LogFilter, cursor: Cursor | None, today: date,
             limit: int = PAGE_SIZE, with_withheld: bool = True) -> LogPage:
    """One page of the person's log, newest first, and what is withheld from it."""
    if not subjects:
        return LogPage([], None)
    rows = list(itertools.islice(
        _newest_first(session, subjects, [_shown(today), *log_filter.clauses()], cursor, limit + 1), limit + 1))
    entries = [_entry(*row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = entries[-1]
        next_cursor = Cursor(last.occurred_at, last.id).token()
    return LogPage(entries, next_cursor, withheld_groups(session, subjects, today) if with_withheld else [])


def log_entry(session: Session, subjects: Subjects, event_id: int, today: date) -> LogEntry:
    """One visible entry of the person's log, or CaseNotFound (also for someone else's entry)."""
    row = session.exec(
        select(*_COLUMNS)
        .outerjoin(EventRetraction, EventRetraction.retracted_event_id == AccessEvent.ingested_event_id)
        .where(AccessEvent.id == event_id, subjects.clause(), _shown(today))
    ).first()
    if row is None:
        raise CaseNotFound()
    return _entry(*row)


def iter_log(session: Session, subjects: Subjects, log_filter: LogFilter, today: date,
             chunk: int = 500) -> Iterator[LogEntry]:
    """Every visible entry, newest first, read in chunks (exports)."""
    cursor = None
    while True:
        page = log_page(session, subjects, log_filter, cursor, today, chunk, with_withheld=False)
        yield from page.entries
        if page.next_cursor is None:
            return
        cursor = Cursor.parse(page.next_cursor)


def withheld_groups(session: Session, subjects: Subjects, today: date) -> list[WithheldGroup]:
    """How many entries are withheld, under which exemption and until when. One query per
    subject key, each on its partial index of withheld rows; an entry under two keys counts once."""
    still_withheld = sa.or_(AccessEvent.withheld_until.is_(None), AccessEvent.withheld_until > today)
    seen: dict[int, tuple[str, date | None]] = {}
    for column, value in subjects.keys():
        rows = session.exec(
            select(AccessEvent.id, AccessEvent.withheld_exemption, AccessEvent.withheld_until)
            .where(column == value, AccessEvent.withheld_exemption.is_not(None), still_withheld)
        ).all()
        seen.update((event_id, (code, until)) for event_id, code, until in rows)
    counts = Counter(seen.values())
    groups = [WithheldGroup(CATALOG.exemptions[code], until, count) for (code, until), count in counts.items()]
    return sorted(groups, key=lambda g: (g.until is None, g.until or date.max, g.exemption.code))


# --- the 12-month summary ----------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    agency: Entry
    purpose: Entry
    count: int


@dataclass(frozen=True)
class Summary:
    since: date
    rows: tuple[SummaryRow, ...]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    def by_agency(self) -> dict[str, Counter]:
        """{agency code: Counter(purpose code: count)}, agencies in catalog order."""
        result: dict[str, Counter] = {}
        for code in CATALOG.agencies:
            counts = Counter({r.purpose.code: r.count for r in self.rows if r.agency.code == code})
            if counts:
                result[code] = counts
        return result


def summary_since(today: date) -> date:
    """The first day of the month eleven months ago: this month and the eleven before it."""
    month_index = today.year * 12 + today.month - 1 - (SUMMARY_MONTHS - 1)
    return date(month_index // 12, month_index % 12 + 1, 1)


def log_summary(session: Session, subjects: Subjects, today: date) -> Summary:
    since = summary_since(today)
    if not subjects:
        return Summary(since, ())
    rows = session.exec(  # retracted entries are not counted: the agency said they were wrong
        select(AccessEvent.agency, AccessEvent.purpose, sa.func.count())
        .outerjoin(EventRetraction, EventRetraction.retracted_event_id == AccessEvent.ingested_event_id)
        .where(subjects.clause(), _shown(today), EventRetraction.id.is_(None),
               AccessEvent.occurred_at >= datetime.combine(since, datetime.min.time(), UTC))
        .group_by(AccessEvent.agency, AccessEvent.purpose)
    ).all()
    agency_order = list(CATALOG.agencies)
    purpose_order = list(CATALOG.purposes)
    ordered = sorted(rows, key=lambda r: (agency_order.index(r[0]), purpose_order.index(r[1])))
    return Summary(since, tuple(SummaryRow(CATALOG.agencies[a], CATALOG.purposes[p], n) for a, p, n in ordered))


# --- the portal's own reads ----------------------------------------------------------------------

# A read within this long of an identical one (same person, reader role, purpose and data) is the
# same visit: one entry, not one per page of it.
READ_VISIT = timedelta(hours=1)


@dataclass(frozen=True)
class Reader:
    """Who in the portal read the data, why, and under which authority."""

    accessor_role: str
    purpose: str
    authority_kind: str  # consent | statute
    authority_code: str | None = None


# A representative reads under the client's consent (the G-28 or the client's own appointment);
# staff under the Privacy Act's need-to-know rule.
REPRESENTATIVE = Reader("representative", "representation", "consent")
STAFF = Reader("portal_staff", "portal_support", "statute", PORTAL_AUTHORITY)


def record_portal_read(session: Session, subjects: Subjects, reader: Reader, data_categories: tuple[str, ...],
                       now: datetime) -> int:
    """A representative's or staff member's read of a person's data, shown in that person's log.

    Stored like an agency's event (agency and system PORTAL, append-only, canonical JSON), one per
    person; returns how many were recorded. The caller commits.
    """
    keys = subjects.person_keys()
    if not keys:
        return 0
    begin_write(session)
    categories = ",".join(sorted(set(data_categories)))
    recorded = 0
    for column, value in keys:
        recent = session.exec(
            select(AccessEvent.id).where(column == value, AccessEvent.agency == "PORTAL",
                                         AccessEvent.occurred_at > now - READ_VISIT,
                                         AccessEvent.purpose == reader.purpose,
                                         AccessEvent.accessor_role == reader.accessor_role,
                                         AccessEvent.data_categories == categories).limit(1)
        ).first()
        if recent is not None:
            continue
        a_number = value if column is AccessEvent.subject_a_number else None
        subject = {"a_number": f"A{a_number}"} if a_number else {"receipt_number": value}
        content = {
            "accessor": {"office_country": "US", "role": reader.accessor_role}, "action": "viewed",
            "agency": "PORTAL", "data_categories": categories.split(","), "occurred_at": now.isoformat(),
            "purpose": reader.purpose, "subject": subject, "system": "PORTAL",
            "authority": ({"consent": True} if reader.authority_kind == "consent"
                          else {"statute": reader.authority_code}),
        }
        ingested = portal_ingested_event(session, "access-events", content, now)
        content["event_id"] = ingested.event_id
        session.add(AccessEvent(
            ingested_event_id=ingested.id, occurred_at=now, subject_a_number=a_number,
            subject_receipt_number=None if a_number else value, agency="PORTAL", system="PORTAL",
            action="viewed", purpose=reader.purpose, authority_kind=reader.authority_kind,
            authority_code=reader.authority_code, data_categories=categories, accessor_role=reader.accessor_role,
            accessor_country="US",
            canonical=json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        ))
        recorded += 1
    return recorded
