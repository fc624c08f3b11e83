"""Public statistics and "cases like mine": no cell under 10, no hidden cell recoverable from the
totals, no personal data, no protected case, and figures that match the data."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.core import statistics
from portal.core.ingest import create_api_client
from portal.core.models import StatisticsSnapshot
from portal.core.suppression import Table
from tests.core.test_suppression import determined_cells
from tests.factories import access_event, case_event

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def send(client, session):
    tokens = {}

    def post(events):
        for agency in {e["agency"] for e in events}:
            if agency not in tokens:
                tokens[agency] = create_api_client(session, agency, f"{agency} feed")[1]
            batch = [e for e in events if e["agency"] == agency]
            response = client.post("/api/v1/access-events", json={"events": batch},
                                   headers={"Authorization": f"Bearer {tokens[agency]}"})
            assert len(response.json["accepted"]) == len(batch), response.json
        session.commit()
    return post


def fbi(**changes):
    return access_event(agency="FBI", component=None, system="NGI", purpose="background_check",
                        authority={"sorn": "DHS/USCIS-018", "routine_use": "E"}, **changes)


def at(days_ago):
    return (NOW - timedelta(days=days_ago)).isoformat()


def test_access_statistics_hide_small_cells_and_keep_totals_exact(client, send, post_events):
    post_events([case_event(receipt_number="VSC2190000360", form_type="I-360", office="VSC", protected=True,
                            parties=[{"role": "applicant", "a_number": "A077777777"}])])
    send([access_event(occurred_at=at(1)) for _ in range(30)]
         + [access_event(occurred_at=at(40)) for _ in range(3)]  # a small cell: hidden
         + [fbi(occurred_at=at(1)) for _ in range(12)] + [fbi(occurred_at=at(40)) for _ in range(25)]
         # About a protected case and the person on it: never counted.
         + [access_event(occurred_at=at(1), subject={"receipt_number": "VSC2190000360"}) for _ in range(20)]
         + [fbi(occurred_at=at(1), subject={"a_number": "A077777777"}) for _ in range(20)])
    data = json.loads(client.get("/en/statistics/access.json").get_data(as_text=True))
    by_agency = data["by_agency"]
    assert by_agency["total"] == 70 and data["by_purpose"]["total"] == 70
    rows = dict(zip(by_agency["rows"], by_agency["row_totals"], strict=True))
    assert rows["ICE"] == 33 and rows["FBI"] == 37 and rows["USCIS"] == 0
    for table in (data["by_agency"], data["by_purpose"]):
        for row in table["cells"]:
            assert all(v is None or v == 0 or v >= 10 for v in row)
        assert None in sum(table["cells"], [])  # the 3 ICE accesses are hidden ...
        # ... and so are enough others that they cannot be worked out from the totals.
        published = Table(tuple(table["rows"]), tuple(table["cols"]),
                          {(r, c): table["cells"][i][j] for i, r in enumerate(table["rows"])
                           for j, c in enumerate(table["cols"])}, {}, {}, 0)
        assert determined_cells(published) == []
    text = json.dumps(data)
    assert not re.search(r"A?0\d{8}|[A-Z]{3}\d{10}", text)  # no A-number, no receipt number
    page = client.get("/en/statistics/").get_data(as_text=True)
    assert "Hidden to protect privacy" in page and ">3<" not in page
    rows = list(csv.reader(io.StringIO(client.get("/en/statistics/access.csv").get_data(as_text=True))))
    assert rows[0] == ["dimension", "code", "month", "count"] and len(rows) == 1 + (8 + 12) * 12
    ice_now = by_agency["cells"][by_agency["rows"].index("ICE")][-1]
    assert ["agency", "ICE", NOW.strftime("%Y-%m"), "suppressed" if ice_now is None else str(ice_now)] in rows
    assert all(r[3] == "suppressed" or int(r[3]) == 0 or int(r[3]) >= 10 for r in rows[1:])
    svg = client.get("/en/statistics/by-agency.svg")
    assert svg.mimetype == "image/svg+xml" and b"<script" not in svg.data
    assert client.get("/ar/statistics/by-purpose.svg").status_code == 200


def test_the_snapshot_is_reused_until_refreshed(client, send, session):
    send([access_event(occurred_at=at(1)) for _ in range(12)])
    first = json.loads(client.get("/en/statistics/access.json").get_data(as_text=True))
    send([access_event(occurred_at=at(1)) for _ in range(5)])
    assert json.loads(client.get("/en/statistics/access.json").get_data(as_text=True)) == first
    statistics.access_statistics(session, datetime.now(UTC), refresh=True)
    assert json.loads(client.get("/en/statistics/access.json").get_data(as_text=True))["by_agency"]["total"] == 17
    assert len(session.exec(select(StatisticsSnapshot)).all()) == 2


def cohort_case(n, status="actively_reviewed", protected=False, decided_after=None):
    receipt = f"IOE25{n:08d}"
    events = [case_event(receipt_number=receipt, form_type="I-765", office="ELIS", status="case_received",
                         occurred_at="2025-03-10T12:00:00Z", protected=protected)]
    if decided_after is not None:
        events.append(case_event(receipt_number=receipt, form_type="I-765", office="ELIS", status="case_approved",
                                 occurred_at=(datetime(2025, 3, 10, 12, tzinfo=UTC)
                                              + timedelta(days=decided_after)).isoformat(), protected=protected))
    if status not in ("case_received", "case_approved"):
        events.append(case_event(receipt_number=receipt, form_type="I-765", office="ELIS", status=status,
                                 occurred_at=(NOW - timedelta(days=10)).isoformat(), protected=protected))
    return events


def test_cases_like_mine_shows_a_cohort_without_small_cells_or_protected_cases(client, post_events):
    events = []
    for n in range(15):
        events += cohort_case(n)
    for n in range(15, 17):
        events += cohort_case(n, status="rfe_sent")
    for n in range(17, 29):
        events += cohort_case(n, status="case_approved", decided_after=30 + 10 * (n - 17))
    for n in range(29, 49):  # protected: never counted, whatever their status
        events += cohort_case(n, status="rfe_sent", protected=True)
    events += [case_event(receipt_number="IOE2599999999", form_type="I-765", office="ELIS",
                          occurred_at="2025-04-02T12:00:00Z")]  # another month
    post_events(events)
    response = client.get("/en/statistics/cases?form=I-765&office=ELIS&month=2025-03")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "29 cases in all." in html
    assert re.search(r"Case Is Being Actively Reviewed</td><td[^>]*>15<", html)
    assert re.search(r"Request for Evidence Was Sent</td><td[^>]*><abbr", html)  # 2: hidden
    assert re.search(r"Case Was Approved</td><td[^>]*><abbr", html)  # 12, hidden so the 2 cannot be derived
    assert "12 of these cases have a decision." in html
    assert "Half were decided within 85 days." in html  # days 30..140, median 85


def test_cases_like_mine_rejects_bad_input_clearly(client):
    response = client.get("/en/statistics/cases?form=I-999&office=NOWHERE&month=2099-13")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in ("Choose a form from the list.", "Choose an office from the list.", "Enter a month like 2025-03"):
        assert message in html
    assert client.get("/en/statistics/cases").status_code == 200  # the empty form
    assert client.get("/es/statistics/cases?form=I-765&office=ELIS&month=" + "9" * 500).status_code == 400


def test_the_lookup_result_links_to_cases_like_it(client, post_events):
    post_events([case_event(receipt_number="IOE2590000001", form_type="I-765", office="ELIS")])
    html = client.post("/en/status", data={"receipt_number": "IOE2590000001"}).get_data(as_text=True)
    assert "/en/statistics/cases?form=I-765&amp;office=ELIS&amp;month=2025-01" in html
