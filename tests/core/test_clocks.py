"""The legal clocks: table-driven cases across holidays, weekends, year ends and the pause, and
hypothesis for the invariants."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core.clocks import (
    DEFAULT,
    EASTERN,
    FOIA_DAYS,
    WorkCalendar,
    add_working_days,
    appeal_deadline,
    days_left_colour,
    expedite_decision_due,
    is_federal_holiday,
    working_days_between,
)


@pytest.mark.parametrize("start, days, expected", [
    (date(2025, 12, 24), 1, date(2025, 12, 26)),  # Christmas
    (date(2026, 7, 2), 1, date(2026, 7, 6)),  # Independence Day observed on Friday 3 July
    (date(2027, 12, 30), 1, date(2028, 1, 3)),  # New Year's Day 2028 observed on Friday 31 Dec 2027
    (date(2027, 6, 17), 1, date(2027, 6, 21)),  # Juneteenth observed on Friday 18 June
    (date(2025, 11, 26), 1, date(2025, 11, 28)),  # Thanksgiving
    (date(2026, 1, 16), 1, date(2026, 1, 20)),  # weekend, then Martin Luther King Jr. Day
    (date(2026, 3, 6), 0, date(2026, 3, 6)),  # zero days: the start itself
    (date(2026, 3, 2), FOIA_DAYS, date(2026, 3, 30)),  # four plain weeks
    (date(2026, 11, 2), FOIA_DAYS, date(2026, 12, 2)),  # Veterans Day and Thanksgiving inside
    (date(2025, 12, 15), FOIA_DAYS, date(2026, 1, 14)),  # across the year end: Christmas, New Year
])
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected
    assert working_days_between(start, expected) == days


def test_closure_days_count_like_holidays():
    closed = WorkCalendar.with_closures([date(2026, 3, 3)])  # say, an office closed by executive order
    assert closed.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 4)
    assert DEFAULT.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)


@pytest.mark.parametrize("submitted, received", [
    (datetime(2026, 3, 4, 16, 59, tzinfo=EASTERN), date(2026, 3, 4)),  # before 5 p.m.
    (datetime(2026, 3, 4, 17, 0, tzinfo=EASTERN), date(2026, 3, 5)),  # at 5 p.m.: the next day
    (datetime(2026, 3, 6, 18, 0, tzinfo=EASTERN), date(2026, 3, 9)),  # Friday evening: Monday
    (datetime(2026, 3, 7, 10, 0, tzinfo=EASTERN), date(2026, 3, 9)),  # Saturday
    (datetime(2026, 12, 25, 9, 0, tzinfo=EASTERN), date(2026, 12, 28)),  # Christmas (Friday)
    (datetime(2026, 3, 4, 21, 30, tzinfo=UTC), date(2026, 3, 4)),  # 4:30 p.m. EST
    (datetime(2026, 7, 6, 21, 30, tzinfo=UTC), date(2026, 7, 7)),  # 5:30 p.m. EDT: the next day
])
def test_when_a_request_counts_as_received(submitted, received):
    assert DEFAULT.received_on(submitted) == received


def test_a_pause_moves_the_deadline_by_the_working_days_paused():
    received = date(2026, 3, 2)
    assert DEFAULT.due_date(received, FOIA_DAYS) == date(2026, 3, 30)
    assert DEFAULT.due_date(received, FOIA_DAYS, paused_working_days=5) == date(2026, 4, 6)


def test_calendar_day_clocks_and_colours():
    assert expedite_decision_due(date(2026, 12, 24)) == date(2027, 1, 3)  # calendar days
    assert appeal_deadline(date(2026, 1, 1)) == date(2026, 4, 1)
    assert [days_left_colour(n) for n in (15, 10, 9, 5, 4, 0, -1)] == [
        "green", "green", "amber", "amber", "red", "red", "overdue"]


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(0, 80))
def test_adding_then_counting_gives_back_the_days(start, n):
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    if n:
        assert DEFAULT.is_working_day(due)
        assert due.weekday() < 5 and not is_federal_holiday(due)
        # No working day was skipped: the day before the deadline is at most n - 1 working days in.
        assert working_days_between(start, due - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(start=days, a=st.integers(0, 40), b=st.integers(0, 40))
def test_working_days_add_up_and_order_is_kept(start, a, b):
    assert add_working_days(add_working_days(start, a), b) == add_working_days(start, a + b)
    assert (add_working_days(start, a) <= add_working_days(start, b)) == (a <= b) or a == b
    assert working_days_between(start, add_working_days(start, a)) == -working_days_between(
        add_working_days(start, a), start)


@settings(max_examples=200, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)))
def test_a_request_is_always_received_on_a_working_day_not_before_it_came(moment):
    received = DEFAULT.received_on(moment)
    assert DEFAULT.is_working_day(received)
    assert received >= moment.astimezone(EASTERN).date()
    assert (received - moment.astimezone(EASTERN).date()).days <= 5


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)
