"""Privacy requests on the web: filing (with the declaration, once per submission, prefilled from
"this looks wrong"), the requester's page with the clock, staff decisions and messages, the
pause, withdrawal, mails through a real SMTP server, and staff reads in the access log."""

import re

import pytest
from sqlmodel import select

from portal import create_app
from portal.core.ingest import create_api_client
from portal.core.models import PrivacyRequest
from tests.factories import access_event, case_history
from tests.helpers import csrf, link, sign_in

NEW = "/en/requests/new"


def key_of(client, path=NEW):
    return re.search(r'name="submission_key"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def file(client, **fields):
    data = {"csrf_token": csrf(client, NEW), "submission_key": key_of(client), "kind": "access",
            "description": "My whole A-File", "track": "2", "fee_category": "other",
            "declaration_name": "Ana Example", "declaration": "y"}
    data.update(fields)
    return client.post(NEW, data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def ana(make_account, post_events):
    post_events(case_history())
    client = make_account("ana@example.org")
    link(client, "MSC2190000001", "LINK-CODE-1")
    return client


def test_filing_needs_the_declaration_and_happens_once(ana, session):
    refused = file(ana, declaration=None, description="")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Tick the declaration to file the request." in html and "Describe the records." in html
    assert 'value="Ana Example"' in html  # what was typed comes back
    key = key_of(ana)
    first = file(ana, submission_key=key)
    again = file(ana, submission_key=key)
    assert first.status_code == again.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    assert len(session.exec(select(PrivacyRequest)).all()) == 1
    page = ana.get(first.headers["Location"]).get_data(as_text=True)
    assert re.search(r"PR-\d{4}-\d{6}", page) and "working days left" in page and "Submitted" in page


@pytest.mark.parametrize("fields, message", [
    ({"track": "3"}, "Give the date of the hearing."),
    ({"kind": "amendment"}, "Say what the record should say."),
    ({"expedite": "y"}, "Say why it is urgent."),
    ({"kind": "nonsense"}, "Not a valid choice"),
])
def test_each_kind_asks_for_what_it_needs(ana, fields, message):
    response = file(ana, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_this_looks_wrong_prefills_a_correction(ana, session, client):
    token = create_api_client(session, "ICE", "ICE feed")[1]
    client.post("/api/v1/access-events", json={"events": [access_event()]},
                headers={"Authorization": f"Bearer {token}"})
    log = ana.get("/en/log/").get_data(as_text=True)
    wrong = re.search(r'href="(/en/log/entry/(\d+)/wrong)"', log)
    page = ana.get(wrong.group(1)).get_data(as_text=True)
    new_link = re.search(r'href="(/en/requests/new\?entry=\d+)"', page).group(1)
    form = ana.get(new_link).get_data(as_text=True)
    assert 'value="amendment" checked' in form or re.search(r'checked[^>]*value="amendment"', form)
    assert "Enforcement Integrated Database" in form
    assert ana.get("/en/requests/new?entry=999999").status_code == 404


def test_staff_work_a_request_through_the_pause_to_completion(ana, make_account, outbox):
    filed = file(ana).headers["Location"]
    public_id = filed.rsplit("/", 1)[1]
    staff = make_account("po@example.org", role="privacy_officer")
    queue = staff.get("/en/staff/requests/").get_data(as_text=True)
    assert f"/en/staff/requests/{public_id}" in queue
    path = f"/en/staff/requests/{public_id}"

    def move(to_status, note=""):
        return staff.post(path + "/move", data={"csrf_token": csrf(staff, path), "to_status": to_status, "note": note})

    assert move("completed_full").status_code == 400  # not before acknowledging
    assert move("acknowledged").status_code == 302
    assert move("extended").status_code == 400  # an extension needs its reason
    assert move("needs_information", "Which years?").status_code == 302
    mine = ana.get(filed).get_data(as_text=True)
    assert "Waiting for information from you" in mine and "Which years?" in mine
    answered = ana.post(filed + "/message", data={"csrf_token": csrf(ana, filed), "text": "2019 to 2021"})
    assert answered.status_code == 302 and "Being worked on" in ana.get(filed).get_data(as_text=True)
    assert move("needs_information", "Again").status_code == 400  # the clock stops once
    assert move("completed_partial", "Released").status_code == 400  # never closed in one step
    assert move("propose:completed_partial", "Released with (b)(6) redactions").status_code == 302
    own = staff.post(path + "/approve", data={"csrf_token": csrf(staff, path)})
    assert own.status_code == 404  # a privacy officer cannot approve at all
    assert "Decision being checked" in ana.get(filed).get_data(as_text=True)
    supervisor = make_account("sup@example.org", role="supervisor")
    approved = supervisor.post(path + "/approve", data={"csrf_token": csrf(supervisor, path)})
    assert approved.status_code == 302
    assert "Completed: records released in part" in ana.get(filed).get_data(as_text=True)
    mails = [m for m in outbox() if m["To"] == "ana@example.org"]
    # Filed, acknowledged, information asked for, outcome proposed, completed (her own answer is not
    # mailed to her).
    assert len(mails) == 5 and all(m["Subject"] == "There is news on your privacy request" for m in mails)
    assert all("(b)(6)" not in m.get_content() for m in mails)  # the mail says nothing of the records
    # Opening the request read Ana's data: it shows in her access log.
    assert "A member of this portal" in ana.get("/en/log/?agency=PORTAL").get_data(as_text=True)


def test_withdrawing_and_who_may_see_a_request(ana, make_account, client):
    filed = file(ana).headers["Location"]
    other = make_account("other@example.org")
    assert other.get(filed).status_code == 404
    assert other.post(filed + "/withdraw", data={"csrf_token": csrf(other, "/en/requests/")}).status_code == 404
    assert client.get(filed).status_code == 302
    assert other.get("/en/staff/requests/").status_code == 404
    assert ana.post(filed + "/withdraw", data={}).status_code == 400  # no CSRF token
    assert ana.post(filed + "/withdraw", data={"csrf_token": csrf(ana, filed)}).status_code == 302
    assert "Withdrawn" in ana.get(filed).get_data(as_text=True)


def test_request_mails_go_through_smtp_in_the_requesters_language(app, settings, session, smtp_sink, post_events):
    from datetime import UTC, datetime

    from portal.core.accounts import create_confirmed_user

    sink, url = smtp_sink
    user = create_confirmed_user(session, "luz@example.org", "correct horse battery staple", "applicant",
                                 app.extensions["portal.hasher"], datetime.now(UTC))
    user.preferred_language = "es"
    session.add(user)
    session.commit()
    client = create_app(settings.with_overrides(smtp_url=url)).test_client()
    sign_in(client, "luz@example.org")
    file(client)
    ((recipients, message),) = sink.messages
    assert recipients == ["luz@example.org"] and message["Content-Language"] == "es"
    assert "/es/requests/" in message.get_content()


def test_staff_hear_two_working_days_before_the_due_date_and_when_overdue(app, session, make_account, ana, outbox):
    from datetime import UTC, datetime

    import time_machine

    from portal.web.staff_requests import deliver_staff_alerts

    make_account("po@example.org", role="privacy_officer")
    file(ana)
    session.commit()  # a fresh read: the request was filed through another session
    request = session.exec(select(PrivacyRequest)).one()
    due = request.due_on

    def run(day):
        with time_machine.travel(datetime(day.year, day.month, day.day, 15, tzinfo=UTC), tick=False), \
                app.test_request_context("/"):
            return deliver_staff_alerts()

    from portal.core.clocks import DEFAULT

    assert run(DEFAULT.add_working_days(request.received_on, 5)) == 0  # weeks away
    two_before = DEFAULT.add_working_days(request.received_on, 18)
    assert run(two_before) == 1 and run(two_before) == 0  # once
    assert run(DEFAULT.add_working_days(due, 1)) == 1  # overdue: once more
    staff_mails = [m for m in outbox() if m["To"] == "po@example.org"]
    assert len(staff_mails) == 2 and request.tracking_number in staff_mails[1].get_content()
    assert "was due on" in staff_mails[1].get_content()


def test_an_admin_adds_a_closure_day_and_new_deadlines_skip_it(make_account, ana, session):
    from datetime import date

    from portal.core import requests as pr

    admin = make_account("admin@example.org", role="admin")
    officer = make_account("po2@example.org", role="privacy_officer")
    path = "/en/staff/requests/closures"
    assert officer.get(path).status_code == 404
    added = admin.post(path, data={"csrf_token": csrf(admin, path), "day": "2030-03-05", "reason": "EO 99999"})
    assert added.status_code == 302
    again = admin.post(path, data={"csrf_token": csrf(admin, path), "day": "2030-03-05", "reason": "twice"})
    assert again.status_code == 400 and "already a closure day" in again.get_data(as_text=True)
    assert admin.post(path, data={"csrf_token": csrf(admin, path), "day": "", "reason": ""}).status_code == 400
    session.commit()
    assert pr.calendar(session).add_working_days(date(2030, 3, 4), 1) == date(2030, 3, 6)


def test_files_are_checked_by_content_kept_and_shown_only_to_who_may_see_the_request(ana, make_account):
    import io

    from tests.core.test_uploads import png

    filed = file(ana).headers["Location"]
    public_id = filed.rsplit("/", 1)[1]

    def upload(client, path, data, name):
        page = path if "/staff/" in path else filed
        return client.post(path + "/files", data={"csrf_token": csrf(client, page), "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    renamed = upload(ana, filed, b"MZ\x90\x00 not a pdf", "letter.pdf")
    assert renamed.status_code == 400 and "Only PDF, JPEG and PNG" in renamed.get_data(as_text=True)
    scripted = upload(ana, filed, b"%PDF-1.7 /OpenAction <</JS (x)>>", "a.pdf")
    assert scripted.status_code == 400 and "scripts or embedded files" in scripted.get_data(as_text=True)
    assert upload(ana, filed, png(800, 600), "passport.png").status_code == 302
    staff = make_account("po@example.org", role="privacy_officer")
    staff_path = f"/en/staff/requests/{public_id}"
    assert upload(staff, staff_path, b"%PDF-1.7\nresponse\n%%EOF", "response.pdf").status_code == 302
    page = ana.get(filed).get_data(as_text=True)
    links = re.findall(rf'href="({filed}/files/[0-9a-f]{{32}})"', page)
    assert len(links) == 2 and "Response from the agency" in page
    got = ana.get(links[1])
    assert got.data.startswith(b"%PDF-") and got.mimetype == "application/pdf"
    assert re.fullmatch(r'attachment; filename="PR-\d{4}-\d{6}-\d+\.pdf"', got.headers["Content-Disposition"])
    other = make_account("other@example.org")
    assert other.get(links[0]).status_code == 404
    assert staff.get(links[0].replace("/en/requests/", "/en/staff/requests/")).status_code == 200


def test_a_representative_files_for_a_client_whose_log_records_the_staff_read(ana, make_representative,
                                                                               make_account, post_events):
    post_events([{"event_id": "g28-rq", "receipt_number": "MSC2190000001", "party_role": "applicant",
                  "representative": {"email": "rep@law.example", "bar_number": "1", "bar_state": "NY"},
                  "action": "filed", "effective_on": "2025-02-01"}], endpoint="representations")
    rep = make_representative("rep@law.example")
    form = rep.get(NEW).get_data(as_text=True)
    client_id = re.search(r'<option value="([0-9a-f]{32})">I-485 · MSC2190000001', form).group(1)
    missing = file(rep, on_behalf=client_id, declaration_name="Rita Rep")
    assert missing.status_code == 400 and "Confirm that you represent this person." in missing.get_data(as_text=True)
    assert file(rep, on_behalf="f" * 32, declaration_name="Rita Rep", representative_declaration="y").status_code == 400
    filed = file(rep, on_behalf=client_id, declaration_name="Rita Rep", representative_declaration="y")
    assert filed.status_code == 302
    staff = make_account("po@example.org", role="privacy_officer")
    public_id = filed.headers["Location"].rsplit("/", 1)[1]
    page = staff.get(f"/en/staff/requests/{public_id}").get_data(as_text=True)
    assert "On behalf of" in page
    # Staff opened a request about Ana's records: it shows in Ana's log, not the representative's.
    assert "A member of this portal" in ana.get("/en/log/?agency=PORTAL").get_data(as_text=True)
    # Ana follows the request filed about her records, but only her representative acts on it.
    location = filed.headers["Location"]
    assert location in ana.get("/en/requests/").get_data(as_text=True)
    page = ana.get(location).get_data(as_text=True)
    assert "Your representative filed this request" in page and "Withdraw this request" not in page
    assert ana.post(location + "/withdraw", data={"csrf_token": csrf(ana, "/en/requests/")}).status_code == 404
    assert make_account("stranger@example.org").get(location).status_code == 404


def test_the_requester_appeals_a_denial_from_their_page(ana, make_account):
    filed = file(ana).headers["Location"]
    public_id = filed.rsplit("/", 1)[1]
    staff, supervisor = make_account("po@example.org", "privacy_officer"), make_account("sup@example.org", "supervisor")
    path = f"/en/staff/requests/{public_id}"
    for to_status in ("acknowledged", "propose:denied"):
        staff.post(path + "/move", data={"csrf_token": csrf(staff, path), "to_status": to_status, "note": "No"})
    supervisor.post(path + "/approve", data={"csrf_token": csrf(supervisor, path)})
    page = ana.get(filed).get_data(as_text=True)
    assert "Appeal this decision" in page and "You may appeal until" in page
    token = re.search(r'name="appeal-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    empty = ana.post(filed + "/appeal", data={"appeal-csrf_token": token, "appeal-text": ""})
    assert empty.status_code == 400 and "Write a message." in empty.get_data(as_text=True)
    appealed = ana.post(filed + "/appeal", data={"appeal-csrf_token": token, "appeal-text": "It is wrong"})
    assert appealed.status_code == 302
    assert "Appealed" in ana.get(filed).get_data(as_text=True)


def test_a_correction_tells_earlier_recipients_and_a_refusal_allows_a_statement_flagged_later(
        ana, make_account, session, client):
    import time_machine

    token = create_api_client(session, "USCIS", "USCIS access feed")[1]

    def disclose(event_id, when):
        client.post("/api/v1/access-events", json={"events": [access_event(
            event_id=event_id, agency="USCIS", component=None, system="CLAIMS3", action="disclosed",
            purpose="congressional_inquiry", authority={"sorn": "DHS/USCIS-007", "routine_use": "F"},
            recipient={"organization": "Office of a U.S. Senator"}, occurred_at=when)]},
            headers={"Authorization": f"Bearer {token}"})

    disclose("before", "2025-03-01T12:00:00Z")
    staff, supervisor = make_account("po@example.org", "privacy_officer"), make_account("sup@example.org", "supervisor")

    def decide(kind, outcome):
        filed = file(ana, kind=kind, amendment_record="Address", amendment_correction="12 Main St").headers["Location"]
        path = f"/en/staff/requests/{filed.rsplit('/', 1)[1]}"
        for step in ("acknowledged", f"propose:{outcome}"):
            staff.post(path + "/move", data={"csrf_token": csrf(staff, path), "to_status": step, "note": "Decided"})
        supervisor.post(path + "/approve", data={"csrf_token": csrf(supervisor, path)})
        return filed, path

    # Granted: the Senator's office that received the record is to be told; staff record it.
    _filed, path = decide("amendment", "amended")
    page = staff.get(path).get_data(as_text=True)
    assert "Earlier recipients to tell of the correction" in page and "Office of a U.S. Senator" in page
    notice = re.search(rf'action="({path}/notices/\d+)"', page).group(1)
    assert staff.post(notice, data={"csrf_token": csrf(staff, path)}).status_code == 302
    assert "told on" in staff.get(path).get_data(as_text=True)
    assert staff.post(notice, data={"csrf_token": csrf(staff, path)}).status_code == 404  # once

    # Refused: a statement of disagreement, then every later disclosure carries the flag.
    refused, _path = decide("amendment", "amendment_refused")
    page = ana.get(refused).get_data(as_text=True)
    token_value = re.search(r'name="disagree-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    filed_statement = ana.post(refused + "/disagreement", data={"disagree-csrf_token": token_value,
                                                                 "disagree-text": "My address is 12 Main St."})
    assert filed_statement.status_code == 302
    assert "Your statement of disagreement" in ana.get(refused).get_data(as_text=True)
    session.commit()
    from datetime import UTC, datetime, timedelta
    later = (datetime.now(UTC) + timedelta(minutes=1)).replace(microsecond=0)
    with time_machine.travel(later + timedelta(seconds=30)):
        disclose("after", later.isoformat())
    log = ana.get("/en/log/?agency=USCIS").get_data(as_text=True)
    assert log.count("You filed a statement of disagreement") == 1  # the later disclosure only
    # The accounting of disclosures carries the flag too.
    from tests.web.test_documents import download, make, text_of
    text = text_of(download(ana, make(ana)))
    assert text.count("You filed a statement of disagreement") == 1


def test_staff_download_the_annual_report_figures(ana, make_account):
    import csv
    import io

    file(ana)
    staff = make_account("po@example.org", role="privacy_officer")
    response = staff.get("/en/staff/requests/report.csv?year=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["group"] for r in rows] == ["track 1", "track 2", "track 3", "accounting", "amendment"]
    assert staff.get("/en/staff/requests/report.csv?year=1800").status_code == 400
    assert ana.get("/en/staff/requests/report.csv").status_code == 404


def test_staff_estimate_fees_and_nothing_is_charged_when_the_agency_is_late(ana, make_account, session):
    from datetime import UTC, datetime, timedelta

    import time_machine


    filed = file(ana).headers["Location"]
    path = f"/en/staff/requests/{filed.rsplit('/', 1)[1]}"
    staff = make_account("po@example.org", role="privacy_officer")

    def estimate(client, **values):
        data = {"csrf_token": csrf(client, path), "search_hours": "3", "review_hours": "1", "pages": "150"}
        data.update(values)
        return client.post(path + "/fees", data=data)

    assert estimate(staff, search_hours="-1").status_code == 400
    assert estimate(staff, pages="many").status_code == 400
    assert estimate(staff).status_code == 302
    # "Everyone else": 1 hour of search past the free 2 (4 x $7) and 50 pages past the free 100.
    assert "Estimated fee: $33" in ana.get(filed).get_data(as_text=True)
    session.commit()
    request = session.exec(select(PrivacyRequest)).one()
    late = datetime.combine(request.due_on + timedelta(days=3), datetime.min.time(), UTC) + timedelta(hours=15)
    with time_machine.travel(late, tick=False):
        late_staff = make_account("po-late@example.org", role="privacy_officer")
        assert estimate(late_staff).status_code == 302
        sign_in(ana)
        assert "No fee: the agency is past its deadline." in ana.get(filed).get_data(as_text=True)
