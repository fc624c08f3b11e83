"""POST /api/v1/case-events: every status of the contract, idempotency, retractions, rejections."""

import json
import threading

import pytest
from sqlmodel import Session, select

from portal.core.ingest import create_api_client, pending_rejections
from portal.core.models import Case, CaseEvent, CaseParty, IngestedEvent, RejectedEvent
from tests.factories import case_event, case_history


def test_valid_events_are_accepted_and_build_the_case(post_events, session):
    events = case_history()
    response = post_events(events)
    assert response.status_code == 200
    assert response.json == {"accepted": [e["event_id"] for e in events], "duplicates": [],
                             "rejected": []}
    case = session.exec(select(Case)).one()
    assert (case.status, case.office, case.form_type) == ("rfe_sent", "LOS", "I-485")
    assert case.status_at.isoformat() == "2025-07-01T12:00:00+00:00"
    assert case.received_at.isoformat() == "2025-01-10T14:00:00+00:00"
    assert len(session.exec(select(CaseEvent)).all()) == 4


def test_parties_are_stored_with_roles_and_hashed_access_codes(post_events, session):
    post_events(case_history())
    party = session.exec(select(CaseParty)).one()
    assert (party.role, party.a_number, party.given_name) == ("applicant", "012345678", "Canary")
    assert party.access_code_hash and "LINK-CODE-1" not in party.access_code_hash


def test_parties_are_replaced_when_an_event_lists_them_again(post_events, session):
    post_events([case_event(form_type="I-130", parties=[
        {"role": "petitioner", "access_code": "PET-CODE-1"},
        {"role": "beneficiary", "access_code": "BEN-CODE-1"}])])
    post_events([case_event(form_type="I-130", occurred_at="2025-02-01T00:00:00Z",
                            status="actively_reviewed",
                            parties=[{"role": "beneficiary", "access_code": "BEN-CODE-2"}])])
    assert [p.role for p in session.exec(select(CaseParty))] == ["beneficiary"]


def test_out_of_order_events_keep_the_latest_as_current_status(post_events, session):
    post_events([case_event(occurred_at="2025-06-01T00:00:00Z", status="case_approved")])
    post_events([case_event(occurred_at="2025-01-01T00:00:00Z", status="case_received")])
    case = session.exec(select(Case)).one()
    assert case.status == "case_approved"
    assert case.received_at.isoformat() == "2025-01-01T00:00:00+00:00"


def test_same_id_same_content_is_a_duplicate_even_with_another_offset_spelling(post_events, session):
    first = case_event(event_id="dup-1", occurred_at="2025-01-10T14:00:00Z")
    again = dict(first, occurred_at="2025-01-10T16:00:00+02:00")  # the same instant
    assert post_events([first]).json["accepted"] == ["dup-1"]
    response = post_events([again])
    assert response.json == {"accepted": [], "duplicates": ["dup-1"], "rejected": []}
    assert len(session.exec(select(IngestedEvent)).all()) == 1


def test_same_id_with_other_content_is_rejected(post_events):
    post_events([case_event(event_id="c-1", status="case_received")])
    response = post_events([case_event(event_id="c-1", status="case_approved")])
    assert response.json["accepted"] == [] and response.json["duplicates"] == []
    (rejection,) = response.json["rejected"]
    assert rejection["event_id"] == "c-1"
    assert rejection["errors"][0]["field"] == "event_id"


def test_a_repeated_id_inside_one_batch_is_judged_like_a_later_post(post_events):
    event = case_event(event_id="twice")
    response = post_events([event, event, dict(event, status="case_denied")])
    assert response.json["accepted"] == ["twice"]
    assert response.json["duplicates"] == ["twice"]
    assert [r["index"] for r in response.json["rejected"]] == [2]


def test_rejected_events_are_kept_and_can_be_sent_again_once_fixed(post_events, session):
    broken = case_event(event_id="fix-me", office="NOWHERE")
    response = post_events([broken])
    assert response.status_code == 200
    assert response.json["rejected"][0]["errors"][0]["field"] == "office"
    kept = session.exec(select(RejectedEvent)).one()
    assert json.loads(kept.payload)["office"] == "NOWHERE"
    assert json.loads(kept.errors)[0]["field"] == "office"
    assert [r.event_id for r in pending_rejections(session)] == ["fix-me"]

    fixed = post_events([dict(broken, office="NBC")])
    assert fixed.json["accepted"] == ["fix-me"]
    session.expire_all()
    assert pending_rejections(session) == []
    assert session.exec(select(RejectedEvent)).one().resolved_at is not None


def test_retraction_strikes_an_event_and_recomputes_the_status(post_events, session):
    events = case_history()
    post_events(events)
    response = post_events([{"event_id": "r-1", "retracts": events[-1]["event_id"],
                             "reason": "RFE sent to the wrong case"}])
    assert response.json["accepted"] == ["r-1"]
    case = session.exec(select(Case)).one()
    assert case.status == "case_transferred"  # the RFE is retracted, not erased
    assert len(session.exec(select(CaseEvent)).all()) == 4


@pytest.mark.parametrize("retraction, field", [
    ({"event_id": "r-x", "retracts": "never-sent", "reason": "x"}, "retracts"),
    ({"event_id": "r-y", "retracts": "evt", "reason": ""}, "reason"),
])
def test_bad_retractions_are_rejected(post_events, retraction, field):
    response = post_events([retraction])
    assert response.json["rejected"][0]["errors"][0]["field"] == field


def test_an_event_cannot_be_retracted_twice(post_events):
    event = case_event(event_id="once")
    post_events([event])
    first = post_events([{"event_id": "r-1", "retracts": "once", "reason": "wrong"}])
    second = post_events([{"event_id": "r-2", "retracts": "once", "reason": "wrong again"}])
    assert first.json["accepted"] == ["r-1"]
    assert second.json["rejected"][0]["errors"][0]["field"] == "retracts"


@pytest.mark.parametrize("change, field", [
    ({"receipt_number": "MSC-2190000001"}, "receipt_number"),
    ({"receipt_number": "ZZZ2190000001"}, "receipt_number"),
    ({"occurred_at": "2025-01-10 14:00:00"}, "occurred_at"),
    ({"occurred_at": "2025-01-10T14:00:00"}, "occurred_at"),
    ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    ({"occurred_at": "1944-03-31T23:59:59Z"}, "occurred_at"),
    ({"occurred_at": 1736517600}, "occurred_at"),
    ({"form_type": "I-999"}, "form_type"),
    ({"status": "teleported"}, "status"),
    ({"protected": "yes"}, "protected"),
    ({"agency": "ICE"}, "agency"),
    ({"surprise": 1}, "surprise"),
    ({"event_id": ""}, "event_id"),
    ({"event_id": "x" * 129}, "event_id"),
    ({"parties": [{"role": "uncle"}]}, "parties.0.role"),
    ({"parties": [{"role": "applicant", "a_number": "12345678"}]}, "parties.0.a_number"),
    ({"parties": [{"role": "applicant", "access_code": "SAME-CODE"},
                  {"role": "beneficiary", "access_code": "SAME-CODE"}]}, "parties"),
])
def test_invalid_fields_are_rejected_with_the_field_named(post_events, change, field):
    response = post_events([case_event(**change)])
    assert response.status_code == 200
    (rejection,) = response.json["rejected"]
    assert field in [e["field"] for e in rejection["errors"]]
    assert all(e["message"] for e in rejection["errors"])


def test_a_later_event_cannot_change_the_form_of_a_case(post_events):
    post_events([case_event(form_type="I-485")])
    response = post_events([case_event(form_type="I-765", status="case_approved")])
    assert response.json["rejected"][0]["errors"][0]["field"] == "form_type"


def test_non_object_events_are_rejected_per_event(post_events):
    response = post_events(["text", 3, None, case_event()])
    assert response.status_code == 200
    assert [r["index"] for r in response.json["rejected"]] == [0, 1, 2]
    assert len(response.json["accepted"]) == 1


def test_protected_flag_is_sticky(post_events, session):
    post_events([case_event(protected=True)])
    post_events([case_event(occurred_at="2025-03-01T00:00:00Z", status="actively_reviewed",
                            protected=False)])
    assert session.exec(select(Case)).one().protected is True


def test_survivor_forms_are_protected_without_the_flag(post_events, session):
    post_events([case_event(receipt_number="EAC2190000007", form_type="I-918", office="VSC")])
    assert session.exec(select(Case)).one().protected is True


# --- HTTP-level statuses ---------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_missing_or_bad_token_is_401(client, headers):
    response = client.post("/api/v1/case-events", json={"events": []}, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"] == "Unauthorized"


def test_revoked_token_is_401(client, session, uscis_token):
    from datetime import UTC, datetime

    from portal.core.models import ApiClient
    api_client = session.exec(select(ApiClient)).one()
    api_client.revoked_at = datetime.now(UTC)
    session.add(api_client)
    session.commit()
    response = client.post("/api/v1/case-events", json={"events": []},
                           headers={"Authorization": f"Bearer {uscis_token}"})
    assert response.status_code == 401


def test_non_uscis_client_is_403(post_events, session):
    _, ice_token = create_api_client(session, "ICE", "ICE system")
    response = post_events([case_event()], token=ice_token)
    assert response.status_code == 403
    assert session.exec(select(IngestedEvent)).all() == []


def test_not_json_content_type_is_415(client, uscis_token):
    response = client.post("/api/v1/case-events", data="events=1",
                           headers={"Authorization": f"Bearer {uscis_token}",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"events": {}}', b'{"other": []}',
                                  b"\xff\xfe"])
def test_bad_envelope_is_400(client, uscis_token, body):
    response = client.post("/api/v1/case-events", data=body,
                           headers={"Authorization": f"Bearer {uscis_token}",
                                    "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["message"]


def test_more_than_1000_events_is_413(post_events):
    response = post_events([case_event(event_id=f"m-{i}") for i in range(1001)])
    assert response.status_code == 413


def test_more_than_one_mib_is_413(client, uscis_token):
    body = json.dumps({"events": [], "padding": "x" * (1024 * 1024)})
    response = client.post("/api/v1/case-events", data=body,
                           headers={"Authorization": f"Bearer {uscis_token}",
                                    "Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_batch_of_exactly_1000_events_is_taken(post_events, session):
    events = [case_event(event_id=f"k-{i}", receipt_number=f"MSC21{i:08d}") for i in range(1000)]
    response = post_events(events)
    assert response.status_code == 200
    assert len(response.json["accepted"]) == 1000


def test_every_rejected_batch_is_still_200(post_events):
    response = post_events([{"event_id": "a"}, {"event_id": "b"}])
    assert response.status_code == 200
    assert response.json["accepted"] == [] and len(response.json["rejected"]) == 2


def test_two_identical_concurrent_posts_store_one_event(app, uscis_token, engine):
    event = case_event(event_id="race-1")
    barrier = threading.Barrier(2)
    results = []

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/case-events", json={"events": [event]},
                               headers={"Authorization": f"Bearer {uscis_token}"})
        results.append(response.json)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r["accepted"]) for r in results) == [0, 1]
    assert sorted(len(r["duplicates"]) for r in results) == [0, 1]
    with Session(engine) as session:
        assert len(session.exec(select(IngestedEvent)).all()) == 1
        assert len(session.exec(select(CaseEvent)).all()) == 1
