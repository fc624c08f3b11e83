"""The WSGI server's own logs (gunicorn access and error logs) and the app's JSON lines, from a
real server process: the expected lines are there, and no canary personal data is."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from portal import migrate
from tests.conftest import PROJECT_ROOT
from tests.reliability.test_kill_during_ingest import _free_port

CANARY_EMAIL = "zebra.canary@example.org"
CANARY_PASSWORD = "canary passphrase zebra"
CANARY_RECEIPT = "EAC2190077777"


def test_server_logs_carry_no_personal_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    migrate.upgrade(url)
    port = _free_port()
    access_log, error_log, stderr_log = tmp_path / "access.log", tmp_path / "error.log", tmp_path / "stderr.log"
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_DIR=str(tmp_path / "instance"),
               PORTAL_SECURE_COOKIES="false")
    with open(stderr_log, "wb") as stderr:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--access-logfile", str(access_log), "--error-logfile", str(error_log), "portal.wsgi:app"],
            env=env, cwd=PROJECT_ROOT, stdout=stderr, stderr=stderr, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            for _ in range(200):
                try:
                    opener.open(base + "/en/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.05)

            def post(path, **fields):
                try:
                    return opener.open(base + path, data=urllib.parse.urlencode(fields).encode(), timeout=10)
                except urllib.error.HTTPError as error:
                    return error

            post("/en/status", receipt_number=CANARY_RECEIPT)
            page = opener.open(base + "/en/account/register", timeout=10).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            post("/en/account/register", csrf_token=token, email=CANARY_EMAIL, password=CANARY_PASSWORD,
                 confirm=CANARY_PASSWORD, language="en")
            page = opener.open(base + "/en/account/login", timeout=10).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            post("/en/account/login", csrf_token=token, email=CANARY_EMAIL, password="wrong " + CANARY_PASSWORD)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    logs = access_log.read_text() + error_log.read_text() + stderr_log.read_text()
    assert "POST /en/status" in logs and "POST /en/account/login" in logs  # the capture works
    assert '"event": "registration"' in logs and '"event": "sign-in failed"' in logs
    for canary in (CANARY_EMAIL, "zebra.canary", CANARY_PASSWORD, CANARY_RECEIPT):
        assert canary not in logs, canary
