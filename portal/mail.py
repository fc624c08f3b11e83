"""Outgoing mail: SMTP when PORTAL_SMTP_URL is set, else .eml files in instance/outbox/.

Messages are built in the request (in the recipient's language) and handed to the job worker,
so a slow mail server never holds a page up.
"""

from __future__ import annotations

import smtplib
import ssl
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

FROM_ADDRESS = "Case Transparency Portal <no-reply@portal.invalid>"


def build_message(to: str, subject: str, body: str, language: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = FROM_ADDRESS
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="portal.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = language.replace("_", "-")  # after set_content, which drops Content-*
    return message


def deliver(raw_message: bytes, smtp_url: str | None, outbox: str) -> None:
    """Send one message (RFC 5322 bytes). smtp://user:pass@host:port, smtps:// for TLS."""
    if not smtp_url:
        directory = Path(outbox)
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"  # sorts in sending order
        (directory / name).write_bytes(raw_message)
        return
    url = urlsplit(smtp_url)
    port = url.port or (465 if url.scheme == "smtps" else 25)
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(url.hostname, port, context=ssl.create_default_context(), timeout=30)
    else:
        client = smtplib.SMTP(url.hostname, port, timeout=30)
    with client:
        if url.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(_parse(raw_message))


def _parse(raw_message: bytes) -> EmailMessage:
    from email import message_from_bytes, policy

    return message_from_bytes(raw_message, policy=policy.default)
