"""The casework rules in the core: the expedite decision's 10 calendar days, a consent that must
be checked before anything else, referrals and withheld items on open requests only, exemptions
used in the annual report (hand-computed), and which letter each status calls for."""

from datetime import UTC, date, datetime

import pytest

from portal.core import letters, releases
from portal.core import requests as pr
from portal.core.clocks import EASTERN
from tests.core.test_requests import MONDAY, new, people, supervisor  # noqa: F401 (fixtures)


def close(session, request, staff, boss, outcome, when):
    pr.staff_move(session, request, "acknowledged", staff, "", when)
    pr.propose_outcome(session, request, outcome, staff, "", when)
    pr.approve_outcome(session, request, boss, when)


def test_the_expedite_decision_is_due_in_10_calendar_days_and_made_once(session, people):  # noqa: F811
    ana, staff = people
    plain = pr.file_request(session, ana, new(key="p"), MONDAY)
    assert pr.expedite_due(plain) is None
    with pytest.raises(pr.TransitionRefused):
        pr.decide_expedite(session, plain, staff, True, "", MONDAY)
    # Friday 20 March 2026: the 10th calendar day after Tuesday 10 March, weekends counted.
    urgent = pr.file_request(session, ana, new(key="u", expedite=True, expedite_statement="Hearing"),
                             datetime(2026, 3, 10, 9, tzinfo=EASTERN))
    assert pr.expedite_due(urgent) == date(2026, 3, 20)
    with pytest.raises(pr.TransitionRefused):
        pr.decide_expedite(session, urgent, staff, False, " ", MONDAY)  # a refusal gives its reason
    pr.decide_expedite(session, urgent, staff, True, "", MONDAY)
    assert urgent.expedite_decision == "granted" and pr.expedite_due(urgent) is None
    with pytest.raises(pr.TransitionRefused):
        pr.decide_expedite(session, urgent, staff, False, "No", MONDAY)
    # Granted expedites come first in the queue, whatever their due date.
    assert [r.id for r in pr.queue(session, pr.QueueFilter(), date(2026, 3, 2))] == [urgent.id, plain.id]


def test_a_consent_request_waits_for_the_check(session, people, supervisor, post_events):  # noqa: F811
    from tests.factories import case_history

    post_events(case_history())
    ana, staff = people
    request = pr.file_request(session, staff, new(consent_subject="Ana · MSC2190000001"), MONDAY)
    assert request.subject_user_id is None and pr.consent_pending(request)
    assert not pr.subjects_of_request(session, request)  # nobody's records yet
    pr.staff_move(session, request, "acknowledged", staff, "", MONDAY)
    for step in ("in_process", "extended"):
        with pytest.raises(pr.TransitionRefused):
            pr.staff_move(session, request, step, staff, "reason", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.propose_outcome(session, request, "completed_full", staff, "", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        pr.verify_consent(session, request, staff, "MSC2190000001", "petitioner", MONDAY)
    pr.verify_consent(session, request, staff, "msc2190000001 ", "applicant", MONDAY)
    assert not pr.consent_pending(request) and request.subject_case_id is not None
    assert [a[-9:] for a in pr.subjects_of_request(session, request).a_numbers] == ["012345678"]
    with pytest.raises(pr.TransitionRefused):
        pr.verify_consent(session, request, staff, "MSC2190000001", "applicant", MONDAY)  # once
    pr.staff_move(session, request, "in_process", staff, "", MONDAY)


def test_referrals_and_withheld_items_belong_to_open_requests(session, people, supervisor):  # noqa: F811
    ana, staff = people
    request = pr.file_request(session, ana, new(), MONDAY)
    with pytest.raises(pr.TransitionRefused):
        releases.refer(session, request, staff, "NSA", "1", "", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        releases.withhold(session, request, staff, "Notes", 2, "b10", MONDAY)
    referral = releases.refer(session, request, staff, "CBP", " 2026-CBFO-777 ", "Entry records", MONDAY)
    assert referral.tracking_number == "2026-CBFO-777" and referral.status == "referred"
    releases.update_referral(session, request, referral.id, "in_process", staff, MONDAY)
    with pytest.raises(pr.TransitionRefused):
        releases.update_referral(session, request, referral.id, "lost", staff, MONDAY)
    close(session, request, staff, supervisor, "completed_full", MONDAY)
    with pytest.raises(pr.TransitionRefused):
        releases.withhold(session, request, staff, "Late", 1, "b6", MONDAY)
    amendment = pr.file_request(session, ana, new("amendment", key="a"), MONDAY)
    with pytest.raises(pr.TransitionRefused):
        releases.withhold(session, amendment, staff, "Notes", 1, "b6", MONDAY)  # nothing is released


def test_exemptions_used_against_hand_computed_figures(session, people, supervisor):  # noqa: F811
    ana, staff = people
    in_year = datetime(2026, 3, 2, 15, tzinfo=UTC)  # fiscal year 2026
    next_year = datetime(2026, 10, 5, 15, tzinfo=UTC)  # fiscal year 2027
    one = pr.file_request(session, ana, new(key="1", track=1), in_year)
    two = pr.file_request(session, ana, new(key="2", track=2), in_year)
    three = pr.file_request(session, ana, new(key="3", track=2), in_year)
    later = pr.file_request(session, ana, new(key="4", track=1), in_year)
    for request, codes in ((one, ["b6", "b6", "b7C"]), (two, ["b6"]), (three, ["k2"]), (later, ["b6"])):
        for code in codes:
            releases.withhold(session, request, staff, "Pages", 1, code, in_year)
    for request in (one, two):
        close(session, request, staff, supervisor, "completed_partial", in_year)
    pr.withdraw(session, three, ana, in_year)  # withdrawn: not processed, not counted
    close(session, later, staff, supervisor, "completed_partial", next_year)
    used = releases.exemptions_used(session, 2026)
    # Track 1: request one used (b)(6) twice and (b)(7)(C) once: one request each.
    assert used["track 1"]["b6"] == 1 and used["track 1"]["b7C"] == 1
    assert used["track 2"]["b6"] == 1 and used["track 2"]["k2"] == 0
    assert sum(sum(row.values()) for row in used.values()) == 3
    assert releases.exemptions_used(session, 2027)["track 1"] == {**dict.fromkeys(releases.EXEMPTIONS, 0), "b6": 1}


@pytest.mark.parametrize("status, letter", [
    ("submitted", None), ("acknowledged", "acknowledgement"), ("in_process", None), ("extended", "extension"),
    ("needs_information", None), ("completed_full", "closing"), ("denied", "closing"), ("amended", "closing"),
    ("amendment_refused", "closing"), ("withdrawn", "closing"), ("appealed", None),
])
def test_each_status_calls_for_its_letter(status, letter):
    assert letters.letter_for(status) == letter


def test_a_closing_letter_states_what_was_withheld_referred_and_until_when_to_appeal(
        session, people, supervisor):  # noqa: F811
    ana, staff = people
    request = pr.file_request(session, ana, new(), MONDAY)
    releases.withhold(session, request, staff, "Interview notes", 4, "b5", MONDAY)
    releases.refer(session, request, staff, "ICE", "2026-ICFO-1", "", MONDAY)
    pr.staff_move(session, request, "acknowledged", staff, "", MONDAY)
    assert letters.build_letter(session, request, "acknowledgement").withheld == []
    pr.propose_outcome(session, request, "completed_partial", staff, "Partly released.", MONDAY)
    pr.approve_outcome(session, request, supervisor, MONDAY)
    letter = letters.build_letter(session, request, "closing")
    assert letter.withheld == [("Interview notes", 4, "5 U.S.C. 552(b)(5)")]
    assert letter.referrals == [("ICE", "2026-ICFO-1", "referred")]
    assert letter.note == "Partly released." and letter.appeal_until == date(2026, 5, 31)
    assert letter.data_hash() == letters.build_letter(session, request, "closing").data_hash()
