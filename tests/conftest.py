"""Fixtures: the app on a real database. Every test that uses `app` runs on SQLite and, when
PORTAL_TEST_DATABASE_URL is set (CI sets it), again on that database (PostgreSQL)."""

from __future__ import annotations

import os
import socket
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from portal import create_app, migrate
from portal.core.ingest import create_api_client
from portal.db import make_engine
from portal.settings import Settings

os.environ.setdefault("PORTAL_INSTANCE_DIR", "/tmp/portal-test-instance")

from portal import jobs  # noqa: E402

jobs.huey.immediate = True  # tasks (mail) run in-line, in the test's process

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("PORTAL_TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory) -> dict[str, str]:
    """One migrated database per kind for the whole run; tests empty it before they start."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"}
    if "postgresql" in DATABASES:
        urls["postgresql"] = os.environ["PORTAL_TEST_DATABASE_URL"]
        reset_schema(urls["postgresql"])
    for url in urls.values():
        migrate.upgrade(url)
    return urls


def reset_schema(url: str) -> None:
    """Drop every table (and Alembic's record) so that migrations start from empty."""
    engine = make_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            SQLModel.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def empty_tables(engine) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(params=DATABASES)
def database_url(request, migrated_databases) -> str:
    return migrated_databases[request.param]


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        instance_dir=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret-key-not-for-production",
        secure_cookies=False,
        lookup_rate_limit="1000/minute",
        testing=True,
    )


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    engine = app.extensions["portal.engine"]
    empty_tables(engine)
    yield app
    engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def engine(app):
    return app.extensions["portal.engine"]


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def uscis_token(session) -> str:
    return create_api_client(session, "USCIS", "test USCIS system")[1]


@pytest.fixture
def post_events(client, uscis_token, session):
    """POST a batch to an ingest endpoint as the USCIS test client; returns the response.

    The test's own session is committed afterwards, so its next read sees what the post stored.
    """

    def post(events, endpoint="case-events", token=None):
        response = client.post(
            f"/api/v1/{endpoint}",
            json={"events": events},
            headers={"Authorization": f"Bearer {token or uscis_token}"},
        )
        session.commit()
        return response

    return post


PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def outbox(settings):
    """The .eml files the app wrote (no PORTAL_SMTP_URL in tests unless a test sets one)."""
    from email import message_from_bytes, policy

    def read():
        folder = settings.instance_dir / "outbox"
        files = sorted(folder.glob("*.eml")) if folder.exists() else []
        return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]

    return read


# --- a real SMTP server (aiosmtpd) that keeps what it receives ---


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
