"""POST /api/v1/access-events: any agency, for itself only; codes from the catalog; append-only."""

import json

import pytest
from sqlmodel import select

from portal.core.ingest import create_api_client
from portal.core.models import AccessEvent
from tests import factories


def access_event(**changes):
    return factories.access_event(**{"event_id": "acc-1", **changes})


@pytest.fixture
def ice_token(session):
    return create_api_client(session, "ICE", "ICE EID feed")[1]


def test_an_access_event_is_stored_in_canonical_form(post_events, ice_token, session):
    response = post_events([access_event()], endpoint="access-events", token=ice_token)
    assert response.json == {"accepted": ["acc-1"], "duplicates": [], "rejected": []}
    row = session.exec(select(AccessEvent)).one()
    assert (row.subject_a_number, row.agency, row.authority_kind, row.authority_code) == (
        "012345678", "ICE", "sorn", "DHS/ICE-011")
    assert json.loads(row.canonical)["authority"] == {"sorn": "DHS/ICE-011", "routine_use": "G"}


def test_every_agency_may_send_but_only_as_itself(post_events, session, uscis_token):
    assert post_events([access_event(event_id="u-1", agency="USCIS", component=None, system="ELIS",
                                     purpose="adjudication")], endpoint="access-events").json["accepted"]
    refused = post_events([access_event(event_id="u-2")], endpoint="access-events")  # ICE, sent by USCIS
    assert refused.json["rejected"][0]["errors"][0]["field"] == "agency"


@pytest.mark.parametrize("change, field", [
    ({"subject": {}}, "subject"),
    ({"system": "SKYNET"}, "system"),
    ({"purpose": "curiosity"}, "purpose"),
    ({"data_categories": []}, "data_categories"),
    ({"accessor": {"role": "officer", "office_country": "ZZ"}}, "accessor.office_country"),
    ({"accessor": {"role": "officer", "office_country": "US", "name": "Officer Smith"}}, "accessor.name"),
    ({"component": "OFO"}, "component"),
    ({"action": "disclosed"}, "recipient"),
    ({"authority": {"sorn": "DHS/ICE-011"}}, "authority"),
    ({"withheld": {"exemption": "(z)(9)"}}, "withheld.exemption"),
    ({"justification": "x" * 501}, "justification"),
    ({"subject": {"a_number": "A12"}}, "subject.a_number"),
    ({"subject": {"receipt_number": "msc2190000001"}}, "subject.receipt_number"),
    ({"agency": "KGB"}, "agency"),
    ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
    ({"occurred_at": "2025-04-02 13:05"}, "occurred_at"),
    ({"data_categories": "biographic"}, "data_categories"),
    ({"withheld": {"exemption": "(j)(2)", "until": "soon"}}, "withheld.until"),
    ({"recipient": {"agency": "FBI", "organization": "Acme"}}, "recipient"),
])
def test_bad_access_events_are_rejected_with_the_field(post_events, ice_token, change, field):
    response = post_events([access_event(**change)], endpoint="access-events", token=ice_token)
    (rejection,) = response.json["rejected"]
    assert any(e["field"].startswith(field) for e in rejection["errors"]), rejection


def test_withheld_disclosures_and_retractions_are_kept(post_events, ice_token, session):
    events = [
        access_event(event_id="w-1", withheld={"exemption": "(j)(2)", "until": "2027-03-01"}),
        access_event(event_id="d-1", action="disclosed", recipient={"agency": "FBI"},
                     authority={"statute": "INA 105"}),
        {"event_id": "r-1", "retracts": "d-1", "reason": "sent for the wrong person"},
    ]
    response = post_events(events, endpoint="access-events", token=ice_token)
    assert response.json["accepted"] == ["w-1", "d-1", "r-1"]
    rows = session.exec(select(AccessEvent).order_by(AccessEvent.id)).all()
    assert [r.withheld_until.isoformat() if r.withheld_until else None for r in rows] == ["2027-03-01", None]
    assert rows[1].recipient_agency == "FBI" and len(rows) == 2  # the retraction is not an access


def test_access_events_are_idempotent_and_a_changed_event_with_a_used_id_is_rejected(post_events, ice_token,
                                                                                    session):
    assert post_events([access_event()], endpoint="access-events", token=ice_token).json["accepted"] == ["acc-1"]
    again = post_events([access_event(occurred_at="2025-04-02T13:05:00+00:00")], endpoint="access-events",
                        token=ice_token)
    assert again.json["duplicates"] == ["acc-1"]  # the same instant written another way
    changed = post_events([access_event(purpose="removal_proceedings")], endpoint="access-events", token=ice_token)
    assert changed.json["rejected"][0]["errors"][0]["field"] == "event_id"
    assert len(session.exec(select(AccessEvent)).all()) == 1


def test_rejected_access_events_are_kept_for_staff_with_their_errors(post_events, ice_token, session):
    from portal.core.ingest import pending_rejections

    post_events([access_event(system="SKYNET")], endpoint="access-events", token=ice_token)
    (kept,) = pending_rejections(session, "access-events")
    assert json.loads(kept.payload)["system"] == "SKYNET" and "system" in kept.errors
    post_events([access_event()], endpoint="access-events", token=ice_token)  # fixed and sent again
    assert pending_rejections(session, "access-events") == []


def test_nul_characters_and_self_retractions_are_rejected_not_server_errors(post_events, ice_token):
    response = post_events([access_event(justification="a\x00b"),
                            {"event_id": "r-self", "retracts": "r-self", "reason": "x"}],
                           endpoint="access-events", token=ice_token)
    assert response.status_code == 200
    first, second = response.json["rejected"]
    assert first["errors"] == [{"field": "justification", "message": "must not contain NUL characters"}]
    assert second["errors"][0]["field"] == "retracts"
