"""Who accessed my data: visibility, withheld entries, filters, pages, summary, exports, and the
portal's own reads recorded in the log."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal.core.ingest import create_api_client
from portal.core.models import AccessEvent
from tests.factories import access_event, case_history
from tests.helpers import csrf, link, sign_in

LOG = "/en/log/"


@pytest.fixture
def agency_tokens(session):
    return {agency: create_api_client(session, agency, f"{agency} test feed")[1]
            for agency in ("ICE", "CBP", "FBI", "USCIS")}


@pytest.fixture
def send(post_events, agency_tokens):
    """send(*events): post access events, each with its agency's token; all must be accepted."""

    def post(*events):
        for event in events:
            agency = event.get("agency") or "ICE"
            response = post_events([event], endpoint="access-events", token=agency_tokens[agency])
            assert not response.json["rejected"], response.json
    return post


@pytest.fixture
def applicant(make_account, post_events):
    """Ana, linked as the applicant of case_history's I-485 (A012345678)."""
    post_events(case_history())
    client = make_account("ana@example.org")
    assert link(client, "MSC2190000001", "LINK-CODE-1").status_code == 302
    return client


def entries(html):
    return re.findall(r'<li class="portal-log-entry', html)


def test_events_sent_before_the_account_existed_show_after_linking(make_account, post_events, send):
    post_events(case_history())
    send(access_event(occurred_at="2025-03-01T10:00:00Z"),
         access_event(agency="CBP", component="OFO", system="TECS", purpose="border_inspection",
                      authority={"statute": "INA 235"}, subject={"receipt_number": "MSC2190000001"}))
    client = make_account("late@example.org")
    assert entries(client.get(LOG).get_data(as_text=True)) == []
    link(client, "MSC2190000001", "LINK-CODE-1")
    html = client.get(LOG).get_data(as_text=True)
    assert len(entries(html)) == 2
    assert "U.S. Immigration and Customs Enforcement" in html and "Enforcement and Removal Operations" in html
    assert "DHS/ICE-011" in html and "89 FR 55638 (2024)" in html  # the SORN and its citation
    assert "Immigration and Nationality Act section 235" in html


def test_an_entry_says_when_who_what_why_and_under_which_law(applicant, send):
    send(access_event(action="disclosed", recipient={"organization": "Consulate of Mexico"},
                      justification="Shared to confirm identity", accessor={"role": "analyst", "office_country": "MX"}))
    html = applicant.get(LOG).get_data(as_text=True)
    for text in ("April 2, 2025", "1:05", "Shared with another organization", "Enforcement Integrated Database",
                 "Biographic data", "Law enforcement", "routine use", "Consulate of Mexico", "An analyst",
                 "Mexico", "Shared to confirm identity", "April 2025"):
        assert text in html, text


def test_withheld_entries_are_counted_and_explained_then_shown_on_their_date(applicant, send):
    send(access_event(withheld={"exemption": "(j)(2)", "until": "2027-03-01"}),
         access_event(withheld={"exemption": "(j)(2)", "until": "2027-03-01"}),
         access_event(withheld={"exemption": "(j)(2)", "until": "2027-03-01"}),
         access_event(withheld={"exemption": "(k)(2)"}),
         access_event(agency="FBI", component=None, system="NGI", purpose="background_check",
                      authority={"sorn": "DHS/USCIS-018", "routine_use": "E"}))
    with time_machine.travel(datetime(2027, 2, 28, 12, tzinfo=UTC)):
        sign_in(applicant)  # the session from today has long expired
        html = applicant.get(LOG).get_data(as_text=True)
        assert len(entries(html)) == 1
        assert ("3 entries are withheld under 5 U.S.C. 552a(j)(2): records of a law enforcement agency; "
                "they will be shown after March 1, 2027.") in html
        assert "1 entry is withheld under 5 U.S.C. 552a(k)(2)" in html and "no date set" in html
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC)):
        sign_in(applicant)
        html = applicant.get(LOG).get_data(as_text=True)
        assert len(entries(html)) == 4
        assert "Withheld until" in html and "(j)(2)" in html
        assert "552a(k)(2)" in html  # still withheld, still explained


def test_a_retracted_entry_stays_struck_through_with_the_correction_date(applicant, send, post_events,
                                                                          agency_tokens):
    send(access_event(event_id="wrong-1", agency="CBP", component="OFO", system="TECS",
                      purpose="border_inspection", authority={"statute": "INA 235"}))
    post_events([{"event_id": "fix-1", "retracts": "wrong-1", "reason": "wrong person"}],
                endpoint="access-events", token=agency_tokens["CBP"])
    html = applicant.get(LOG).get_data(as_text=True)
    assert len(entries(html)) == 1
    assert "portal-retracted" in html and "<s>U.S. Customs and Border Protection" in html
    assert "Corrected by the agency on " + datetime.now(UTC).strftime("%B %-d, %Y") in html


def test_filters_narrow_the_log_and_bad_filters_get_a_clear_400(applicant, send):
    send(access_event(occurred_at="2025-01-05T10:00:00Z"),
         access_event(agency="FBI", component=None, system="NGI", purpose="background_check",
                      authority={"sorn": "DHS/USCIS-018", "routine_use": "E"}, data_categories=["biometric"],
                      occurred_at="2025-06-05T10:00:00Z"),
         access_event(agency="CBP", component="OFO", system="TECS", purpose="border_inspection",
                      authority={"statute": "INA 235"}, data_categories=["travel"], occurred_at="2025-09-05T10:00:00Z"))
    assert len(entries(applicant.get(LOG + "?agency=FBI").get_data(as_text=True))) == 1
    assert len(entries(applicant.get(LOG + "?purpose=border_inspection").get_data(as_text=True))) == 1
    assert len(entries(applicant.get(LOG + "?category=biometric").get_data(as_text=True))) == 1
    assert len(entries(applicant.get(LOG + "?category=biographic").get_data(as_text=True))) == 1
    assert len(entries(applicant.get(LOG + "?since=2025-06-05&until=2025-09-04").get_data(as_text=True))) == 1
    assert len(entries(applicant.get(LOG + "?until=2025-09-05").get_data(as_text=True))) == 3
    bad = applicant.get(LOG + "?agency=KGB&since=yesterday")
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "Not a valid choice" in html and "Not a valid date value" in html
    assert 'value="yesterday"' in html  # what was typed comes back
    backwards = applicant.get(LOG + "?since=2025-06-05&until=2025-01-01")
    assert backwards.status_code == 400
    assert "The end date must be on or after the start date." in backwards.get_data(as_text=True)
    es = applicant.get("/es/log/?agency=KGB")
    assert es.status_code == 400 and "Not a valid choice" not in es.get_data(as_text=True)


def test_keyset_pages_cover_every_entry_once(applicant, send, session):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    # 120 events, some sharing a timestamp, so the cursor must break ties by id.
    send(*[access_event(occurred_at=(start + timedelta(hours=i // 3)).isoformat()) for i in range(120)])
    seen, url, pages = [], LOG, 0
    while url:
        html = applicant.get(url).get_data(as_text=True)
        seen += re.findall(r"/en/log/entry/(\d+)/wrong", html)
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        pages += 1
    assert pages == 3
    ids = [str(i) for i in session.exec(select(AccessEvent.id).order_by(AccessEvent.occurred_at.desc(),
                                                                        AccessEvent.id.desc()))]
    assert seen == ids


def test_htmx_gets_only_the_results_and_a_broken_cursor_is_the_first_page(applicant, send):
    send(access_event())
    part = applicant.get(LOG + "?agency=ICE", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in part and len(entries(part)) == 1
    assert 'id="log-status"' in part and 'hx-swap-oob="true"' in part  # the live region outside the swap
    assert applicant.get(LOG + "?before=not-a-cursor").status_code == 200
    assert applicant.get(LOG + "?before=99999999999999999999999.1").status_code == 200


def test_the_summary_chart_and_its_table_agree(applicant, send):
    now = datetime.now(UTC).replace(microsecond=0)
    send(*[access_event(occurred_at=(now - timedelta(days=10 + i)).isoformat()) for i in range(4)],
         *[access_event(agency="FBI", component=None, system="NGI", purpose="background_check",
                        authority={"sorn": "DHS/USCIS-018", "routine_use": "E"},
                        occurred_at=(now - timedelta(days=20 + i)).isoformat()) for i in range(2)],
         access_event(occurred_at=(now - timedelta(days=400)).isoformat()))  # older than 12 months
    html = applicant.get(LOG).get_data(as_text=True)
    table = re.search(r'<table class="usa-table[^"]*portal-summary-table">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r"<tr><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td><td[^>]*>(\d+)</td></tr>", table)
    assert rows == [("U.S. Immigration and Customs Enforcement", "Law enforcement", "4"),
                    ("Federal Bureau of Investigation", "Background and security check", "2")]
    img = re.search(r'<img class="portal-chart" src="([^"]+)"[^>]*alt="([^"]+)"', html)
    assert "6 accesses" in img.group(2)
    svg = applicant.get(img.group(1))
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Security-Policy"].startswith("default-src 'none'")
    body = svg.get_data(as_text=True)
    assert "<script" not in body and "Federal Bureau of Investigation" in body and "Law enforcement" in body
    assert "fill:#005ea2" in body and "file:" not in body  # its own colours inline, nothing fetched
    # pygal writes each bar's value into the SVG: the same figures as the table.
    values = sorted(int(v) for v in re.findall(r'<desc class="value">(\d+)</desc>', body) if v != "0")
    assert values == [2, 4]


def test_exports_hold_the_filtered_log_and_neutralise_formulas(applicant, send):
    send(access_event(justification="=HYPERLINK(\"http://evil.example\")"),
         access_event(agency="FBI", component=None, system="NGI", purpose="background_check",
                      authority={"sorn": "DHS/USCIS-018", "routine_use": "E"}),
         access_event(withheld={"exemption": "(j)(2)", "until": "2099-01-01"}))
    response = applicant.get("/en/log/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="access-log-')
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["agency"] for r in rows) == ["FBI", "ICE"]
    assert next(r for r in rows if r["agency"] == "ICE")["justification"].startswith("'=")
    data = json.loads(applicant.get("/en/log/export.json?agency=FBI").get_data(as_text=True))
    assert [e["agency"] for e in data["entries"]] == ["FBI"]
    assert data["entries"][0]["authority_code"] == "DHS/USCIS-018"
    assert data["withheld"] == [{"exemption": "(j)(2)", "until": "2099-01-01", "count": 1}]
    assert applicant.get("/en/log/export.csv?since=bad").status_code == 400


def test_a_petitioner_and_an_unrelated_applicant_see_none_of_the_beneficiarys_log(
        make_account, i130, send):
    send(access_event(subject={"receipt_number": i130}))
    beneficiary = make_account("ben@example.org")
    link(beneficiary, i130, "BENEFICIARY-1")
    petitioner = make_account("pet@example.org")
    link(petitioner, i130, "PETITIONER-1")
    stranger = make_account("stranger@example.org")
    assert len(entries(beneficiary.get(LOG).get_data(as_text=True))) == 1
    for client in (petitioner, stranger):
        html = client.get(LOG).get_data(as_text=True)
        assert entries(html) == [] and "Enforcement Integrated Database" not in html
        assert "Your log shows once you link a case" in html
        assert "ICE" not in client.get("/en/log/export.csv").get_data(as_text=True)
    entry_id = re.search(r"/en/log/entry/(\d+)/wrong", beneficiary.get(LOG).get_data(as_text=True)).group(1)
    assert beneficiary.get(f"/en/log/entry/{entry_id}/wrong").status_code == 200
    assert petitioner.get(f"/en/log/entry/{entry_id}/wrong").status_code == 404


def test_a_representatives_reads_show_in_the_clients_log(applicant, make_representative, post_events, send):
    send(access_event())
    post_events([{"event_id": "g28-1", "receipt_number": "MSC2190000001", "party_role": "applicant",
                  "representative": {"email": "rep@law.example", "bar_number": "1", "bar_state": "NY"},
                  "action": "filed", "effective_on": "2025-02-01"}], endpoint="representations")
    rep = make_representative("rep@law.example")
    page = rep.get("/en/representatives/clients/").get_data(as_text=True)
    case_path = re.search(r'href="(/en/representatives/clients/[0-9a-f]{32})"', page).group(1)
    case_page = rep.get(case_path).get_data(as_text=True)
    log_path = re.search(r'href="(/en/log/client/[0-9a-f]{32}/)"', case_page).group(1)
    rep_view = rep.get(log_path).get_data(as_text=True)
    assert "Who accessed your client's data" in rep_view and "Enforcement Integrated Database" in rep_view
    rep.get(log_path)  # the same visit: not a second entry
    html = applicant.get(LOG + "?agency=PORTAL").get_data(as_text=True)
    assert len(entries(html)) == 2  # the case page, then the log
    assert "Your representative" in html and "Your representative's work" in html
    assert "Record of who accessed your data" in html and "Application content" in html


def test_staff_reading_a_rejected_event_about_a_person_shows_in_their_log(applicant, make_account, post_events,
                                                                          agency_tokens):
    post_events([access_event(system="NOPE")], endpoint="access-events", token=agency_tokens["ICE"])
    staff = make_account("po@example.org", role="privacy_officer")
    listing = staff.get("/en/staff/rejected").get_data(as_text=True)
    path = re.search(r'href="(/en/staff/rejected/\d+)"', listing).group(1)
    assert staff.get(path).status_code == 200
    html = applicant.get(LOG + "?agency=PORTAL").get_data(as_text=True)
    assert len(entries(html)) == 1 and "A member of this portal's staff" in html
    assert "Keeping this portal's records right" in html


def test_the_this_looks_wrong_page_explains_the_correction_right(applicant, send):
    send(access_event())
    html = applicant.get(LOG).get_data(as_text=True)
    path = re.search(r'href="(/en/log/entry/\d+/wrong)"', html).group(1)
    page = applicant.get(path).get_data(as_text=True)
    assert "552a(d)(2)" in page and "Enforcement Integrated Database" in page
    assert applicant.get("/en/log/entry/999999/wrong").status_code == 404


def test_the_log_needs_an_account(client):
    for path in (LOG, "/en/log/summary.svg", "/en/log/export.csv", "/en/log/entry/1/wrong"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_the_log_page_renders_in_spanish_and_arabic(applicant, send):
    send(access_event())
    for lang, direction in (("es", "ltr"), ("ar", "rtl")):
        html = applicant.get(f"/{lang}/log/").get_data(as_text=True)
        assert f'lang="{lang}"' in html and f'dir="{direction}"' in html
        assert len(entries(html)) == 1


def test_logging_out_and_csrf_are_unaffected_by_the_log(applicant):
    # The log's filter form is a GET: no token; the page keeps the account's CSRF header for htmx.
    html = applicant.get(LOG).get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken"' in html
    assert csrf(applicant, LOG)  # the sign-out form's token
