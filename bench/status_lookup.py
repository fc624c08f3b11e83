"""Benchmark: the public status lookup against a bare Flask endpoint (performance.md).

One million cases (portal bench-data), gunicorn with 2 sync workers for both apps, wrk on
loopback with random receipt numbers; every lookup must be a real 200. Prints the ratio on its
last line and exits non-zero below the target.

    python bench/status_lookup.py [--cases 1000000] [--seconds 15] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.60
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal(*args: str, env: dict) -> str:
    return subprocess.run([str(VENV_BIN / "portal"), *args], env=env, check=True,
                          capture_output=True, text=True, cwd=ROOT).stdout


def prepare_database(url: str, cases: int, env: dict) -> None:
    env = dict(env, PORTAL_DATABASE_URL=url)
    portal("db", "upgrade", env=env)
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as connection:
        have = connection.execute(text("SELECT COUNT(*) FROM \"case\"")).scalar()
    engine.dispose()
    if have < cases:
        started = time.perf_counter()
        print(f"writing {cases - have} cases ...", flush=True)
        portal("bench-data", "--cases", str(cases), env=env)  # bench cases wanted in all
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def serve(app: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--log-level", "warning", app],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # the bare app answers 405/404 there: it is up
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start")


def wrk(port: int, path: str, seconds: int, cases: int) -> float:
    env = dict(os.environ, BENCH_CASES=str(cases), BENCH_PATH=path)
    result = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(ROOT / "bench/lookup.lua"),
         f"http://127.0.0.1:{port}"], capture_output=True, text=True, env=env, check=True)
    output = result.stdout
    if "Non-2xx" in output or "Socket errors" in output or result.stderr.strip():
        raise SystemExit(f"not every request was a 200:\n{output}\n{result.stderr}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url",
                        default=f"sqlite:///{ROOT / 'bench/results/lookup-bench.db'}")
    args = parser.parse_args()
    (ROOT / "bench/results").mkdir(exist_ok=True)
    env = dict(os.environ, PORTAL_INSTANCE_DIR=str(ROOT / "bench/results/instance"),
               PORTAL_LOOKUP_RATE_LIMIT="100000000/minute", PORTAL_SECURE_COOKIES="false")
    prepare_database(args.database_url, args.cases, env)
    env["PORTAL_DATABASE_URL"] = args.database_url

    bare_port, portal_port = free_port(), free_port()
    bare = serve("bench.bare_app:app", bare_port, env)
    app = serve("portal.wsgi:app", portal_port, env)
    try:
        wrk(portal_port, "/en/status", 3, args.cases)  # warm both: imports, caches, page cache
        wrk(bare_port, "/", 3, args.cases)
        bare_rates, portal_rates = [], []
        for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
            bare_rates.append(wrk(bare_port, "/", args.seconds, args.cases))
            portal_rates.append(wrk(portal_port, "/en/status", args.seconds, args.cases))
    finally:
        bare.terminate(), app.terminate()
        bare.wait(), app.wait()
    bare_rps, portal_rps = max(bare_rates), max(portal_rates)
    ratio = portal_rps / bare_rps
    print(f"database: {args.database_url.split(':')[0]}, cases: {args.cases}")
    print(f"bare Flask: {', '.join(f'{r:.0f}' for r in bare_rates)} requests/s")
    print(f"status lookup: {', '.join(f'{r:.0f}' for r in portal_rates)} requests/s")
    print(f"ratio {ratio:.2f} (target >= {TARGET:.2f})")
    sys.exit(0 if ratio >= TARGET else 1)


if __name__ == "__main__":
    main()
