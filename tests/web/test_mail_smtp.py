"""Mail over a real SMTP exchange (aiosmtpd as the server), in the account's language."""

import re

import pytest

from portal import create_app
from tests.helpers import PASSWORD, csrf


@pytest.mark.parametrize("language", ["en", "es"])
def test_confirmation_mail_goes_through_smtp_in_the_accounts_language(app, settings, smtp_sink, language):
    sink, url = smtp_sink
    client = create_app(settings.with_overrides(smtp_url=url)).test_client()
    client.post(f"/{language}/account/register", data={
        "csrf_token": csrf(client, f"/{language}/account/register"), "email": "luz@example.org",
        "password": PASSWORD, "confirm": PASSWORD, "language": language})
    ((recipients, message),) = sink.messages
    assert recipients == ["luz@example.org"]
    assert message["Content-Language"] == language
    assert f"/{language}/account/confirm/" in message.get_content()
    if language == "es":
        assert message["Subject"] != "Confirm your e-mail address"
        assert re.search(r"[áéíóúñ]", message.get_content())


def test_reset_alert_and_new_access_mails_go_through_smtp_in_spanish(app, settings, session, smtp_sink,
                                                                     post_events, uscis_token):
    from datetime import UTC, datetime

    from portal.core.accounts import create_confirmed_user, link_case
    from tests.factories import case_event

    sink, url = smtp_sink
    smtp_app = create_app(settings.with_overrides(smtp_url=url))
    user = create_confirmed_user(session, "luz@example.org", PASSWORD, "applicant",
                                 smtp_app.extensions["portal.hasher"], datetime.now(UTC), language="es")
    client = smtp_app.test_client()
    client.post("/es/account/reset", data={"csrf_token": csrf(client, "/es/account/reset"),
                                           "email": "luz@example.org"})
    headers = {"Authorization": f"Bearer {uscis_token}"}
    client.post("/api/v1/case-events", headers=headers, json={"events": [case_event(
        receipt_number="IOE2190000888", form_type="I-765", office="ELIS",
        parties=[{"role": "applicant", "access_code": "LUZ-CODE-1"}])]})
    session.commit()
    link_case(session, user, "IOE2190000888", "LUZ-CODE-1", "test", datetime.now(UTC))
    client.post("/api/v1/case-events", headers=headers, json={"events": [case_event(
        receipt_number="IOE2190000888", form_type="I-765", office="ELIS", status="rfe_sent",
        occurred_at="2025-03-01T00:00:00Z")]})
    client.post("/api/v1/representations", headers=headers, json={"events": [{
        "event_id": "g28-luz", "receipt_number": "IOE2190000888", "party_role": "applicant",
        "representative": {"email": "rita@law.example"}, "action": "filed", "effective_on": "2025-03-02"}]})
    subjects = [message["Subject"] for _, message in sink.messages]
    assert len(subjects) == 3
    assert all(message["Content-Language"] == "es" for _, message in sink.messages)
    assert all(re.search(r"[áéíóúñ¿]", s + m.get_content()) for s, (_, m) in zip(subjects, sink.messages, strict=True))
    assert "/es/account/reset/" in sink.messages[0][1].get_content()
    assert "/es/cases/" in sink.messages[1][1].get_content()
    assert "/es/access/" in sink.messages[2][1].get_content()
