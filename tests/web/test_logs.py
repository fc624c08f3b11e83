"""Application logs are JSON lines and never carry names, A-numbers, receipt numbers or tokens."""

import json
import logging

from portal.logs import JsonFormatter
from tests.factories import case_event

CANARIES = {
    "receipt": "EAC2190031337",
    "given": "Canaryname",
    "family": "Canaryfamily",
    "a_number": "A087654321",
    "code": "CANARY-CODE-77",
}


def test_account_flows_log_without_personal_data(client, app, caplog, capsys, outbox):
    from tests.helpers import csrf, link_in, sign_in

    caplog.set_level(logging.INFO, logger="portal")
    email, password = "canary.person@example.org", "canary secret passphrase"
    client.post("/en/account/register", data={"csrf_token": csrf(client, "/en/account/register"), "email": email,
                                              "password": password, "confirm": password, "language": "en"})
    path = link_in(outbox()[-1]).replace("http://127.0.0.1:5000", "")
    client.post(path, data={"csrf_token": csrf(client, path)})
    sign_in(client, email=email, password="wrong " + password)
    sign_in(client, email=email, password=password)
    client.post("/en/cases/link", data={"csrf_token": csrf(client, "/en/cases/link"),
                                        "receipt_number": CANARIES["receipt"], "access_code": CANARIES["code"]})
    events = [json.loads(JsonFormatter().format(r))["event"] for r in caplog.records]
    assert {"registration", "sign-in failed", "sign-in", "case link refused"} <= set(events)
    captured = capsys.readouterr()
    everything = "\n".join(JsonFormatter().format(r) for r in caplog.records) + captured.out + captured.err
    for canary in (email, password, "canary.person", CANARIES["receipt"], CANARIES["code"]):
        assert canary not in everything, canary


def test_main_flows_log_without_personal_data(client, post_events, uscis_token, caplog, capsys):
    caplog.set_level(logging.INFO, logger="portal")
    event = case_event(receipt_number=CANARIES["receipt"], office="VSC", parties=[{
        "role": "applicant", "given_name": CANARIES["given"], "family_name": CANARIES["family"],
        "a_number": CANARIES["a_number"], "access_code": CANARIES["code"]}])
    post_events([event])
    post_events([dict(event, event_id="bad", status="nope")])  # rejected, with the same PII
    client.post("/api/v1/case-events", json={"events": []}, headers={"Authorization": "Bearer wrong"})
    client.post("/en/status", data={"receipt_number": CANARIES["receipt"]})
    client.post("/en/status", data={"receipt_number": CANARIES["given"]})

    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any(json.loads(line)["event"] == "ingest batch" for line in lines)
    assert any(json.loads(line)["event"] == "api authentication failed" for line in lines)
    captured = capsys.readouterr()
    everything = "\n".join(lines) + captured.out + captured.err
    for canary in [*CANARIES.values(), uscis_token, "wrong"]:
        assert canary not in everything, canary
