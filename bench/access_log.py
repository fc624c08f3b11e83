"""Benchmark: the applicant's access-log page against a bare Flask endpoint (performance.md).

10,000,000 access events (portal bench-data; each bench applicant has 5,000), gunicorn with 2
sync workers for both apps, wrk -t2 -c16 on loopback. Every request is a random signed-in bench
applicant (sessions made with the portal's own start_session, for a random sample of applicants)
asking for a random page: the first page or a later one (cursors taken from real "Older
entries" links), with or without filters. Every answer must be a real 200. Prints both rates,
the log page's p99 latency and the ratio on its last line; exits non-zero below the target.

    python bench/access_log.py [--events 10000000] [--seconds 15] [--database-url URL] [--profile]

--profile then requests 100 random pages in-process under cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import prepare_database  # noqa: E402
from bench.status_lookup import ROOT, free_port, serve  # noqa: E402

TARGET = 0.40
P99_LIMIT_MS = 50.0
LOG_PATH = "/en/log/"
_NEXT = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"')
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def make_sessions(url: str, env: dict, count: int, rng: random.Random) -> tuple[str, list[str]]:
    """Signed session cookies of `count` random bench applicants: (cookie name, values)."""
    os.environ.update(env, PORTAL_DATABASE_URL=url)
    from sqlmodel import select

    from portal import create_app
    from portal.benchdata import bench_applicant_email, bench_applicants_present
    from portal.core.accounts import start_session
    from portal.core.models import User
    from portal.db import get_engine, get_session
    from portal.web.auth import SESSION_KEY

    app = create_app()
    with app.app_context():
        applicants = bench_applicants_present(get_engine())
        if not applicants:
            raise SystemExit("no bench applicants in the database (portal bench-data --events N)")
        chosen = rng.sample(range(applicants), min(count, applicants))
        emails = [bench_applicant_email(index) for index in chosen]
        session = get_session()
        users = session.exec(select(User).where(User.email_key.in_(emails))).all()
        serializer = app.session_interface.get_signing_serializer(app)
        now = datetime.now(UTC)
        cookies = [serializer.dumps({SESSION_KEY: start_session(session, user, now)}) for user in users]
    return app.config["SESSION_COOKIE_NAME"], cookies


def first_pages(rng: random.Random, count: int) -> list[str]:
    """Page-one URLs: half unfiltered (with the summary), half with one or more filters."""
    from portal.benchdata import EVENTS_END, EVENTS_SPAN, bench_access_profiles
    profiles = bench_access_profiles(2026)
    agencies = sorted({p.payload["agency"] for p in profiles})
    purposes = sorted({p.payload["purpose"] for p in profiles})
    categories = sorted({c for p in profiles for c in p.payload["data_categories"]})
    start = (EVENTS_END - EVENTS_SPAN).date()
    urls = []
    for _ in range(count):
        query = {}
        if rng.random() < 0.5:
            kind = rng.choice(["agency", "purpose", "category", "dates", "agency+dates"])
            if "agency" in kind:
                query["agency"] = rng.choice(agencies)
            if kind == "purpose":
                query["purpose"] = rng.choice(purposes)
            if kind == "category":
                query["category"] = rng.choice(categories)
            if "dates" in kind:
                since = start + timedelta(days=rng.randrange(EVENTS_SPAN.days - 30))
                query["since"] = since.isoformat()
                query["until"] = min(since + timedelta(days=rng.randint(30, 700)), date.today()).isoformat()
        urls.append(LOG_PATH + ("?" + urllib.parse.urlencode(query) if query else ""))
    return urls


def collect_pages(port: int, cookie: str, cookies: list[str], rng: random.Random, chains: int) -> list[str]:
    """Real page URLs: page one for random applicants and filters, then "Older entries" followed
    a random number of times (the cursors are the portal's own)."""
    urls = []
    for start in first_pages(rng, chains):
        url, hops = start, rng.choice([0, 1, 1, 2, 3, 5, 8])
        value = rng.choice(cookies)
        for _ in range(hops + 1):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{url}",
                                             headers={"Cookie": f"{cookie}={value}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status != 200 or response.url != request.full_url:
                    raise SystemExit(f"{url} answered {response.status} at {response.url}")
                body = response.read().decode()
            urls.append(url)
            match = _NEXT.search(body)
            if match is None:
                break
            url = html.unescape(match.group(1) or match.group(2))
    return urls


def wrk(port: int, seconds: int, env: dict, path: str | None = None) -> tuple[float, float, int]:
    """(requests/s, p99 ms, answers other than 200) of wrk -t2 -c16 with bench/log.lua."""
    env = dict(env)
    if path:
        env["BENCH_PATH"] = path
    result = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(ROOT / "bench/log.lua"),
         f"http://127.0.0.1:{port}"], capture_output=True, text=True, env=env, check=True)
    output = result.stdout
    bad = re.search(r"(\d+) non-200 answers in all", result.stderr)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    if failed:
        print(f"{failed} requests failed:\n{output}{result.stderr}", file=sys.stderr, flush=True)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return rate, float(value) * _UNITS[unit], failed


def profile_pages(url: str, env: dict, cookie: str, values: list[str], paths: list[str],
                  rng: random.Random, count: int = 100) -> None:
    """`count` random pages in-process under cProfile, after `count` unprofiled ones: where a
    warm worker's time goes on a log page."""
    import cProfile
    import pstats
    import time

    os.environ.update(env, PORTAL_DATABASE_URL=url)
    from portal import create_app
    client = create_app().test_client(use_cookies=False)  # the Cookie header below, not a jar
    requests = [(rng.choice(paths), rng.choice(values)) for _ in range(count)]
    for path, value in requests:  # warm, as a worker that has served for a while (caches, pages)
        client.get(path, headers={"Cookie": f"{cookie}={value}"})
    requests = [(rng.choice(paths), rng.choice(values)) for _ in range(count)]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for path, value in requests:
        response = client.get(path, headers={"Cookie": f"{cookie}={value}"})
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"\nprofile: {count} random pages in-process in {elapsed:.2f} s "
          f"({1000 * elapsed / count:.1f} ms a page, profiler overhead included)", file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000_000, help="access events in the database")
    parser.add_argument("--sessions", type=int, default=500, help="bench applicants signed in")
    parser.add_argument("--chains", type=int, default=300, help="page-one URLs whose next links are followed")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None, help="default: a new one every run")
    parser.add_argument("--profile", action="store_true", help="then profile 100 pages in-process")
    parser.add_argument("--path", default=LOG_PATH,
                        help="only this page (no filters, no cursors), e.g. /en/cases/ while the log page is missing")
    parser.add_argument("--database-url",
                        default=f"sqlite:///{ROOT / 'bench/results/access-bench.db'}")
    args = parser.parse_args()
    (ROOT / "bench/results").mkdir(exist_ok=True)
    env = dict(os.environ, PORTAL_INSTANCE_DIR=str(ROOT / "bench/results/instance"),
               PORTAL_SECURE_COOKIES="false")  # plain http: the cookie is "session", not "__Host-"
    prepare_database(args.database_url, args.events, env)
    env["PORTAL_DATABASE_URL"] = args.database_url
    rng = random.Random(args.seed if args.seed is not None else random.randrange(1 << 30))
    cookie, values = make_sessions(args.database_url, env, args.sessions, rng)
    cookies_file = ROOT / "bench/results/log-cookies.txt"
    paths_file = ROOT / "bench/results/log-paths.txt"
    cookies_file.write_text("".join(f"{cookie}={value}\n" for value in values))
    env.update(BENCH_COOKIES=str(cookies_file), BENCH_PATHS=str(paths_file))

    bare_port, portal_port = free_port(), free_port()
    bare = serve("bench.bare_app:app", bare_port, env)
    app = serve("portal.wsgi:app", portal_port, env)
    try:
        if args.path == LOG_PATH:
            paths = collect_pages(portal_port, cookie, values, rng, args.chains)
        else:
            paths = [args.path]
        paths_file.write_text("".join(f"{path}\n" for path in paths))
        failed = wrk(portal_port, 3, env)[2] + wrk(bare_port, 3, env, "/")[2]  # warm both
        bare_rates, portal_rates, p99s = [], [], []
        for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
            rate, _, bad = wrk(bare_port, args.seconds, env, "/")
            bare_rates.append(rate)
            rate, p99, bad_pages = wrk(portal_port, args.seconds, env)
            portal_rates.append(rate)
            p99s.append(p99)
            failed += bad + bad_pages
    finally:
        bare.terminate(), app.terminate()
        bare.wait(), app.wait()
    if args.profile:
        profile_pages(args.database_url, env, cookie, values, paths, rng)
    bare_rps, portal_rps = max(bare_rates), max(portal_rates)
    best = portal_rates.index(portal_rps)
    ratio = portal_rps / bare_rps
    pages = sum("before=" in path for path in paths)
    print(f"database: {args.database_url.split(':')[0]}, {args.events:,} bench events; {len(values)} "
          f"signed-in applicants; {len(paths)} URLs of {args.path} ({pages} later pages)")
    print(f"bare Flask: {', '.join(f'{r:.0f}' for r in bare_rates)} requests/s")
    print(f"{args.path}: {', '.join(f'{r:.0f}' for r in portal_rates)} requests/s, p99 "
          f"{', '.join(f'{p:.1f}' for p in p99s)} ms (limit {P99_LIMIT_MS:.0f})")
    if failed:
        print(f"FAILED: {failed} answers were not a 200 (see above)")
    print(f"ratio {ratio:.2f} (target >= {TARGET:.2f}), p99 {p99s[best]:.1f} ms")
    sys.exit(0 if ratio >= TARGET and p99s[best] <= P99_LIMIT_MS and not failed else 1)


if __name__ == "__main__":
    main()
