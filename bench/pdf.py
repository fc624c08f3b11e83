"""Benchmark: the accounting-of-disclosures PDF against bare WeasyPrint (performance.md).

One applicant (an account made with create_confirmed_user, a case, an applicant party with an
A-number, a link) with 2,000 visible access events, plus a few withheld ones so the "withheld"
box is drawn; a second applicant with 10,000 for the memory check. Events go in with Core
executemany (ingested_event rows, then access_event rows), into a fresh SQLite file under
bench/results/ (or --database-url; new applicants and A-numbers every run either way).

The portal's time is the path a request and its job take, nothing cached: build_record and the
data hash (documents.create computes it to look for a reusable file), the template rendered in
a test request context with force_locale (the context documents.create passes), render_pdf
(PDF/UA-1, the denying fetcher) and the PAdES signature. The baseline is bare WeasyPrint on the
same final HTML: HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True). Rounds are
interleaved, the best of each decides. Targets: >= 20 pages/s for the portal's path, and its
time <= 1.15 x the bare time. Also printed, not judged: the same document through the job's
own path (render_limited in a child forked from a lean process, as the huey worker does), which
adds the child's imports and font loading.

Memory: the 10,000-event accounting rendered and signed by render_limited in a child forked from
a lean process (a fresh interpreter that imports only the job module, as the huey worker); its
peak RSS (getrusage RUSAGE_CHILDREN) must be <= 500 MB; when it is over, bare WeasyPrint's peak
on the same HTML, in the same kind of child, is printed beside it. The peak RSS of a web worker (<= 250 MB
per worker) is out of scope here: it belongs after the HTTP benchmarks, not in this script.

Prints the ratio on its last line and exits non-zero when a target is missed.

    python bench/pdf.py [--events 2000] [--memory-events 10000] [--rounds 3] [--database-url URL] [--profile]

--profile then runs the portal's path once more under cProfile and prints the top 25 by
cumulative time (template vs layout vs signing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench/results"
INSTANCE = RESULTS / "pdf-instance"
PAGES_TARGET = 20.0
RATIO_TARGET = 1.15
MEMORY_TARGET_MB = 500.0
PASSWORD = "bench pdf applicant passphrase 2026"  # noqa: S105 (a throwaway bench account)


# --- the data set -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    user_id: int
    a_number: str
    events: int
    withheld: int


def _clients(session) -> dict[str, int]:
    """One API client per agency the access catalog knows (the ingested_event rows name one)."""
    from sqlmodel import select

    from portal.catalog import load_access_catalog
    from portal.core.ingest import create_api_client
    from portal.core.models import ApiClient

    ids = {}
    for agency in load_access_catalog().agencies:
        name = f"bench pdf {agency} feed"
        client = session.exec(select(ApiClient).where(ApiClient.agency == agency, ApiClient.name == name)).first()
        if client is None:
            client, _ = create_api_client(session, agency, name)
        ids[agency] = client.id
    return ids


def make_applicant(app, events: int, seed: int) -> Applicant:
    """An applicant with `events` visible access events and events // 50 withheld (until a date
    after today), over the five years before today, newest first in the accounting."""
    import sqlalchemy as sa
    from sqlmodel import select

    from portal.benchdata import access_event_payload, bench_access_profiles
    from portal.catalog import load_catalog
    from portal.core.accounts import create_confirmed_user
    from portal.core.models import AccessEvent, Case, CaseLink, CaseParty, IngestedEvent
    from portal.db import get_engine, get_session

    rng = random.Random(seed)
    run = uuid.uuid4().hex[:12]
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        session, engine = get_session(), get_engine()
        while True:  # a fresh A-number: no events of an earlier run under it
            a_number = f"{rng.randrange(900_000_000, 1_000_000_000)}"
            taken = session.exec(select(CaseParty.id).where(CaseParty.a_number == a_number)).first()
            if taken is None:
                break
        user = create_confirmed_user(session, f"bench-pdf-{run}@bench.example.org", PASSWORD, "applicant",
                                     app.extensions["portal.hasher"], now)
        catalog = load_catalog()
        form = next(code for code, f in catalog.forms.items() if not f.protected)
        receipt = f"IOE{rng.randrange(10**10):010d}"
        case = Case(receipt_number=receipt, form_type=form, status="case_received",
                    office=catalog.office_for_prefix("IOE").code, status_at=now - timedelta(days=400),
                    received_at=now - timedelta(days=400))
        session.add(case)
        session.flush()
        session.add(CaseParty(case_id=case.id, role="applicant", a_number=a_number, given_name="María José",
                              family_name="Bench-Núñez"))
        session.add(CaseLink(user_id=user.id, case_id=case.id, party_role="applicant"))
        session.commit()
        clients = _clients(session)
        user_id = user.id

        profiles = bench_access_profiles(seed)
        withholding = [p for p in profiles if p.can_withhold]
        withheld = events // 50
        span = int(timedelta(days=5 * 365).total_seconds())
        ingested, accesses = [], []
        for n in range(events + withheld):
            hidden = n >= events
            profile = rng.choice(withholding if hidden else profiles)
            when = now - timedelta(seconds=rng.randrange(60, span))
            until = now.date() + timedelta(days=rng.randrange(30, 900)) if hidden else None
            event_id = f"bench-pdf-{run}-{n:06d}"
            payload = access_event_payload(profile, event_id, when, a_number, until)
            canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            ingested.append({"endpoint": "access-events", "agency": profile.agency, "event_id": event_id,
                             "content_hash": f"{rng.getrandbits(256):064x}",
                             "api_client_id": clients[profile.agency], "received_at": now})
            (component, system, action, purpose, kind, code, routine_use, categories, recipient,
             organization, role, country) = profile.columns[1:]
            accesses.append({
                "event_id": event_id, "occurred_at": when, "subject_a_number": a_number,
                "subject_receipt_number": None, "agency": profile.agency, "component": component,
                "system": system, "action": action, "purpose": purpose, "authority_kind": kind,
                "authority_code": code, "routine_use": routine_use, "data_categories": categories,
                "recipient_agency": recipient, "recipient_organization": organization, "accessor_role": role,
                "accessor_country": country, "withheld_exemption": "(j)(2)" if until else None,
                "withheld_until": until, "justification": profile.payload.get("justification"),
                "canonical": canonical})
    with engine.begin() as connection:  # Core executemany; ids from the database
        connection.execute(sa.insert(IngestedEvent.__table__), ingested)
        ids = dict(connection.execute(
            sa.select(IngestedEvent.event_id, IngestedEvent.id)
            .where(IngestedEvent.event_id.like(f"bench-pdf-{run}-%"))).all())
        for row in accesses:
            row["ingested_event_id"] = ids[row.pop("event_id")]
        connection.execute(sa.insert(AccessEvent.__table__), accesses)
    return Applicant(user_id, a_number, events, withheld)


# --- the portal's path and the bare baseline ----------------------------------------------------


@dataclass
class PortalRun:
    html: str
    pages: int
    entries: int
    seconds: float
    stages: dict[str, float]


def portal_html(app, user_id: int, stages: dict, language: str = "en") -> tuple[str, int]:
    """What documents.create does for an accounting, no reuse: the record and its hash, then the
    HTML from its template in the chosen language. The HTML and the number of entries."""
    from flask import current_app, render_template, url_for
    from flask_babel import force_locale

    from portal import i18n
    from portal.core import records
    from portal.core.models import User
    from portal.db import get_session
    from portal.web.documents import new_code

    started = time.perf_counter()
    with app.test_request_context(f"/{language}/documents/", method="POST"):
        session = get_session()
        user = session.get(User, user_id)
        moment = datetime.now(UTC)
        record = records.build_record(session, user, "accounting", moment.date())
        record.data_hash()  # documents.create looks for a reusable file by it (there is none)
        mark = time.perf_counter()
        stages["record + hash"] = mark - started
        with force_locale(language):
            html = render_template("pdf/accounting/document.html", record=record, code=new_code(), issued_at=moment,
                                   lang_info=i18n.locale_info(language), verify_url=current_app.config[
                                       "PORTAL_SETTINGS"].base_url + url_for("verify.verify", lang_code=language))
        stages["template"] = time.perf_counter() - mark
    return html, len(record.accounting or ())


def portal_path(app, user_id: int) -> PortalRun:
    """The request's part (portal_html), then the job's in-process: render_pdf and the signature."""
    from portal.pdf.render import render_pdf
    from portal.pdf.signing import sign
    from portal.web.documents import signing_key

    stages: dict[str, float] = {}
    started = time.perf_counter()
    html, entries = portal_html(app, user_id, stages)
    mark = time.perf_counter()
    rendered = render_pdf(html, False, None)
    stages["render_pdf"], mark = time.perf_counter() - mark, time.perf_counter()
    if rendered.refused:
        raise SystemExit(f"the document asked to fetch {rendered.refused[:3]}")
    with app.app_context():
        key = signing_key()
    signed = sign(rendered.pdf, key)
    stages["sign"] = time.perf_counter() - mark
    seconds = time.perf_counter() - started
    if not signed.startswith(b"%PDF-"):
        raise SystemExit("the signed file is not a PDF")
    return PortalRun(html, rendered.pages, entries, seconds, stages)


def bare_weasyprint(html: str) -> tuple[float, int]:
    """Seconds and pages of plain WeasyPrint on the same HTML: default fetcher, no signature."""
    from weasyprint import HTML

    started = time.perf_counter()
    document = HTML(string=html).render()
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    seconds = time.perf_counter() - started
    assert pdf.startswith(b"%PDF-")
    return seconds, len(document.pages)


def job_path(html: str, name: str, env: dict, bare: bool = False) -> dict:
    """The HTML rendered and signed by render_limited (or, with `bare`, written by plain
    WeasyPrint) in a child forked from a fresh, lean interpreter, as the huey worker forks it:
    wall seconds, pages and the child's peak RSS."""
    html_path, pdf_path = RESULTS / f"{name}.html", RESULTS / f"{name}.pdf"
    html_path.write_text(html)
    pdf_path.unlink(missing_ok=True)
    result = subprocess.run([sys.executable, __file__, "--child", "bare" if bare else "job", str(html_path),
                             str(pdf_path)], env=env, cwd=ROOT, capture_output=True, text=True)
    html_path.unlink()
    pdf_path.unlink(missing_ok=True)
    if result.returncode != 0:
        raise SystemExit(f"the {name} child failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _bare_child(html_path: str, pdf_path: str) -> None:
    from weasyprint import HTML

    document = HTML(filename=html_path).render()
    Path(pdf_path).write_bytes(document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True))
    Path(pdf_path + ".json").write_text(json.dumps({"pages": len(document.pages)}))


def child(mode: str, html_path: str, pdf_path: str) -> None:
    """In the lean interpreter: one forked child renders, then its figures are printed as JSON.

    RUSAGE_CHILDREN is the forked child's own peak. This interpreter's ru_maxrss is not its own:
    Linux carries the high-water mark of the process that started it across exec, so its size is
    read from /proc/self/status (VmHWM) instead."""
    import multiprocessing

    from portal.pdf.job import render_limited
    from portal.pdf.signing import demo_key

    own = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    started = time.perf_counter()
    if mode == "job":
        key = demo_key(INSTANCE / "signing")
        outcome = render_limited(Path(html_path), Path(pdf_path), False, None, (key.key_path, key.cert_path))
        ok, error, pages = outcome.ok, outcome.error, outcome.pages
    else:
        process = multiprocessing.get_context("fork").Process(target=_bare_child, args=(html_path, pdf_path))
        process.start()
        process.join()
        ok, error = process.exitcode == 0, f"exit {process.exitcode}"
        pages = json.loads(Path(pdf_path + ".json").read_text())["pages"] if ok else 0
        Path(pdf_path + ".json").unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"ok": ok, "error": error, "pages": pages, "seconds": seconds,
                      "child_rss_mb": peak / 1024, "parent_rss_mb": own / 1024}))


def profile_once(app, user_id: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run = portal_path(app, user_id)
    profiler.disable()
    print(f"\nprofile: one portal path, {run.pages} pages in {run.seconds:.2f} s (profiler overhead included)",
          file=sys.stderr)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2_000, help="visible access events in the accounting")
    parser.add_argument("--memory-events", type=int, default=10_000, help="events for the memory check")
    parser.add_argument("--rounds", type=int, default=3, help="portal and bare runs each, interleaved")
    parser.add_argument("--seed", type=int, default=None, help="default: a new one every run")
    parser.add_argument("--profile", action="store_true", help="then profile one portal path")
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file, bench/results/pdf-bench.db")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "HTML", "PDF"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    os.environ.update(PORTAL_INSTANCE_DIR=str(INSTANCE), PORTAL_SECURE_COOKIES="false")
    if args.child:
        child(*args.child)
        return

    url = args.database_url
    if url is None:
        path = RESULTS / "pdf-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["PORTAL_DATABASE_URL"] = url
    from portal import create_app, migrate

    migrate.upgrade(url)
    app = create_app()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    started = time.perf_counter()
    applicant = make_applicant(app, args.events, seed)
    big = make_applicant(app, args.memory_events, seed + 1)
    print(f"database: {url.split(':')[0]}; applicants with {applicant.events:,} and {big.events:,} visible "
          f"events (+{applicant.withheld} and +{big.withheld} withheld) written in "
          f"{time.perf_counter() - started:.1f} s", flush=True)

    portal_path(app, applicant.user_id)  # warm: imports, fonts, templates, catalogs, as a worker that has run
    bare_weasyprint(portal_path(app, applicant.user_id).html)
    portal_runs, bare_runs = [], []
    for _ in range(args.rounds):  # interleaved, so machine noise hits both alike
        run = portal_path(app, applicant.user_id)
        portal_runs.append(run)
        bare_runs.append(bare_weasyprint(run.html))  # the same final HTML that run produced
    best = min(portal_runs, key=lambda r: r.seconds)
    bare_seconds = min(s for s, _ in bare_runs)
    pages = best.pages
    if best.entries != applicant.events or any(p != pages for _, p in bare_runs):
        raise SystemExit(f"{best.entries} entries, pages portal {pages} vs bare {[p for _, p in bare_runs]}")
    env = dict(os.environ)
    job = job_path(best.html, "pdf-job-2k", env)

    # Memory: the 10,000-event accounting's HTML made by the portal's request path, then
    # rendered and signed by render_limited in a child forked from a lean process.
    big_stages: dict[str, float] = {}
    big_html, big_entries = portal_html(app, big.user_id, big_stages)
    memory = job_path(big_html, "pdf-job-10k", env)
    if not memory["ok"]:
        raise SystemExit(f"the 10,000-event document failed: {memory['error']}")
    peak = memory["child_rss_mb"]
    # Over the target: how much of it is WeasyPrint's own, on the same HTML in the same kind of child.
    bare_memory = job_path(big_html, "pdf-bare-10k", env, bare=True) if peak > MEMORY_TARGET_MB else None

    if args.profile:
        profile_once(app, applicant.user_id)

    rate = pages / best.seconds
    ratio = best.seconds / bare_seconds
    print(f"accounting, en, PDF/UA-1: {best.entries:,} entries, {pages} pages, {len(best.html) / 1e6:.1f} MB of HTML")
    print(f"portal path: {', '.join(f'{r.seconds:.2f}' for r in portal_runs)} s; best "
          + ", ".join(f"{name} {seconds:.2f}" for name, seconds in best.stages.items()))
    print(f"bare WeasyPrint: {', '.join(f'{s:.2f}' for s, _ in bare_runs)} s")
    print(f"job path (render_limited, fork from a lean process; not judged): {job['seconds']:.2f} s, "
          f"{job['pages']} pages, {job['pages'] / job['seconds']:.1f} pages/s, "
          f"{job['seconds'] / bare_seconds:.2f} x bare")
    print(f"memory: {big_entries:,} entries, HTML made in {sum(big_stages.values()):.1f} s, then {memory['pages']} "
          f"pages rendered and signed in {memory['seconds']:.1f} s; render child peak RSS {peak:.0f} MB "
          f"(target <= {MEMORY_TARGET_MB:.0f}), its lean parent {memory['parent_rss_mb']:.0f} MB")
    if bare_memory:
        print(f"  bare WeasyPrint on the same HTML, same kind of child: {bare_memory['pages']} pages in "
              f"{bare_memory['seconds']:.1f} s, peak RSS {bare_memory['child_rss_mb']:.0f} MB")
    print(f"pages {pages}, portal {best.seconds:.2f} s, bare {bare_seconds:.2f} s, peak {peak:.0f} MB")
    print(f"pages/s {rate:.1f} (target >= {PAGES_TARGET:.0f}), portal/bare {ratio:.2f} (target <= {RATIO_TARGET}), "
          f"10k peak {peak:.0f} MB (target <= {MEMORY_TARGET_MB:.0f})")
    sys.exit(0 if rate >= PAGES_TARGET and ratio <= RATIO_TARGET and peak <= MEMORY_TARGET_MB else 1)


if __name__ == "__main__":
    main()
