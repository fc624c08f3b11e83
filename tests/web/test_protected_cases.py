"""8 U.S.C. 1367: a protected case reveals nothing through the lookup, its history or errors."""

import pytest

from tests.factories import case_event


def _normalized(response):
    body = response.get_data(as_text=True)
    return response.status_code, body.replace("MSC2190000055", "N").replace("MSC2190000077", "N")


@pytest.mark.parametrize("htmx", [False, True])
def test_protected_case_answers_exactly_like_an_unknown_number(client, post_events, htmx):
    post_events([case_event(receipt_number="MSC2190000055", protected=True,
                            parties=[{"role": "applicant", "given_name": "Hidden"}]),
                 case_event(receipt_number="MSC2190000055", status="actively_reviewed",
                            occurred_at="2025-03-01T00:00:00Z")])
    headers = {"HX-Request": "true"} if htmx else {}
    protected = client.post("/en/status", data={"receipt_number": "MSC2190000055"}, headers=headers)
    unknown = client.post("/en/status", data={"receipt_number": "MSC2190000077"}, headers=headers)
    assert protected.status_code == 404
    assert _normalized(protected) == _normalized(unknown)
    assert set(protected.headers.keys()) == set(unknown.headers.keys())


def test_a_case_protected_by_a_later_event_disappears_from_the_lookup(client, post_events):
    post_events([case_event(receipt_number="MSC2190000055")])
    assert client.post("/en/status", data={"receipt_number": "MSC2190000055"}).status_code == 200
    post_events([case_event(receipt_number="MSC2190000055", status="actively_reviewed",
                            occurred_at="2025-03-01T00:00:00Z", protected=True)])
    assert client.post("/en/status", data={"receipt_number": "MSC2190000055"}).status_code == 404


@pytest.mark.parametrize("form, office, prefix", [("I-360", "VSC", "EAC"), ("I-914", "VSC", "EAC"),
                                                  ("I-918", "NBC", "MSC")])
def test_survivor_forms_never_show(client, post_events, form, office, prefix):
    receipt = f"{prefix}2190000123"
    post_events([case_event(receipt_number=receipt, form_type=form, office=office)])
    assert client.post("/en/status", data={"receipt_number": receipt}).status_code == 404
