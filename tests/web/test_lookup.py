"""The public case status lookup: found, not found, malformed, rate limited, htmx on and off."""

import os
import re

import pytest
import time_machine

from portal import create_app
from tests.factories import case_event, case_history


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


@pytest.fixture
def seeded(post_events):
    post_events(case_history())
    return "MSC2190000001"


def lookup(client, typed, lang="en", htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/{lang}/status", data={"receipt_number": typed}, headers=headers)


def test_home_page_offers_the_form(client):
    response = client.get("/en/")
    assert response.status_code == 200
    assert h1(response) == "Check your case status"
    assert 'name="receipt_number"' in response.get_data(as_text=True)


def test_bare_address_redirects_to_the_browsers_language(client):
    response = client.get("/", headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ar/")
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("typed", ["MSC2190000001", "msc 219 000 0001", "MSC-2190000001",
                                   " msc2190000001 "])
def test_found_case_shows_status_history_and_next_step(client, seeded, typed):
    response = lookup(client, typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert h1(response) == "Your case status"
    assert 'Form <bdi dir="ltr">I-485</bdi>: Application to Register Permanent Residence' in body
    assert "Request for Evidence Was Sent" in body
    assert "send everything it asks for before the deadline" in body  # the next step
    assert "Case Was Received" in body and "Fingerprints Were Taken" in body  # full history
    assert "Transferred from the National Benefits Center" in body
    assert "Los Angeles Field Office" in body


def test_result_page_shows_no_personal_data(client, seeded):
    body = lookup(client, seeded).get_data(as_text=True)
    for secret in ("Canary", "Zebrafinch", "012345678", "LINK-CODE-1"):
        assert secret not in body


def test_malformed_number_explains_the_format_and_keeps_what_was_typed(client):
    response = lookup(client, "MSC21900")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="MSC21900"' in body
    assert 'aria-invalid="true"' in body and 'id="receipt-error"' in body
    assert "IOE0912345678" in body


def test_unknown_number_is_a_plain_not_found(client):
    response = lookup(client, "MSC2190009999")
    assert response.status_code == 404
    assert h1(response) == "No case found"
    assert "We could not find this case" in response.get_data(as_text=True)


def test_htmx_request_gets_only_the_fragment(client, seeded):
    response = lookup(client, seeded, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="lookup"')
    assert "<html" not in body and "Request for Evidence Was Sent" in body
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_not_found_and_malformed_are_fragments_with_4xx(client):
    assert lookup(client, "MSC2190009999", htmx=True).status_code == 404
    malformed = lookup(client, "nope", htmx=True)
    assert malformed.status_code == 400
    assert "<html" not in malformed.get_data(as_text=True)


def test_retracted_event_is_struck_through_with_the_correction_date(client, post_events):
    events = case_history()
    post_events(events)
    with time_machine.travel("2025-08-02T10:00:00Z", tick=False):
        post_events([{"event_id": "fix", "retracts": events[-1]["event_id"], "reason": "error"}])
    body = lookup(client, "MSC2190000001").get_data(as_text=True)
    assert "<s>Request for Evidence Was Sent</s>" in body
    assert "Corrected by the agency on August 2, 2025" in body
    assert "Case Was Transferred" in re.search(r'id="status-heading">(.*?)<', body).group(1)


@time_machine.travel("2026-11-29T12:00:00Z", tick=False)
def test_case_past_its_processing_time_is_flagged_with_what_to_do(client, post_events):
    post_events([case_event(occurred_at="2025-01-10T00:00:00Z", status="actively_reviewed")])
    body = lookup(client, "MSC2190000001").get_data(as_text=True)
    assert "Outside normal processing time" in body
    assert "are completed within 14.5 months" in body
    assert "e-Request" in body
    assert "Figures published on October 15, 2026" in body
    assert "sample figures" in body


@time_machine.travel("2025-03-01T12:00:00Z", tick=False)
def test_case_within_its_processing_time_is_not_flagged(client, post_events):
    post_events([case_event(occurred_at="2025-01-10T00:00:00Z", status="actively_reviewed")])
    body = lookup(client, "MSC2190000001").get_data(as_text=True)
    assert "Within normal processing time" in body
    assert "Outside normal processing time" not in body


def test_decided_case_has_no_processing_flag(client, post_events):
    post_events([case_event(occurred_at="2020-01-10T00:00:00Z", status="case_approved")])
    body = lookup(client, "MSC2190000001").get_data(as_text=True)
    assert "Case Was Approved" in body and "normal processing time" not in body


def test_lookup_needs_no_session_or_csrf_token(client, seeded):
    response = lookup(client, seeded)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_rate_limit_answers_429_with_a_translated_page(app, settings):
    app = create_app(settings.with_overrides(lookup_rate_limit="2/minute"))
    client = app.test_client()
    assert lookup(client, "MSC2190000001").status_code == 404
    assert lookup(client, "MSC2190000002").status_code == 404
    limited = lookup(client, "MSC2190000003", lang="es")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert 'value="MSC2190000003"' in limited.get_data(as_text=True)
    assert h1(limited) and h1(limited) != "Too many requests"  # Spanish, not English
    assert 'lang="es"' in limited.get_data(as_text=True)
    htmx = lookup(client, "MSC2190000004", htmx=True)
    assert htmx.status_code == 429 and "<html" not in htmx.get_data(as_text=True)


def test_rate_limit_is_per_client_address(app, settings):
    app = create_app(settings.with_overrides(lookup_rate_limit="1/minute"))
    client = app.test_client()
    first = client.post("/en/status", data={"receipt_number": "x"},
                        environ_base={"REMOTE_ADDR": "192.0.2.1"})
    other = client.post("/en/status", data={"receipt_number": "x"},
                        environ_base={"REMOTE_ADDR": "192.0.2.2"})
    again = client.post("/en/status", data={"receipt_number": "x"},
                        environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert (first.status_code, other.status_code, again.status_code) == (400, 400, 429)


def test_overlong_input_is_cut_and_refused_politely(client):
    response = lookup(client, "A" * 10_000)
    assert response.status_code == 400


def test_unknown_language_prefix_is_404(client):
    assert client.get("/xx/").status_code == 404


@pytest.mark.skipif(not os.environ.get("PORTAL_TEST_REDIS_URL"), reason="PORTAL_TEST_REDIS_URL unset")
def test_rate_limit_is_shared_by_every_worker_through_redis(app, settings):
    import redis

    url = os.environ["PORTAL_TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    limited = settings.with_overrides(lookup_rate_limit="2/minute", redis_url=url)
    worker_a, worker_b = create_app(limited).test_client(), create_app(limited).test_client()
    assert lookup(worker_a, "x").status_code == 400
    assert lookup(worker_b, "x").status_code == 400
    assert lookup(worker_a, "x").status_code == 429  # the third hit, counted across workers
