"""The `portal` command group."""

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
    assert "Demo data stored" in first.output and "400 demo cases" in first.output
    second = runner.invoke(main, ["demo"])
    assert "nothing new stored" in second.output
    receipt = first.output.split("lookup:")[1].split()[0]
    page = app.test_client().post("/en/status", data={"receipt_number": receipt})
    assert page.status_code == 200


def test_bench_data_writes_deterministic_cases(app):
    from portal.benchdata import bench_receipt_number

    result = app.test_cli_runner().invoke(main, ["bench-data", "--cases", "50", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("50 cases and ")
    page = app.test_client().post("/en/status", data={"receipt_number": bench_receipt_number(49)})
    assert page.status_code == 200
