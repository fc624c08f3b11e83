"""security.md, Reliability: kill -9 the server in the middle of ingest, restart; the SQLite file
is intact and every acknowledged event is stored exactly once (WAL, synchronous=FULL)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

from portal import migrate
from portal.core.ingest import create_api_client
from portal.db import make_engine
from tests.conftest import PROJECT_ROOT
from tests.factories import case_event

GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2", "portal.wsgi:app"],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
            return process
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gunicorn did not start")


def _post(port: int, token: str, events: list[dict]) -> dict | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/case-events", data=json.dumps({"events": events}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except (OSError, urllib.error.HTTPError, json.JSONDecodeError):
        return None  # the server died under us: not acknowledged


def test_kill_9_during_ingest_loses_no_acknowledged_event(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        _, token = create_api_client(session, "USCIS", "kill test")
    engine.dispose()
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_DIR=str(tmp_path / "instance"),
               PORTAL_SECURE_COOKIES="false")
    port = _free_port()
    server = _start(port, env)

    acknowledged: list[str] = []
    stop = threading.Event()

    def feed(worker: int) -> None:
        batch_number = 0
        while not stop.is_set():
            batch_number += 1
            events = [case_event(event_id=f"w{worker}-b{batch_number}-{i}",
                                 receipt_number=f"MSC{worker}{batch_number:05d}{i:04d}")
                      for i in range(50)]
            outcome = _post(port, token, events)
            if outcome is not None:
                acknowledged.extend(outcome["accepted"])

    feeders = [threading.Thread(target=feed, args=(w,)) for w in (1, 2)]
    for thread in feeders:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # the arbiter and its workers, mid-write
    server.wait()
    stop.set()
    for thread in feeders:
        thread.join()
    assert len(acknowledged) >= 300

    restarted = _start(port, env)
    try:
        check = create_engine(url)
        with check.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            stored = [row[0] for row in connection.execute(
                text("SELECT event_id FROM ingested_event WHERE endpoint = 'case-events'"))]
        check.dispose()
        assert len(stored) == len(set(stored))  # nothing twice
        assert set(acknowledged) <= set(stored)  # nothing acknowledged is lost
        # and the restarted server takes new events on the same file
        after = _post(port, token, [case_event(event_id="after-restart",
                                               receipt_number="MSC9999999999")])
        assert after == {"accepted": ["after-restart"], "duplicates": [], "rejected": []}
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait()
