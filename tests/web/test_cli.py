"""The `portal` command group."""

import re

from portal.cli import main
from tests.factories import case_event


def test_api_client_create_prints_a_working_token_once(app):
    result = app.test_cli_runner().invoke(main, ["api-client", "create", "--agency", "USCIS"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    response = app.test_client().post("/api/v1/case-events", json={"events": [case_event()]},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and len(response.json["accepted"]) == 1


def test_api_client_create_refuses_an_unknown_agency(app):
    result = app.test_cli_runner().invoke(main, ["api-client", "create", "--agency", "NSA"])
    assert result.exit_code != 0
    assert "NSA" in result.output


def test_ingest_rejected_lists_pending_rejections(app, post_events):
    post_events([case_event(event_id="broken-1", office="NOWHERE")])
    result = app.test_cli_runner().invoke(main, ["ingest", "rejected"])
    assert result.exit_code == 0, result.output
    assert "broken-1" in result.output and "office" in result.output
    assert "1 rejected event(s)" in result.output


def test_demo_is_idempotent_and_prints_receipt_numbers(app):
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data stored" in first.output and "460 demo cases" in first.output
    second = runner.invoke(main, ["demo"])
    assert "nothing new stored" in second.output
    receipt = first.output.split("lookup:")[1].split()[0]
    page = app.test_client().post("/en/status", data={"receipt_number": receipt})
    assert page.status_code == 200
    # The demo applicant's access log shows one of everything it explains.
    from portal.demo import DEMO_PASSWORD
    from tests.helpers import sign_in

    applicant = app.test_client()
    assert sign_in(applicant, "applicant@example.org", DEMO_PASSWORD).status_code == 302
    log = applicant.get("/en/log/").get_data(as_text=True)
    for text in ("Entries withheld for now", "they will be shown after", "with no date set",
                 "Corrected by the agency on", "Office of a U.S. Representative", "Withheld until"):
        assert text in log, text
    # ... and downloads "my record" in Spanish: a signed PDF of their case and log.
    from tests.helpers import csrf

    made = applicant.post("/es/documents/", data={"csrf_token": csrf(applicant, "/es/documents/"),
                                                  "kind": "my_record", "language": "es"})
    detail = applicant.get(made.headers["Location"]).get_data(as_text=True)
    pdf = applicant.get(made.headers["Location"] + "/file")
    assert "Descargar" in detail and pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    mine = applicant.get("/en/requests/").get_data(as_text=True)
    # Three demo privacy requests: waiting, acknowledged, and answered in part (with records withheld
    # and a referral); the attorney's, filed with a consent, waits for staff to check it.
    assert mine.count("PR-20") == 3 and "Acknowledged" in mine and "Completed: records released in part" in mine
    paths = re.findall(r'href="(/en/requests/[0-9a-f]{32})"', mine)
    pages = [applicant.get(path).get_data(as_text=True) for path in paths]
    assert any("2026-ICFO-04511" in page and "552(b)(7)(C)" in page for page in pages)
    cohort = first.output.split("Cases like mine, with enough cases to show figures: ")[1].split()[0]
    assert "cases in all" in app.test_client().get(cohort).get_data(as_text=True)


def test_bench_data_writes_deterministic_cases(app):
    from portal.benchdata import bench_receipt_number

    result = app.test_cli_runner().invoke(main, ["bench-data", "--cases", "50", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("50 cases and ")
    page = app.test_client().post("/en/status", data={"receipt_number": bench_receipt_number(49)})
    assert page.status_code == 200


def test_user_create_makes_a_confirmed_account_that_signs_in(app, monkeypatch):
    from tests.helpers import sign_in

    monkeypatch.setenv("PORTAL_PASSWORD", "officer passphrase 2026")
    result = app.test_cli_runner().invoke(
        main, ["user", "create", "--role", "privacy_officer", "--email", "po@example.org"])
    assert result.exit_code == 0, result.output
    assert "privacy_officer account" in result.output
    client = app.test_client()
    assert sign_in(client, email="po@example.org", password="officer passphrase 2026").status_code == 302


def test_user_create_refuses_a_common_password(app, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "password123")
    result = app.test_cli_runner().invoke(main, ["user", "create", "--role", "admin", "--email", "a@example.org"])
    assert result.exit_code != 0 and "common" in result.output


def test_a_newcomer_links_a_demo_case_with_a_printed_access_code(app, session):
    import re
    from datetime import UTC, datetime

    from portal.core.accounts import create_confirmed_user
    from tests.helpers import csrf, sign_in

    output = app.test_cli_runner().invoke(main, ["demo"]).output
    receipt, code = re.search(r"receipt (\w{13})  access code (\S+)", output).groups()
    create_confirmed_user(session, "new@example.org", "newcomer passphrase", "applicant",
                          app.extensions["portal.hasher"], datetime.now(UTC))
    client = app.test_client()
    sign_in(client, email="new@example.org", password="newcomer passphrase")
    response = client.post("/en/cases/link", data={"csrf_token": csrf(client, "/en/cases/link"),
                                                   "receipt_number": receipt, "access_code": code})
    assert response.status_code == 302
    assert receipt in client.get("/en/cases/").get_data(as_text=True)
