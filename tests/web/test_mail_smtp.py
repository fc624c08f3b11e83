"""Mail over a real SMTP exchange (aiosmtpd as the server), in the account's language."""

import re
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from portal import create_app
from tests.helpers import PASSWORD, csrf


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_sink():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, f"smtp://127.0.0.1:{port}"
    controller.stop()


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
