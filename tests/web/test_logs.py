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
