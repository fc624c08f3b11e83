"""Fixtures for the browser tests: the app on a live server (seeded through the real ingest API)
and one headless Chromium for the whole session, with one reused page per kind of browser.

Two app instances share one migrated SQLite database: `portal_app` (a generous lookup limit) and
`limited_app` (1 lookup a minute) for the rate-limited page. Each is served by werkzeug on
127.0.0.1 with an OS-chosen port in a daemon thread.

Chromium is Debian's (`playwright install` cannot download here). PORTAL_CHROMIUM overrides the
path; without any Chromium the browser tests are skipped, saying why.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright
from sqlmodel import Session
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app, i18n, migrate
from portal.core.ingest import create_api_client
from portal.settings import Settings
from tests.factories import case_event, case_history

FOUND_RECEIPT = "MSC2190000001"  # tests.factories.case_history: I-485, NBC -> LOS, RFE sent
PROTECTED_RECEIPT = "MSC2190000099"  # stored, but protected (8 U.S.C. 1367): must look unknown
UNKNOWN_RECEIPT = "MSC2190000042"  # well-formed, never ingested
MALFORMED_RECEIPT = "ABC123"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def _chromium_path() -> str | None:
    configured = os.environ.get("PORTAL_CHROMIUM")
    if configured:
        return configured
    for candidate in (*CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


# --- the app --------------------------------------------------------------------------------------


def _settings(tmp: Path, database_url: str, lookup_rate_limit: str) -> Settings:
    return Settings(
        instance_dir=tmp / "instance",
        database_url=database_url,
        secret_key="browser-test-secret-key",
        secure_cookies=False,
        lookup_rate_limit=lookup_rate_limit,
        testing=True,
    )


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'b.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def portal_app(tmp_path_factory, browser_database_url):
    """The app, with the factories' case history and one protected case ingested."""
    app = create_app(
        _settings(tmp_path_factory.mktemp("browser-app"), browser_database_url, "1000/minute")
    )
    engine = app.extensions["portal.engine"]
    with Session(engine) as session:
        _client, token = create_api_client(session, "USCIS", "browser tests")
    events = case_history(FOUND_RECEIPT) + [
        case_event(receipt_number=PROTECTED_RECEIPT, protected=True,
                   occurred_at="2025-03-01T10:00:00Z", status="case_received", office="NBC"),
    ]
    response = app.test_client().post(
        "/api/v1/case-events",
        json={"events": events},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)
    # The seed is only useful if the lookups answer as the tests expect.
    lookup = app.test_client().post("/en/status", data={"receipt_number": FOUND_RECEIPT})
    assert lookup.status_code == 200, lookup.get_data(as_text=True)[:2000]
    hidden = app.test_client().post("/en/status", data={"receipt_number": PROTECTED_RECEIPT})
    assert hidden.status_code == 404
    yield app
    engine.dispose()


@pytest.fixture(scope="session")
def limited_app(tmp_path_factory, browser_database_url, portal_app):
    """A second instance on the same (seeded) database, allowing one lookup a minute."""
    app = create_app(
        _settings(tmp_path_factory.mktemp("limited-app"), browser_database_url, "1/minute")
    )
    yield app
    app.extensions["portal.engine"].dispose()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # errors are still logged
        pass


def _serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_url(portal_app) -> Iterator[str]:
    yield from _serve(portal_app)


@pytest.fixture(scope="session")
def limited_url(limited_app) -> Iterator[str]:
    yield from _serve(limited_app)


def server_h1(app, path: str, receipt_number: str | None = None, *, status: int | None = None) -> str:
    """The h1 text the server renders for a page (GET, or the lookup POST), via the test client.

    With `status`, POST until the answer has that status (e.g. 429 on a rate-limited app).
    """
    client = app.test_client()
    for _attempt in range(3):
        if receipt_number is None:
            response = client.get(path)
        else:
            response = client.post(path, data={"receipt_number": receipt_number})
        if status is None or response.status_code == status:
            break
    else:
        raise AssertionError(f"{path} never answered {status} (last: {response.status_code})")
    match = re.search(r"<h1\b[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S)
    assert match, f"no <h1> in the server's {path} page"
    return normalize_space(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))))


def normalize_space(text: str) -> str:
    return " ".join(text.split())


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        pytest.skip(f"no Chromium at {' or '.join(CHROMIUM_CANDIDATES)} (set PORTAL_CHROMIUM)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


DEFAULT_VIEWPORT = {"width": 1280, "height": 720}


class Pages:
    """One page per kind of browser (JavaScript on, off, or on without htmx), reused by every test.

    A new page costs a renderer process (about half a second here), so each kind gets one page
    in its own context, kept for the session; a test that asks for it gets it on about:blank at
    the default viewport (or the one it asks for). Contexts share no cookies or storage.
    """

    def __init__(self, browser) -> None:
        self.browser = browser
        self._pages: dict[tuple[bool, bool], Page] = {}
        self._problems: dict[Page, list[str]] = {}

    def open(self, *, javascript: bool = True, htmx: bool = True, viewport: dict | None = None):
        """htmx=False keeps JavaScript on but blocks htmx, so forms post and navigate as they do
        without JavaScript while axe-core (which needs JavaScript and timers) can still run."""
        key = (javascript, htmx and javascript)
        page = self._pages.get(key)
        if page is None or page.is_closed():
            context = self.browser.new_context(java_script_enabled=javascript, locale="en-US")
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            if javascript and not htmx:
                context.route("**/vendor/htmx/htmx.min.js", lambda route: route.abort())
            page = self._pages[key] = context.new_page()
            problems = self._problems[page] = []
            page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
            page.on(
                "console",
                lambda message: problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None,
            )
        page.goto("about:blank")
        page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        self._problems[page].clear()
        return page

    def problems(self, page) -> list[str]:
        """Uncaught exceptions and CSP refusals on `page` since it was handed out."""
        return self._problems[page]

    def close(self) -> None:
        for page in self._pages.values():
            page.context.close()


@pytest.fixture(scope="session")
def pages(chromium) -> Iterator[Pages]:
    pages = Pages(chromium)
    yield pages
    pages.close()


@pytest.fixture
def open_page(pages) -> Callable:
    """open_page(javascript=True, htmx=True, viewport=None) -> a Page on about:blank."""
    return pages.open


# --- checks shared by the browser tests -----------------------------------------------------------


def watch_page(page):
    """Collect uncaught script errors and CSP refusals in `page.problems` (tests assert it empty)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: problems.append(f"console: {message.text}")
        if message.type == "error" and "Content Security Policy" in message.text
        else None,
    )
    page.problems = problems  # type: ignore[attr-defined]
    return page


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page)
    response = results.response
    assert response.get("passes"), "axe-core ran no rules that passed: did it run at all?"
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>\n"
        + "\n".join(
            f"    {' '.join(node['target'])}: {normalize_space(node.get('failureSummary', ''))}"
            for node in v["nodes"]
        )
        for v in response["violations"]
    )
    assert results.violations_count == 0, f"axe-core violations on {page.url}:\n{report}"


# --- headings in any language, from the catalog the templates use ----------------------------------


def tr(lang: str, message: str) -> str:
    """`message` as the templates render it in `lang` (the catalog may be unfinished)."""
    return i18n.translations_for(lang).ugettext(message)


def assert_catalog_h1(page: Page, lang: str, message: str) -> None:
    """The page's one h1 reads `message` in `lang`."""
    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    expect(heading).to_have_text(tr(lang, message))
