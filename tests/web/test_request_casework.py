"""Working a privacy request beyond its status: a representative filing with a client's uploaded
consent (checked by staff before any search), the expedite decision, referrals to other agencies
under their own tracking numbers, records withheld with their exemption, the fee the requester
agrees to, reply templates in the requester's language, assignment and the queue's filters, and
the acknowledgement, extension and closing letters as PDFs read back."""

import csv
import io
import re

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal import i18n
from portal.core.models import PrivacyRequest, User
from tests.helpers import csrf
from tests.web.test_privacy_requests import NEW, ana, file  # noqa: F401 (the fixture)

CONSENT_PDF = b"%PDF-1.7\nsigned consent\n%%EOF"


def staff_path(filed):
    return "/en/staff/requests/" + filed.rsplit("/", 1)[1]


def post(client, path, action, **data):
    return client.post(path + action, data={"csrf_token": csrf(client, path), **data})


def pdf_text(data):
    """The text, with line breaks made spaces (a sentence may wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def letter_pdfs(client, filed):
    """The letters listed on the requester's page, downloaded as PDFs (name, text)."""
    page = client.get(filed).get_data(as_text=True)
    found = []
    for path, name in re.findall(r'href="(/\w+/documents/[0-9a-f]{32})">([^<]+)</a>', page):
        pdf = client.get(path + "/file")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        found.append((name, pdf_text(pdf.data)))
    return found


@pytest.fixture
def staff(make_account):
    return make_account("po@example.org", role="privacy_officer")


@pytest.fixture
def supervisor(make_account):
    return make_account("sup@example.org", role="supervisor")


def file_with_consent(rep, **fields):
    data = {"on_behalf": "consent", "consent_name": "Ana Example", "consent_identifier": "MSC2190000001",
            "consent_file": (io.BytesIO(CONSENT_PDF), "consent.pdf"), "declaration_name": "Rita Rep",
            "kind": "accounting"}
    data.update(fields)
    return rep.post(NEW, data={"csrf_token": csrf(rep, NEW), "submission_key": re.search(
        r'name="submission_key"[^>]*value="([^"]+)"', rep.get(NEW).get_data(as_text=True)).group(1),
        "description": "Who received my records", "track": "1", "fee_category": "other", "declaration": "y",
        **{k: v for k, v in data.items() if v is not None}}, content_type="multipart/form-data")


def test_a_representative_files_with_an_uploaded_consent_that_staff_check_first(
        ana, make_representative, staff, session):  # noqa: F811
    rep = make_representative("rep@law.example")
    assert "Someone else, who signed a consent I attach" in rep.get(NEW).get_data(as_text=True)
    missing = file_with_consent(rep, consent_file=None, consent_name="")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "Attach the signed consent." in html
    assert "Type the name of the person who signed the consent." in html
    renamed = file_with_consent(rep, consent_file=(io.BytesIO(b"MZ\x90\x00 program"), "consent.pdf"))
    assert renamed.status_code == 400 and "Only PDF, JPEG and PNG" in renamed.get_data(as_text=True)
    assert session.exec(select(PrivacyRequest)).all() == []  # nothing filed by a refused form
    unverified = make_representative("new@law.example", verified=False)
    assert file_with_consent(unverified).status_code == 400  # not a representative yet: no such choice
    filed = file_with_consent(rep)
    assert filed.status_code == 302
    location = filed.headers["Location"]
    path = staff_path(location)
    page = staff.get(path).get_data(as_text=True)
    assert "Ana Example · MSC2190000001" in page and "consent not checked yet" in page
    assert "Signed consent" in page
    # Nobody's records are touched before the consent is checked: no read in Ana's log, no search.
    assert "A member of this portal" not in ana.get("/en/log/?agency=PORTAL").get_data(as_text=True)
    assert post(staff, path, "/move", to_status="acknowledged").status_code == 302
    assert post(staff, path, "/move", to_status="in_process").status_code == 400
    assert post(staff, path, "/move", to_status="propose:completed_full").status_code == 400
    wrong = post(staff, path, "/consent", receipt_number="MSC2199999999", party_role="applicant")
    assert wrong.status_code == 400 and "No case has this receipt number." in wrong.get_data(as_text=True)
    assert post(staff, path, "/consent", receipt_number="MSC2190000001", party_role="applicant").status_code == 302
    assert post(staff, path, "/move", to_status="in_process").status_code == 302
    assert "consent checked on" in staff.get(path).get_data(as_text=True)
    # Now the request is about Ana's records: she follows it, and staff reads show in her log.
    assert location in ana.get("/en/requests/").get_data(as_text=True)
    assert "A member of this portal" in ana.get("/en/log/?agency=PORTAL").get_data(as_text=True)


def test_a_consent_about_a_protected_case_is_checked_by_a_supervisor(
        make_representative, staff, supervisor, post_events):
    from tests.factories import case_event

    post_events([case_event(receipt_number="MSC2190000077", form_type="I-360", status="case_received",
                            office="VSC", occurred_at="2025-01-10T14:00:00Z", protected=True,
                            parties=[{"role": "applicant", "a_number": "A012345699", "access_code": "VAWA-1"}])])
    rep = make_representative("rep@law.example")
    path = staff_path(file_with_consent(rep, consent_identifier="MSC2190000077").headers["Location"])
    refused = post(staff, path, "/consent", receipt_number="MSC2190000077", party_role="applicant")
    assert refused.status_code == 403 and "a supervisor checks the consent" in refused.get_data(as_text=True)
    assert post(supervisor, path, "/consent", receipt_number="MSC2190000077",
                party_role="applicant").status_code == 302


def test_expedite_referrals_withheld_records_and_the_letters_in_two_languages(
        ana, staff, supervisor, session):  # noqa: F811
    user = session.exec(select(User).where(User.email == "ana@example.org")).one()
    user.preferred_language = "es"
    session.add(user)
    session.commit()
    filed = file(ana, expedite="y", expedite_statement="My hearing is next month.").headers["Location"]
    path = staff_path(filed)
    assert "Expedite: decide by" in staff.get("/en/staff/requests/").get_data(as_text=True)
    refused = post(staff, path, "/expedite", decision="denied", reason="")
    assert refused.status_code == 400 and "Give the reason for refusing." in refused.get_data(as_text=True)
    assert post(staff, path, "/expedite", decision="granted", reason="A hearing is set.").status_code == 302
    assert post(staff, path, "/expedite", decision="denied", reason="Changed my mind").status_code == 409
    assert "Granted: your request is handled before others." in ana.get(
        filed.replace("/es/", "/en/")).get_data(as_text=True)
    assert post(staff, path, "/move", to_status="acknowledged").status_code == 302
    assert post(staff, path, "/referrals", agency="ICE", tracking_number="", scope="").status_code == 400
    assert post(staff, path, "/referrals", agency="NSA", tracking_number="X-1", scope="").status_code == 400
    assert post(staff, path, "/referrals", agency="ICE", tracking_number="2026-ICFO-01234",
                scope="The I-213 and detention records").status_code == 302
    referral_id = re.search(r"/referrals/(\d+)", staff.get(path).get_data(as_text=True)).group(1)
    assert post(staff, path, f"/referrals/{referral_id}", status="completed").status_code == 302
    assert post(staff, path, "/referrals/999999", status="completed").status_code == 404
    assert post(staff, path, "/withheld", description="Interview notes", pages="3",
                exemption="b99").status_code == 400
    assert post(staff, path, "/withheld", description="Interview notes of 2019", pages="3",
                exemption="b7C").status_code == 302
    mine = ana.get(filed.replace("/es/", "/en/")).get_data(as_text=True)
    assert "2026-ICFO-01234" in mine and "Answered by that agency" in mine
    assert "Interview notes of 2019" in mine and "5 U.S.C. 552(b)(7)(C)" in mine
    assert "the privacy of people named in law enforcement records" in mine
    assert post(staff, path, "/move", to_status="propose:completed_partial",
                note="Released with redactions.").status_code == 302
    assert post(supervisor, path, "/approve").status_code == 302
    letters = dict(letter_pdfs(ana, filed.replace("/es/", "/en/")))
    assert set(letters) == {"Acknowledgement letter", "Closing letter"}
    acknowledgement, closing = letters["Acknowledgement letter"], letters["Closing letter"]
    number = session.exec(select(PrivacyRequest)).one().tracking_number
    # In Spanish first, then the English text, which is authoritative.
    spanish = i18n.translations_for("es").ugettext("Acknowledgement of your privacy request")
    assert spanish != "Acknowledgement of your privacy request" and spanish in acknowledgement
    assert "English text (authoritative)" in acknowledgement and number in acknowledgement
    assert "20 working days" in acknowledgement
    assert "2026-ICFO-01234" in closing and "552(b)(7)(C)" in closing and "Interview notes of 2019" in closing
    assert "Released with redactions." in closing and "You may appeal this decision until" in closing
    # The annual report counts the exemption once, for track 2.
    rows = list(csv.DictReader(io.StringIO(staff.get("/en/staff/requests/report.csv?year=2027").get_data(
        as_text=True)))) + list(csv.DictReader(io.StringIO(staff.get(
            "/en/staff/requests/report.csv?year=2026").get_data(as_text=True))))
    used = {(r["fiscal_year"], r["group"]): r["exemption 5 U.S.C. 552(b)(7)(C)"] for r in rows}
    assert sorted(used.values()).count("1") == 1
    assert [key for key, value in used.items() if value == "1"][0][1] == "track 2"
    # Staff read the same letters from the request's page.
    staff_letters = re.findall(r'href="(/en/staff/requests/[0-9a-f]{32}/letters/[0-9a-f]{32})"',
                               staff.get(path).get_data(as_text=True))
    assert len(staff_letters) == 2 and staff.get(staff_letters[0]).mimetype == "application/pdf"


def test_an_extension_letter_gives_the_reason_and_the_new_date(ana, staff):  # noqa: F811
    filed = file(ana).headers["Location"]
    path = staff_path(filed)
    post(staff, path, "/move", to_status="acknowledged")
    assert post(staff, path, "/move", to_status="extended",
                note="The records are in 3 field offices.").status_code == 302
    letters = dict(letter_pdfs(ana, filed))
    assert "The records are in 3 field offices." in letters["Extension letter"]
    assert "we need 10 more working days" in letters["Extension letter"]
    assert "English text (authoritative)" not in letters["Extension letter"]  # English only: one text


def test_work_waits_for_the_requester_to_agree_to_the_fee(ana, staff):  # noqa: F811
    filed = file(ana).headers["Location"]
    path = staff_path(filed)
    post(staff, path, "/move", to_status="acknowledged")
    post(staff, path, "/fees", search_hours="3", review_hours="1", pages="150")
    assert post(staff, path, "/move", to_status="propose:completed_full").status_code == 400
    assert "Waiting for the requester to agree to the fee" in staff.get(path).get_data(as_text=True)
    assert "I agree to pay the estimated fee" in ana.get(filed).get_data(as_text=True)
    assert post(ana, filed, "/fee").status_code == 302
    assert "You agreed to pay the fee" in ana.get(filed).get_data(as_text=True)
    assert post(ana, filed, "/fee").status_code == 302  # nothing left to agree to: told, not an error
    assert post(staff, path, "/move", to_status="propose:completed_full").status_code == 302


def test_a_reply_template_is_sent_in_the_requesters_language(ana, staff, session):  # noqa: F811
    user = session.exec(select(User).where(User.email == "ana@example.org")).one()
    user.preferred_language = "ar"
    session.add(user)
    session.commit()
    filed = file(ana).headers["Location"]
    path = staff_path(filed)
    empty = post(staff, path, "/message", template="", text="")
    assert empty.status_code == 400 and "Write a message or choose a template." in empty.get_data(as_text=True)
    assert post(staff, path, "/message", template="nonsense", text="").status_code == 400
    assert post(staff, path, "/message", template="identity", text="Thank you.").status_code == 302
    english = ("To find your records we need proof of your identity. Please attach a copy of an identity "
               "document with your photo on this request's page.")
    arabic = i18n.translations_for("ar").ugettext(english)
    assert arabic != english
    page = ana.get(filed).get_data(as_text=True)
    assert arabic.replace("'", "&#39;") in page and "Thank you." in page


def test_assignment_and_the_queues_filters(ana, staff, supervisor, session):  # noqa: F811
    first = staff_path(file(ana).headers["Location"])
    second = staff_path(file(ana, kind="accounting").headers["Location"])
    staff_id = session.exec(select(User).where(User.email == "po@example.org")).one().id
    assert post(staff, first, "/assign", assignee=str(staff_id)).status_code == 302
    assert post(staff, first, "/assign", assignee="999999").status_code == 400
    assert "Assigned to" in staff.get(first).get_data(as_text=True)
    mine = staff.get("/en/staff/requests/?mine=1").get_data(as_text=True)
    assert first in mine and second not in mine
    track_2 = staff.get("/en/staff/requests/?track=2").get_data(as_text=True)
    assert first in track_2 and second not in track_2
    assert first not in staff.get("/en/staff/requests/?due=0").get_data(as_text=True)  # nothing overdue
    lenient = staff.get("/en/staff/requests/?track=9&due=abc&kind=x")
    assert lenient.status_code == 200 and first in lenient.get_data(as_text=True)
    # The requester never sees who works on the request.
    assert "po@example.org" not in ana.get(first.replace("/staff/requests/", "/requests/")).get_data(as_text=True)


def test_every_request_action_needs_its_csrf_token_and_logs_no_personal_data(
        app, ana, make_representative, staff, supervisor, session, caplog):  # noqa: F811
    import json
    import logging

    from portal.core.models import RequestEvent
    from portal.logs import JsonFormatter

    caplog.set_level(logging.INFO, logger="portal")
    filed = file(ana).headers["Location"]
    public_id = filed.rsplit("/", 1)[1]
    rep = make_representative("rep@law.example")
    consent = file_with_consent(rep, consent_name="Canary Person", consent_identifier="MSC2190000001")
    assert consent.status_code == 302
    before = len(session.exec(select(RequestEvent)).all())
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("requests.", "staff_requests.")) or "POST" not in rule.methods:
            continue
        client = staff if rule.endpoint.startswith("staff_") else ana
        path = re.sub(r"<any\([^)]*\):lang_code>", "en", rule.rule).replace("<public_id>", public_id)
        path = re.sub(r"<(int:)?\w+>", "1", path)
        response = client.post(path, data={"to_status": "acknowledged", "text": "x", "template": "working",
                                           "decision": "granted", "agency": "ICE", "tracking_number": "X-1",
                                           "description": "x", "pages": "1", "exemption": "b6", "status": "closed",
                                           "receipt_number": "MSC2190000001", "party_role": "applicant"})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        checked.append(rule.endpoint)
    assert {"staff_requests.refer", "staff_requests.withhold", "staff_requests.consent", "staff_requests.expedite",
            "staff_requests.assign", "requests.accept_fee", "requests.new"} <= set(checked)
    session.expire_all()
    assert len(session.exec(select(RequestEvent)).all()) == before  # nothing happened
    path = staff_path(filed)
    post(staff, path, "/referrals", agency="ICE", tracking_number="2026-ICFO-1", scope="")
    post(staff, path, "/withheld", description="Notes about Canary Person", pages="1", exemption="b6")
    post(staff, staff_path(consent.headers["Location"]), "/consent", receipt_number="MSC2190000001",
         party_role="applicant")
    events = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    assert {"privacy request referred", "privacy request record withheld",
            "privacy request consent verified"} <= {e["event"] for e in events}
    logged = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    for canary in ("Canary Person", "MSC2190000001", "Notes about", "2026-ICFO-1"):
        assert canary not in logged, canary
