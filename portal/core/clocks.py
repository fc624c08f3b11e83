"""Legal clocks: working days without weekends, U.S. federal holidays (observed dates included,
from the `holidays` package) and closure days an admin adds (an office closed by executive order).

Rules (product.md): a request submitted after 5 p.m. Eastern time, or on a non-working day, is
received on the next working day. FOIA answers within 20 working days, +10 for unusual
circumstances; a Privacy Act amendment is acknowledged within 10 working days and a refusal
reviewed within 30; an expedite request is decided within 10 calendar days; an appeal may be
filed within 90 calendar days of the response. A request for information pauses the clock once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

EASTERN = ZoneInfo("America/New_York")
CUTOFF = time(17, 0)
FOIA_DAYS = 20
EXTENSION_DAYS = 10
AMENDMENT_ACK_DAYS = 10
AMENDMENT_REVIEW_DAYS = 30
EXPEDITE_DECISION_CALENDAR_DAYS = 10
APPEAL_WINDOW_CALENDAR_DAYS = 90


@lru_cache(maxsize=64)
def _federal_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.US(years=year, observed=True))


def is_federal_holiday(day: date) -> bool:
    return day in _federal_holidays(day.year)


@dataclass(frozen=True)
class WorkCalendar:
    closures: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def with_closures(cls, closures: Iterable[date]) -> WorkCalendar:
        return cls(frozenset(closures))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not is_federal_holiday(day) and day not in self.closures

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (`start` itself not counted); `start` for 0."""
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        while days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)

    def received_on(self, submitted_at: datetime) -> date:
        """The day a request counts as received: its Eastern date, or the next working day when it
        came after 5 p.m. Eastern or on a weekend, holiday or closure day."""
        local = submitted_at.astimezone(EASTERN)
        day = local.date()
        if local.time() >= CUTOFF or not self.is_working_day(day):
            return self.next_working_day(day)
        return day

    def due_date(self, received: date, days: int, paused_working_days: int = 0) -> date:
        """The deadline `days` working days after receipt, moved by the working days the clock
        was paused (a request for information)."""
        return self.add_working_days(received, days + paused_working_days)


DEFAULT = WorkCalendar()


def add_working_days(start: date, days: int) -> date:
    """The n-th working day after `start` (not counted), with federal holidays only."""
    return DEFAULT.add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    return DEFAULT.working_days_between(start, end)


def expedite_decision_due(received: date) -> date:
    return received + timedelta(days=EXPEDITE_DECISION_CALENDAR_DAYS)


def appeal_deadline(responded: date) -> date:
    return responded + timedelta(days=APPEAL_WINDOW_CALENDAR_DAYS)


def days_left_colour(days_left: int) -> str:
    """As requesters know from Fides: >= 10 green, < 10 amber, < 5 red; below 0 overdue."""
    if days_left < 0:
        return "overdue"
    if days_left < 5:
        return "red"
    if days_left < 10:
        return "amber"
    return "green"
