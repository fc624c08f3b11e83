"""Case alerts: a mail for every change of a linked case, silent USCIS updates included, in the
account's language, naming no case, status or person."""

import pytest

from tests.factories import case_event
from tests.helpers import link


@pytest.fixture
def linked(make_account, post_events, outbox):
    post_events([case_event(receipt_number="IOE2190000777", form_type="I-765", office="ELIS",
                            status="case_received", parties=[
                                {"role": "applicant", "access_code": "APPLICANT-7",
                                 "given_name": "Canaryname"}])])
    client = make_account("luz@example.org")
    assert link(client, "IOE2190000777", "APPLICANT-7").status_code == 302
    return len(outbox())


def event(**changes):
    base = dict(receipt_number="IOE2190000777", form_type="I-765", office="ELIS")
    return case_event(**{**base, **changes})


@pytest.mark.parametrize("change, expected", [
    ({"status": "actively_reviewed"}, "One of your cases has an update."),
    ({"status": "case_received"}, "One of your cases has an update."),  # same wording, still told
    ({"status": "case_transferred", "office": "NBC"}, "moved to another USCIS office"),
    ({"status": "rfe_sent"}, "asks you to do something"),
])
def test_every_change_sends_one_alert(linked, post_events, outbox, change, expected):
    post_events([event(occurred_at="2025-03-01T00:00:00Z", **change)])
    mails = outbox()[linked:]
    assert len(mails) == 1
    (mail,) = mails
    body = mail.get_content()
    assert mail["Subject"] == "There is an update on one of your cases"
    assert expected in body and "/en/cases/" in body
    for secret in ("IOE2190000777", "I-765", "Canaryname", "Request for Evidence", "Case Was"):
        assert secret not in body and secret not in mail["Subject"]


def test_a_duplicate_event_sends_nothing_more(linked, post_events, outbox):
    again = event(event_id="same-one", occurred_at="2025-03-01T00:00:00Z", status="actively_reviewed")
    post_events([again])
    post_events([again])
    assert len(outbox()) == linked + 1


def test_the_petitioner_of_a_protected_case_gets_no_alert(make_account, post_events, outbox):
    post_events([case_event(receipt_number="WAC2190000131", form_type="I-130", office="CSC", parties=[
        {"role": "petitioner", "access_code": "PETITIONER-2"},
        {"role": "beneficiary", "access_code": "BENEFICIARY-2"}])])
    petitioner = make_account("pet@example.org")
    link(petitioner, "WAC2190000131", "PETITIONER-2")
    beneficiary = make_account("ben@example.org")
    link(beneficiary, "WAC2190000131", "BENEFICIARY-2")
    before = len(outbox())
    post_events([case_event(receipt_number="WAC2190000131", form_type="I-130", office="CSC",
                            status="actively_reviewed", occurred_at="2025-04-01T00:00:00Z", protected=True)])
    assert [m["To"] for m in outbox()[before:]] == ["ben@example.org"]
