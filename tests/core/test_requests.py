"""Privacy requests in the core: filing (once per submission), the due dates, and every lifecycle
transition allowed or refused as the law says."""

from datetime import UTC, date, datetime

import pytest

from portal.core import accounts
from portal.core import requests as pr
from portal.core.accounts import create_confirmed_user
from portal.core.clocks import EASTERN
from portal.core.models import ClosureDay

MONDAY = datetime(2026, 3, 2, 10, tzinfo=EASTERN)


@pytest.fixture
def people(session):
    hasher = accounts.test_hasher()
    ana = create_confirmed_user(session, "ana@example.org", "x" * 12, "applicant", hasher, datetime.now(UTC))
    staff = create_confirmed_user(session, "po@example.org", "x" * 12, "privacy_officer", hasher, datetime.now(UTC))
    return ana, staff


@pytest.fixture
def supervisor(session):
    return create_confirmed_user(session, "sup@example.org", "x" * 12, "supervisor", accounts.test_hasher(),
                                 datetime.now(UTC))


def new(kind="access", key="k1", **changes):
    values = dict(kind=kind, description="My A-file", declaration_name="Ana Example", language="es",
                  submission_key=key, track=1)
    values.update(changes)
    return pr.NewRequest(**values)


def test_a_request_gets_a_tracking_number_and_the_foia_clock(session, people):
    ana, _staff = people
    request = pr.file_request(session, ana, new(), MONDAY)
    assert request.tracking_number == f"PR-2026-{request.id:06d}"
    assert (request.received_on, request.due_on, request.status) == (date(2026, 3, 2), date(2026, 3, 30), "submitted")
    assert pr.file_request(session, ana, new(), MONDAY).id == request.id  # a double submission
    evening = pr.file_request(session, ana, new(key="k2"), datetime(2026, 3, 6, 18, tzinfo=EASTERN))
    assert evening.received_on == date(2026, 3, 9)  # Friday after 5 p.m.: Monday
    amendment = pr.file_request(session, ana, new("amendment", key="k3"), MONDAY)
    assert amendment.due_on == date(2026, 3, 16)  # acknowledged within 10 working days


def test_closure_days_move_the_deadline(session, people):
    ana, staff = people
    session.add(ClosureDay(day=date(2026, 3, 3), reason="Executive order", added_by=staff.id))
    session.commit()
    assert pr.file_request(session, ana, new(), MONDAY).due_on == date(2026, 3, 31)


def test_the_pause_counts_once_and_moves_the_due_date(session, people):
    ana, staff = people
    request = pr.file_request(session, ana, new(), MONDAY)
    pr.staff_move(session, request, "acknowledged", staff, "", MONDAY)
    pr.staff_move(session, request, "needs_information", staff, "Which years?", datetime(2026, 3, 4, 10, tzinfo=UTC))
    assert pr.days_left(session, request, date(2026, 3, 5)) is None  # the clock stands
    pr.answer_information_request(session, request, ana, "2019 to 2021", datetime(2026, 3, 11, 15, tzinfo=UTC))
    assert request.paused_working_days == 5 and request.due_on == date(2026, 4, 6)
    with pytest.raises(pr.TransitionRefused):
        pr.staff_move(session, request, "needs_information", staff, "Again?", MONDAY)


def test_an_extension_needs_a_reason_and_comes_once(session, people):
    ana, staff = people
    request = pr.file_request(session, ana, new(), MONDAY)
    pr.staff_move(session, request, "acknowledged", staff, "", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.staff_move(session, request, "extended", staff, "  ", MONDAY)
    pr.staff_move(session, request, "extended", staff, "Records in two field offices", MONDAY)
    assert request.due_on == date(2026, 4, 13)  # 30 March + 10 working days
    with pytest.raises(pr.TransitionRefused):
        pr.staff_move(session, request, "extended", staff, "More", MONDAY)


@pytest.mark.parametrize("kind, start, to_status, allowed", [
    ("access", "submitted", "acknowledged", True),
    ("access", "submitted", "in_process", False),  # acknowledge first
    ("access", "acknowledged", "in_process", True),
    ("access", "acknowledged", "completed_full", False),  # an outcome is proposed, then approved
    ("access", "needs_information", "in_process", False),  # only the requester's answer resumes it
    ("access", "withdrawn", "in_process", False),
    ("access", "completed_full", "in_process", False),
])
def test_staff_steps(session, people, kind, start, to_status, allowed):
    ana, staff = people
    request = pr.file_request(session, ana, new(kind), MONDAY)
    request.status = start
    if allowed:
        pr.staff_move(session, request, to_status, staff, "", MONDAY)
        assert request.status == to_status
    else:
        with pytest.raises(pr.TransitionRefused):
            pr.staff_move(session, request, to_status, staff, "", MONDAY)


@pytest.mark.parametrize("kind, outcome, allowed", [
    ("access", "completed_partial", True), ("access", "no_records", True), ("access", "amended", False),
    ("amendment", "amended", True), ("amendment", "amendment_refused", True), ("amendment", "denied", False),
    ("accounting", "denied", True),
])
def test_outcomes_fit_the_kind(session, people, kind, outcome, allowed):
    ana, staff = people
    request = pr.file_request(session, ana, new(kind), MONDAY)
    pr.staff_move(session, request, "acknowledged", staff, "", MONDAY)
    if allowed:
        pr.propose_outcome(session, request, outcome, staff, "Released", MONDAY)
        assert (request.status, request.proposed_outcome) == ("release_proposed", outcome)
    else:
        with pytest.raises(pr.TransitionRefused):
            pr.propose_outcome(session, request, outcome, staff, "", MONDAY)


def test_two_people_release_records(session, people, supervisor):

    ana, officer = people
    request = pr.file_request(session, ana, new(), MONDAY)
    pr.staff_move(session, request, "acknowledged", officer, "", MONDAY)
    pr.propose_outcome(session, request, "completed_partial", supervisor, "Released with (b)(6)", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.approve_outcome(session, request, supervisor, MONDAY)  # never one's own proposal
    with pytest.raises(pr.TransitionRefused):
        pr.approve_outcome(session, request, officer, MONDAY)  # only a supervisor approves
    pr.return_proposal(session, request, supervisor, "Check the redactions", MONDAY)
    assert request.status == "in_process"
    pr.propose_outcome(session, request, "completed_partial", officer, "Released with (b)(6)", MONDAY)
    pr.approve_outcome(session, request, supervisor, MONDAY)
    assert request.status == "completed_partial" and request.closed_at is not None
    last = pr.history(session, request)[-1]
    assert (last.actor_id, last.text) == (supervisor.id, "Released with (b)(6)")


def test_the_requester_withdraws_an_open_request_only(session, people):
    ana, staff = people
    request = pr.file_request(session, ana, new(), MONDAY)
    pr.withdraw(session, request, ana, MONDAY)
    assert request.status == "withdrawn" and request.closed_at is not None
    with pytest.raises(pr.TransitionRefused):
        pr.withdraw(session, request, ana, MONDAY)
    steps = [(e.from_status, e.to_status) for e in pr.history(session, request)]
    assert steps == [(None, "submitted"), ("submitted", "withdrawn")]


def test_an_appeal_within_90_days_reopens_the_request_on_a_new_clock(session, people, supervisor):
    from datetime import timedelta


    ana, officer = people
    request = pr.file_request(session, ana, new(), MONDAY)
    pr.staff_move(session, request, "acknowledged", officer, "", MONDAY)
    pr.propose_outcome(session, request, "denied", officer, "Exempt under (b)(7)(E)", MONDAY)
    pr.approve_outcome(session, request, supervisor, MONDAY)
    assert pr.appeal_deadline(request) == MONDAY.date() + timedelta(days=90)
    with pytest.raises(pr.TransitionRefused):
        pr.appeal(session, request, ana, "  ", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.appeal(session, request, ana, "Too late", MONDAY + timedelta(days=91))
    appealed_on = datetime(2026, 4, 1, 10, tzinfo=EASTERN)
    pr.appeal(session, request, ana, "The exemption does not apply", appealed_on)
    assert request.status == "appealed" and request.closed_at is None
    assert request.due_on == date(2026, 4, 29)  # 20 working days from 1 April
    pr.propose_outcome(session, request, "completed_partial", officer, "Released on appeal", appealed_on)
    pr.approve_outcome(session, request, supervisor, appealed_on)
    assert request.status == "completed_partial"


def test_a_full_release_cannot_be_appealed(session, people, supervisor):

    ana, officer = people
    request = pr.file_request(session, ana, new(), MONDAY)
    pr.staff_move(session, request, "acknowledged", officer, "", MONDAY)
    pr.propose_outcome(session, request, "completed_full", officer, "All released", MONDAY)
    pr.approve_outcome(session, request, supervisor, MONDAY)
    assert pr.appeal_deadline(request) is None
    with pytest.raises(pr.TransitionRefused):
        pr.appeal(session, request, ana, "More", MONDAY)


def test_a_statement_of_disagreement_follows_a_refused_correction_only_once(session, people, supervisor):

    ana, officer = people
    access = pr.file_request(session, ana, new(), MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.file_disagreement(session, access, ana, "No", MONDAY)  # not a correction
    amendment = pr.file_request(session, ana, new("amendment", key="k9"), MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.file_disagreement(session, amendment, ana, "No", MONDAY)  # not refused yet
    pr.staff_move(session, amendment, "acknowledged", officer, "", MONDAY)
    pr.propose_outcome(session, amendment, "amendment_refused", officer, "The record is accurate", MONDAY)
    pr.approve_outcome(session, amendment, supervisor, MONDAY)
    pr.file_disagreement(session, amendment, ana, "It is not", MONDAY)
    assert pr.disagreement_since(session, ana.id) == MONDAY
    with pytest.raises(pr.TransitionRefused):
        pr.file_disagreement(session, amendment, ana, "Again", MONDAY)


def test_the_annual_report_against_hand_computed_figures(session, people, supervisor):
    """Fiscal year 2026 (1 Oct 2025 to 30 Sep 2026). Track 2: three requests received, two
    processed in 10 and 21 working days (the second 26, less a 5-day pause), one open and past due.
    Track 1: one received in FY2025, processed in FY2026 in 4 working days."""
    from datetime import timedelta


    ana, officer = people

    def filed(key, track, on):
        return pr.file_request(session, ana, new(key=key, track=track), datetime(on.year, on.month, on.day, 10,
                                                                                 tzinfo=EASTERN))

    def close(request, on, outcome="completed_full"):
        when = datetime(on.year, on.month, on.day, 12, tzinfo=EASTERN)
        pr.staff_move(session, request, "acknowledged", officer, "", when)
        pr.propose_outcome(session, request, outcome, officer, "", when)
        pr.approve_outcome(session, request, supervisor, when)

    a = filed("a", 2, date(2026, 3, 2))
    close(a, date(2026, 3, 16))  # 10 working days
    b = filed("b", 2, date(2026, 4, 1))
    b.paused_working_days = 5  # the clock stood for 5 working days
    close(b, date(2026, 5, 7), "completed_partial")  # 2-30 April: 21, 1-7 May: 5; 26 less 5 = 21
    filed("c", 2, date(2026, 6, 1))  # due 29 June, still open on 30 September
    old = filed("d", 1, date(2025, 9, 22))  # received in FY2025
    close(old, date(2025, 10, 1) + timedelta(days=1))  # processed on 2 October 2025, in FY2026
    rows = {row.group: row for row in pr.annual_report(session, 2026)}
    assert (rows["track 2"].received, rows["track 2"].processed, rows["track 2"].backlog) == (3, 2, 1)
    assert rows["track 2"].median_days == 15.5 and rows["track 2"].average_days == 15.5
    # 22 Sep to 2 Oct 2025: 23-26, 29, 30 Sep, 1, 2 Oct = 8 working days.
    assert (rows["track 1"].received, rows["track 1"].processed, rows["track 1"].median_days) == (0, 1, 8)
    assert rows["accounting"] == pr.ReportRow("accounting", 0, 0, None, None, 0)


def test_the_accounting_flags_disclosures_after_a_statement_of_disagreement(session, people):
    from datetime import timedelta
    from types import SimpleNamespace

    from portal.core.records import build_record

    ana, _officer = people
    request = pr.file_request(session, ana, new("amendment", key="kd"), MONDAY)
    request.status, request.disagreement, request.disagreement_at = "amendment_refused", "No", MONDAY
    session.add(request)
    session.commit()
    record = build_record(session, ana, "accounting", MONDAY.date())
    assert record.disagreement_at == MONDAY  # the same instant, stored in UTC
    assert record.as_json()["disagreement_at"] == "2026-03-02T15:00:00+00:00"

    def entry(action, days):  # the two things `flagged` reads of a log entry
        return SimpleNamespace(action=SimpleNamespace(code=action), occurred_at=MONDAY + timedelta(days=days))

    assert [record.flagged(entry(a, d)) for a, d in (("disclosed", 1), ("disclosed", -1), ("viewed", 1))] == [
        True, False, False]
