"""Public statistics with no personal data: access events counted by agency, purpose and month,
and "cases like mine" (a cohort's statuses, weekly moves and time to decision).

Protected cases (8 U.S.C. 1367) and the people on them are left out of every count. Every table
goes through small-cell suppression (core.suppression) before anything is published.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from portal.catalog import load_access_catalog, load_catalog
from portal.core.access_log import summary_since
from portal.core.models import AccessEvent, Case, CaseEvent, CaseParty, EventRetraction, StatisticsSnapshot
from portal.core.suppression import THRESHOLD, Table, suppress
from portal.core.transactions import begin_write

ACCESS = load_access_catalog()
CASES = load_catalog()
ACCESS_KIND = "access-v1"
SNAPSHOT_AGE = timedelta(days=1)


def _months(since: date, today: date) -> list[str]:
    months, current = [], since
    while current <= today:
        months.append(current.strftime("%Y-%m"))
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def _utc_month(session: Session, column):
    """'YYYY-MM' of a UTC timestamp column, whatever the database session's time zone."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _not_protected():
    """Events about a protected case or anyone on one are not counted."""
    protected_receipts = select(Case.receipt_number).where(Case.protected.is_(True))
    protected_people = (select(CaseParty.a_number).join(Case, Case.id == CaseParty.case_id)
                        .where(Case.protected.is_(True), CaseParty.a_number.is_not(None)))
    return sa.and_(
        sa.or_(AccessEvent.subject_receipt_number.is_(None),
               AccessEvent.subject_receipt_number.not_in(protected_receipts)),
        sa.or_(AccessEvent.subject_a_number.is_(None), AccessEvent.subject_a_number.not_in(protected_people)),
    )


def compute_access_statistics(session: Session, now: datetime) -> dict:
    """Counts of the last 12 months (this one included), by month and agency and by month and
    purpose, suppressed; retracted events are not counted (the agency said they were wrong)."""
    since = summary_since(now.date())
    month = _utc_month(session, AccessEvent.occurred_at)
    rows = session.exec(
        select(month, AccessEvent.agency, AccessEvent.purpose, sa.func.count())
        .outerjoin(EventRetraction, EventRetraction.retracted_event_id == AccessEvent.ingested_event_id)
        .where(AccessEvent.occurred_at >= datetime.combine(since, datetime.min.time(), UTC),
               AccessEvent.occurred_at <= now, EventRetraction.id.is_(None), _not_protected())
        .group_by(month, AccessEvent.agency, AccessEvent.purpose)
    ).all()
    by_agency: Counter = Counter()
    by_purpose: Counter = Counter()
    for month_key, agency, purpose, count in rows:
        by_agency[(agency, month_key)] += count
        by_purpose[(purpose, month_key)] += count
    months = _months(since, now.date())
    return {
        "computed_at": now.isoformat(), "since": since.isoformat(), "months": months,
        "threshold": THRESHOLD,
        "by_agency": _table_json(suppress(by_agency, list(ACCESS.agencies), months)),
        "by_purpose": _table_json(suppress(by_purpose, list(ACCESS.purposes), months)),
    }


def _table_json(table: Table) -> dict:
    return {
        "rows": list(table.rows), "cols": list(table.cols),
        "cells": [[table.cells[(r, c)] for c in table.cols] for r in table.rows],
        "row_totals": [table.row_totals[r] for r in table.rows],
        "col_totals": [table.col_totals[c] for c in table.cols] if table.col_totals else None,
        "total": table.total,
    }


def access_statistics(session: Session, now: datetime, refresh: bool = False) -> dict:
    """The latest published snapshot; computed now if there is none (or when asked to refresh).
    A daily job refreshes it, so a busy public page never recounts the whole database."""
    row = session.exec(select(StatisticsSnapshot).where(StatisticsSnapshot.kind == ACCESS_KIND)
                       .order_by(StatisticsSnapshot.computed_at.desc()).limit(1)).first()
    if row is not None and not refresh:
        return json.loads(row.payload)
    payload = compute_access_statistics(session, now)
    begin_write(session)
    session.add(StatisticsSnapshot(kind=ACCESS_KIND, computed_at=now, payload=json.dumps(payload)))
    session.exec(sa.delete(StatisticsSnapshot).where(StatisticsSnapshot.kind == ACCESS_KIND,
                                                     StatisticsSnapshot.computed_at < now - 7 * SNAPSHOT_AGE))
    session.commit()
    return payload


# --- cases like mine ---------------------------------------------------------------------------

WEEKS = 8
PERCENTILES = (25, 50, 75, 90)


@dataclass(frozen=True)
class Cohort:
    form: str
    office: str
    month: date  # first day of the filing month


@dataclass(frozen=True)
class CohortStatistics:
    cohort: Cohort
    cases: int
    statuses: Table  # one row: status -> cases now at that status
    moves: Table  # status reached x week (the last WEEKS full weeks)
    weeks: tuple[date, ...]  # the Monday of each week
    decided: int
    days_to_decision: dict[int, int] | None  # percentile -> days; None under the threshold

    @property
    def moved(self) -> list[str]:
        """The statuses some of these cases reached in the weeks shown."""
        return [status for status in self.moves.rows if self.moves.row_totals[status]]


def _cohort_cases(cohort: Cohort):
    prefixes = CASES.offices[cohort.office].receipt_prefixes
    start = datetime.combine(cohort.month, datetime.min.time(), UTC)
    end_month = date(cohort.month.year + (cohort.month.month == 12), cohort.month.month % 12 + 1, 1)
    end = datetime.combine(end_month, datetime.min.time(), UTC)
    return (Case.form_type == cohort.form, Case.protected.is_(False),
            Case.received_at >= start, Case.received_at < end,
            sa.or_(*[Case.receipt_number.startswith(prefix) for prefix in prefixes]))


def cohort_statistics(session: Session, cohort: Cohort, now: datetime) -> CohortStatistics:
    where = _cohort_cases(cohort)
    current = session.exec(select(Case.status, sa.func.count()).where(*where).group_by(Case.status)).all()
    status_codes = list(CASES.statuses)
    status_counts = {("cases", status): count for status, count in current}
    cases = sum(status_counts.values())
    this_monday = now.date() - timedelta(days=now.weekday())
    weeks = tuple(this_monday - timedelta(weeks=n) for n in range(WEEKS, 0, -1))
    moved = session.exec(
        select(CaseEvent.status, CaseEvent.occurred_at, CaseEvent.case_id)
        .join(Case, Case.id == CaseEvent.case_id)
        .outerjoin(EventRetraction, EventRetraction.retracted_event_id == CaseEvent.ingested_event_id)
        .where(*where, EventRetraction.id.is_(None),
               CaseEvent.occurred_at >= datetime.combine(weeks[0], datetime.min.time(), UTC),
               CaseEvent.occurred_at < datetime.combine(this_monday, datetime.min.time(), UTC))
    ).all()
    move_counts: Counter = Counter()
    for status, occurred_at, _case in moved:
        day = occurred_at.date()
        move_counts[(status, day - timedelta(days=day.weekday()))] += 1
    decided_codes = [code for code, s in CASES.statuses.items() if s.decided]
    first_decisions = session.exec(
        select(Case.received_at, sa.func.min(CaseEvent.occurred_at))
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .outerjoin(EventRetraction, EventRetraction.retracted_event_id == CaseEvent.ingested_event_id)
        .where(*where, EventRetraction.id.is_(None), col(CaseEvent.status).in_(decided_codes))
        .group_by(Case.id, Case.received_at)
    ).all()
    days = sorted((decided_at - received).days for received, decided_at in first_decisions)
    percentiles = None
    if len(days) >= THRESHOLD:
        cuts = statistics.quantiles(days, n=100, method="inclusive")
        percentiles = {p: round(cuts[p - 1]) for p in PERCENTILES}
    return CohortStatistics(
        cohort=cohort, cases=cases,
        # Every status is a column (zeros too), so a small cell always has a complement to hide with.
        statuses=suppress(status_counts, ["cases"], status_codes, col_totals=False),
        moves=suppress(move_counts, status_codes, list(weeks)),
        weeks=weeks, decided=len(days), days_to_decision=percentiles,
    )
