"""The access matrix (security.md 8.2.2): every route that takes an id, tried by every kind of
party. The right party gets 200 (so the ids are real); every wrong party gets 404, never 403."""

import io
import re

import pytest

from portal.core.ingest import create_api_client
from tests.factories import access_event
from tests.helpers import csrf, link

ACTORS = ["anonymous", "applicant_a", "applicant_b", "petitioner", "rep_with_g28", "rep_without",
          "rep_withdrawn", "rep_unverified", "staff", "supervisor", "admin"]


def g28(receipt, email, action="filed", party_role="beneficiary"):
    return {"event_id": f"{email}-{action}", "receipt_number": receipt, "party_role": party_role,
            "representative": {"email": email, "bar_number": "1", "bar_state": "NY"}, "action": action,
            "effective_on": "2025-02-01"}


@pytest.fixture
def world(app, session, make_account, make_representative, post_events, i130):
    clients = {"anonymous": app.test_client()}
    clients["applicant_a"] = make_account("a@example.org")  # the beneficiary of the I-130
    beneficiary_link = link(clients["applicant_a"], i130, "BENEFICIARY-1").headers["Location"]
    clients["applicant_b"] = make_account("b@example.org")
    clients["petitioner"] = make_account("p@example.org")
    link(clients["petitioner"], i130, "PETITIONER-1")
    clients["rep_with_g28"] = make_representative("with@law.example")
    clients["rep_without"] = make_representative("without@law.example")
    clients["rep_withdrawn"] = make_representative("gone@law.example")
    clients["rep_unverified"] = make_representative("unverified@law.example", verified=False)
    clients["staff"] = make_account("po@example.org", role="privacy_officer")
    clients["supervisor"] = make_account("sup@example.org", role="supervisor")
    clients["admin"] = make_account("admin@example.org", role="admin")
    post_events([g28(i130, "with@law.example"), g28(i130, "gone@law.example"),
                 g28(i130, "unverified@law.example")], endpoint="representations")
    page = clients["rep_with_g28"].get("/en/representatives/clients/").get_data(as_text=True)
    rep_path = next(p for p in page.split('"') if p.startswith("/en/representatives/clients/") and len(p) > 40)
    assert clients["rep_withdrawn"].get(rep_path).status_code == 404  # another representation's id
    gone_page = clients["rep_withdrawn"].get("/en/representatives/clients/").get_data(as_text=True)
    gone_path = next(p for p in gone_page.split('"') if p.startswith("/en/representatives/clients/") and len(p) > 40)
    assert clients["rep_withdrawn"].get(gone_path).status_code == 200  # until the withdrawal below
    post_events([g28(i130, "gone@law.example", action="withdrawn")], endpoint="representations")
    post_events([g28("WAC2199999999", "x@law.example")], endpoint="representations")  # a rejected event
    rejected_page = clients["admin"].get("/en/staff/rejected").get_data(as_text=True)
    rejected_path = next(p for p in rejected_page.split('"') if p.startswith("/en/staff/rejected/"))
    post_events([access_event(subject={"receipt_number": i130})], endpoint="access-events",
                token=create_api_client(session, "ICE", "ICE feed")[1])
    log_page = clients["applicant_a"].get("/en/log/").get_data(as_text=True)
    wrong_path = next(p for p in log_page.split('"') if p.endswith("/wrong"))
    client_log = rep_path.replace("/en/representatives/clients/", "/en/log/client/") + "/"
    withdrawn_log = gone_path.replace("/en/representatives/clients/", "/en/log/client/") + "/"
    document = clients["applicant_a"].post("/en/documents/", data={
        "csrf_token": csrf(clients["applicant_a"], "/en/documents/"), "kind": "case_summary", "language": "en"})
    document_path = document.headers["Location"]

    def file_request(who, **fields):
        new_request = clients[who].get("/en/requests/new").get_data(as_text=True)
        data = {"csrf_token": csrf(clients[who], "/en/requests/new"), "kind": "accounting",
                "submission_key": re.search(r'name="submission_key"[^>]*value="([^"]+)"', new_request).group(1),
                "description": "All of it", "track": "1", "fee_category": "other", "declaration_name": "A",
                "declaration": "y", **fields}
        filed = clients[who].post("/en/requests/new", data=data, content_type="multipart/form-data")
        assert filed.status_code == 302, filed.get_data(as_text=True)
        return filed.headers["Location"]

    request_path = file_request("applicant_a")
    client_id = re.search(r'<option value="([0-9a-f]{32})">I-130', clients["rep_with_g28"].get(
        "/en/requests/new").get_data(as_text=True)).group(1)
    rep_request = file_request("rep_with_g28", on_behalf=client_id, representative_declaration="y")
    consent_request = file_request("rep_without", on_behalf="consent", consent_name="A", consent_identifier=i130,
                                   consent_file=(io.BytesIO(b"%PDF-1.7\nconsent\n%%EOF"), "consent.pdf"))
    consent_file = re.search(r'href="(/en/requests/[0-9a-f]{32}/files/[0-9a-f]{32})"', clients["rep_without"].get(
        consent_request).get_data(as_text=True)).group(1)
    staff_path = request_path.replace("/en/requests/", "/en/staff/requests/")
    clients["staff"].post(staff_path + "/move", data={"csrf_token": csrf(clients["staff"], staff_path),
                                                      "to_status": "acknowledged"})
    letter = re.search(r'href="(/en/documents/[0-9a-f]{32})"', clients["applicant_a"].get(
        request_path).get_data(as_text=True)).group(1)
    staff_letter = re.search(r'href="(/en/staff/requests/[0-9a-f]{32}/letters/[0-9a-f]{32})"', clients["staff"].get(
        staff_path).get_data(as_text=True)).group(1)
    access_page = clients["applicant_a"].get("/en/access/").get_data(as_text=True)
    revoke_path = next(p for p in access_page.split('"') if p.endswith("/revoke"))
    return clients, {"case": beneficiary_link, "client_case": rep_path, "withdrawn_case": gone_path,
                     "rejected_event": rejected_path, "revoke": revoke_path, "wrong": wrong_path,
                     "client_log": client_log, "client_log_chart": client_log + "summary.svg",
                     "client_log_export": client_log + "export.json", "withdrawn_log": withdrawn_log,
                     "document": document_path, "document_file": document_path + "/file",
                     "request": request_path, "rep_request": rep_request, "consent_request": consent_request,
                     "consent_file": consent_file, "letter": letter, "letter_file": letter + "/file",
                     "staff_letter": staff_letter,
                     "staff_request": staff_path,
                     "staff_consent_file": consent_file.replace("/en/requests/", "/en/staff/requests/")}


ALLOWED = {
    "case": {"applicant_a"},
    "client_case": {"rep_with_g28"},
    "withdrawn_case": set(),  # withdrawn a moment ago: nobody, its representative included
    "rejected_event": {"staff", "supervisor", "admin"},
    "revoke": {"applicant_a"},
    "wrong": {"applicant_a"},  # an entry of the beneficiary's access log
    "client_log": {"rep_with_g28"},
    "client_log_chart": {"rep_with_g28"},
    "client_log_export": {"rep_with_g28"},
    "withdrawn_log": set(),
    "document": {"applicant_a"},  # a PDF of the beneficiary's case
    "document_file": {"applicant_a"},
    "request": {"applicant_a"},  # a privacy request: its requester
    "rep_request": {"rep_with_g28", "applicant_a"},  # filed by her representative, followed by her
    "consent_request": {"rep_without"},  # filed with a consent nobody has checked yet
    "consent_file": {"rep_without"},
    "letter": {"applicant_a"},  # the acknowledgement letter, a document of the requester's
    "letter_file": {"applicant_a"},
    "staff_letter": {"staff", "supervisor", "admin"},
    "staff_request": {"staff", "supervisor", "admin"},  # and the back office
    "staff_consent_file": {"staff", "supervisor", "admin"},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_every_id_route_answers_only_its_party(world, actor):
    clients, paths = world
    client = clients[actor]
    for name, path in paths.items():
        if name == "revoke":
            token = csrf(client, "/en/account/login" if actor == "anonymous" else "/en/account/settings/")
            response = client.post(path, data={"csrf_token": token})
            expected = 302 if actor in ALLOWED[name] or actor == "anonymous" else 404
        else:
            response = client.get(path)
            expected = 200 if actor in ALLOWED[name] else (302 if actor == "anonymous" else 404)
        assert response.status_code == expected, (actor, name, response.status_code)
        if actor == "anonymous":
            assert "/account/login" in response.headers["Location"]
