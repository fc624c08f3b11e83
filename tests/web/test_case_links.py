"""Linking a case with a party's access code, "My cases", and who may see which case."""

import re
from datetime import timedelta

import pytest
import time_machine

from tests.factories import case_event
from tests.helpers import link


def test_linking_shows_the_case_in_my_cases_with_its_flag(make_account, i130):
    client = make_account("ben@example.org")
    response = link(client, "wac-219-000-0130", "BENEFICIARY-1")
    assert response.status_code == 302
    detail_path = response.headers["Location"]
    assert "WAC2190000130" not in detail_path  # opaque ids only
    detail = client.get(detail_path)
    assert detail.status_code == 200 and "Request for Evidence Was Sent" in detail.get_data(as_text=True)
    index = client.get("/en/cases/").get_data(as_text=True)
    assert "WAC2190000130" in index and "Action required" in index


@pytest.mark.parametrize("receipt, code", [
    ("WAC2190000130", "WRONG-CODE-1"),  # wrong code
    ("WAC2190009999", "BENEFICIARY-1"),  # unknown case
])
def test_failed_links_do_not_say_whether_the_case_exists(make_account, i130, receipt, code):
    client = make_account("eve@example.org")
    response = link(client, receipt, code)
    assert response.status_code == 400
    assert "We could not link a case" in response.get_data(as_text=True)


def test_a_malformed_number_gets_the_format_hint(make_account, i130):
    client = make_account("eve@example.org")
    response = link(client, "WAC-123", "x")
    assert response.status_code == 400 and "3 letters and then 10 numbers" in response.get_data(as_text=True)


def test_link_guessing_is_throttled(make_account, i130):
    client = make_account("eve@example.org")
    for n in range(5):
        assert link(client, "WAC2190000130", f"GUESS-{n:04d}").status_code == 400
    assert link(client, "WAC2190000130", "BENEFICIARY-1").status_code == 429
    with time_machine.travel(timedelta(minutes=2)):
        assert link(client, "WAC2190000130", "BENEFICIARY-1").status_code == 302


def test_the_petitioner_of_a_protected_case_cannot_link_it(make_account, post_events):
    post_events([case_event(receipt_number="EAC2190000360", form_type="I-130", office="VSC",
                            protected=True, parties=[
                                {"role": "petitioner", "access_code": "ABUSER-CODE"},
                                {"role": "beneficiary", "access_code": "SURVIVOR-CODE"}])])
    abuser = make_account("pet@example.org")
    assert link(abuser, "EAC2190000360", "ABUSER-CODE").status_code == 400
    survivor = make_account("ben@example.org")
    assert link(survivor, "EAC2190000360", "SURVIVOR-CODE").status_code == 302


def test_a_case_protected_after_linking_disappears_for_its_petitioner(make_account, i130, post_events):
    petitioner = make_account("pet@example.org")
    path = link(petitioner, i130, "PETITIONER-1").headers["Location"]
    assert petitioner.get(path).status_code == 200
    post_events([case_event(receipt_number=i130, form_type="I-130", office="CSC", status="actively_reviewed",
                            occurred_at="2025-06-01T00:00:00Z", protected=True)])
    assert petitioner.get(path).status_code == 404
    assert i130 not in petitioner.get("/en/cases/").get_data(as_text=True)


def test_another_account_gets_404_for_my_case(make_account, i130, app):
    owner = make_account("ben@example.org")
    path = link(owner, i130, "BENEFICIARY-1").headers["Location"]
    stranger = make_account("eve@example.org")
    assert stranger.get(path).status_code == 404
    assert app.test_client().get(path).status_code == 302  # anonymous: to sign-in
    assert stranger.get(re.sub(r"/[0-9a-f]{32}$", "/" + "0" * 32, path)).status_code == 404


def test_cases_pages_are_never_cached(make_account, i130):
    client = make_account("ben@example.org")
    assert client.get("/en/cases/").headers["Cache-Control"] == "no-store"
