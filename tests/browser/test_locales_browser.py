"""The twenty offered locales in a real Chromium: axe-core (WCAG 2.1 A and AA rules) on the main
pages in every locale; every signed-in page the other browser modules do not audit (privacy
requests on both sides, documents, staff pages, settings with two-step sign-in on), in English and
Arabic; no sideways scrolling at 320 px with the language menu closed and open (English, Arabic,
Amharic); keyboard only: the language menu, a lookup and a sign-in, and filing a privacy request.

One module-wide cast, seeded through the real ingest API and the domain layer: an applicant with
its own case, a few access-log entries, three privacy requests and three documents; a verified
representative (two-step sign-in) with a request filed under a signed consent; a privacy officer
and an admin (two-step sign-in). Each signs in once with the test client (password, then the code)
and its session cookie goes into the browser contexts that show its pages, kept for the module
(JavaScript on so axe-core can run, htmx blocked so forms post and the browser navigates, as
without JavaScript).

About 130 pages are audited, so they are loaded and audited several at a time, each in a context
of its own (a page per renderer process): axe-core is started in every page, then the results are
collected. axe-core runs with the WCAG 2.0/2.1 A and AA rules only (tags wcag2a, wcag2aa, wcag21a,
wcag21aa), and must have run rules that passed.

Every check asserts the page's own h1, computed through the catalog the templates use
(`portal.i18n.translations_for(code)`), never hard-coded foreign text: a catalog that translators
are still completing shows English for the missing strings on the page and in the expectation
alike, and a redirect to an error or sign-in page cannot pass.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from portal import i18n
from portal.core import accounts
from portal.core import requests as pr
from portal.core.ingest import create_api_client
from portal.core.models import Document, RejectedEvent, User
from tests.browser.conftest import (
    DEFAULT_VIEWPORT,
    FOUND_RECEIPT,
    TIMEOUT_MS,
    normalize_space,
    tr,
    watch_page,
)
from tests.browser.test_account_browser import WIDEST_ELEMENTS
from tests.browser.test_people_browser import Account, _session_cookie, create_representative, unique_email
from tests.factories import access_event, case_event
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

LOCALES = list(i18n.OFFERED_LOCALES)
RTL = {"ar", "fa", "ps", "ur"}
NARROW = {"width": 320, "height": 640}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

OWN_RECEIPT = "MSC2190000555"  # this module's applicant's own case
OWN_A_NUMBER = "A076543210"
OWN_ACCESS_CODE = "LOCALE-CODE-5"
ICE_NAME = "U.S. Immigration and Customs Enforcement"

H1 = {
    "home": "Check your case status",
    "found": "Your case status",
    "login": "Sign in",
    "code": "Two-step sign-in",
    "log": "Who accessed my data",
    "new": "New privacy request",
    "requests": "My privacy requests",
    "request": "Privacy request %(number)s",
    "documents": "My documents",
    "queue": "Privacy requests",
    "closures": "Closure days",
    "users": "Staff accounts",
    "rejected": "Rejected event",
    "settings": "Your account",
}

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // USWDS hides radios and checkboxes off-screen and draws their focus ring on the label's box.
  const label = el.matches('.usa-radio__input, .usa-checkbox__input') && el.id
    ? document.querySelector(`label[for="${el.id}"]`) : null;
  const ring = label ? getComputedStyle(label, '::before') : style;
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 60),
          outlineStyle: ring.outlineStyle, outlineWidth: ring.outlineWidth,
          focusVisible: el.matches(':focus-visible'), drawnOn: label ? 'label::before' : 'element'};
}"""


# --- checks ---------------------------------------------------------------------------------------


def path_of(page: Page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def expected_h1(code: str, key: str, number: str | None = None) -> str:
    text = tr(code, H1[key])
    return normalize_space(text % {"number": number} if number is not None else text)


def assert_h1(page: Page, text: str) -> None:
    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    expect(heading).to_have_text(text)


def assert_locale(page: Page, code: str) -> None:
    root = page.locator("html")
    expect(root).to_have_attribute("lang", i18n.locale_info(code).tag)
    expect(root).to_have_attribute("dir", "rtl" if code in RTL else "ltr")


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# Starts axe-core (put on every page of the audit contexts by an init script: the CSP forbids a
# script tag) without waiting for it, so that other pages load or are audited meanwhile, and says
# what the page shows: its h1s, lang and dir.
START_AXE = """options => {
  window.__portalAxe = axe.run(document, options).then(
    r => ({passes: r.passes.length, incomplete: r.incomplete.length,
           violations: r.violations.map(v => ({id: v.id, impact: v.impact,
             nodes: v.nodes.map(n => n.target.join(' ') + ': ' + (n.failureSummary || ''))}))}),
    e => ({error: String(e)}));
  const root = document.documentElement;
  return {h1: [...document.querySelectorAll('h1')].map(h => h.textContent), lang: root.lang, dir: root.dir};
}"""
AXE_RESULT = "() => window.__portalAxe"  # evaluate() waits for the promise


@dataclass
class Visit:
    """One page to check: `page` goes to `url` (unless None: `prepare` takes it there), `prepare`
    acts on it (e.g. posts a form), then it must be at `path` with the h1 `heading`, and pass
    `check`. `then` is the next visit on the same page, once this one is checked."""

    page: Page
    url: str | None
    path: str
    heading: str
    prepare: Callable[[Page], None] | None = None
    check: Callable[[Page], None] | None = None
    viewport: dict = field(default_factory=lambda: DEFAULT_VIEWPORT)
    then: Visit | None = None


class Audit:
    """Checks pages, several at a time, and reports every axe-core violation at the end (one bad
    page does not hide the next). Path, h1, lang and dir are asserted at once."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.failures: list[str] = []
        self.audited = 0
        self.fitted = 0

    def load(self, visits: list[Visit], audit: bool = False) -> None:
        """Load the visits' pages together (each in its own renderer), then check each (and
        start axe-core on it, with `audit`)."""
        assert len({id(v.page) for v in visits}) == len(visits), "one page per visit in a batch"
        for visit in visits:
            if visit.page.viewport_size != visit.viewport:
                visit.page.set_viewport_size(visit.viewport)
            if visit.url is not None:
                response = visit.page.goto(visit.url, wait_until="commit")
                assert response is not None and response.status == 200, (visit.url, response and response.status)
        for visit in visits:
            self.arrive(visit, audit)

    def arrive(self, visit: Visit, audit: bool = False) -> None:
        """Once `visit.page` has loaded (or, without a URL, is where the last visit left it):
        prepare, check, and with `audit` start axe-core."""
        page = visit.page
        page.wait_for_load_state("load")
        if visit.prepare:
            visit.prepare(page)
        assert path_of(page) == visit.path, f"at {path_of(page)}, not {visit.path}"  # not sent to sign in
        if audit:
            shown = page.evaluate(START_AXE, AXE_OPTIONS)
            assert [normalize_space(h1) for h1 in shown["h1"]] == [visit.heading], (visit.path, shown["h1"])
            expected = {"lang": i18n.locale_info(self.code).tag, "dir": "rtl" if self.code in RTL else "ltr"}
            assert {"lang": shown["lang"], "dir": shown["dir"]} == expected, (visit.path, shown)
        else:
            assert_h1(page, visit.heading)
            assert_locale(page, self.code)
        if visit.check:
            visit.check(page)

    def pages(self, visits: list[Visit]) -> None:
        """Load and check the visits' pages, run axe-core on all of them at once, collect (and go
        on to each follow-up visit as soon as its page is free)."""
        self.load(visits, audit=True)
        waiting = list(visits)
        while waiting:
            visit = waiting.pop(0)
            self._collect(visit)
            if visit.then is not None:
                self.arrive(visit.then, audit=True)
                waiting.append(visit.then)

    def _collect(self, visit: Visit) -> None:
        page = visit.page
        result = page.evaluate(AXE_RESULT)
        assert "error" not in result, f"axe-core failed on {page.url}: {result['error']}"
        assert result["passes"] > 0, f"axe-core ran no rule on {page.url}: did it run at all?"
        if result["violations"]:
            self.failures.append(f"{visit.path} [{self.code}]:\n  " + "\n  ".join(
                f"{v['id']} ({v['impact']}) {normalize_space(node)}"
                for v in result["violations"] for node in v["nodes"]))
        self.audited += 1

    def fits(self, page: Page, what: str, width: int = NARROW["width"]) -> None:
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        if scroll_width > width:
            self.failures.append(f"{path_of(page)} [{self.code}] ({what}) is {scroll_width}px wide; overflowing: "
                                 f"{page.evaluate(WIDEST_ELEMENTS)}")
        self.fitted += 1

    def done(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


def goto(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)


def look_up(page: Page, receipt_number: str = FOUND_RECEIPT) -> None:
    """On the home page (htmx blocked): type and submit; the browser posts and navigates."""
    page.locator("#receipt_number").fill(receipt_number)
    with page.expect_navigation() as navigation:
        page.locator("#lookup button[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == 200 and response.request.method == "POST", response


# --- the cast -------------------------------------------------------------------------------------


@dataclass
class Cast:
    cookies: dict[str, str]  # who -> session cookie
    needs_info: str = ""  # the applicant's access request (asked to expedite), waiting for information
    amendment: str = ""  # the applicant's correction, just submitted
    closed: str = ""  # the applicant's access request, partly granted and closed: appealable
    consent: str = ""  # the representative's request under a signed consent, not yet checked, to expedite
    numbers: dict[str, str] = field(default_factory=dict)  # public id -> tracking number
    documents: dict[str, tuple[str, str]] = field(default_factory=dict)  # status -> (public id, h1 msgid)
    rejected_event: int = 0


def _post_events(app, endpoint: str, token: str, events: list[dict]) -> dict:
    response = app.test_client().post(f"/api/v1/{endpoint}", json={"events": events},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)[:2000]
    return response.get_json()


def _staff(session: Session, app, role: str) -> tuple[User, Account]:
    user = accounts.create_confirmed_user(session, unique_email(), PASSWORD, role, app.extensions["portal.hasher"],
                                          datetime.now(UTC))
    user.totp_secret = pyotp.random_base32()
    session.add(user)
    session.commit()
    return user, Account(user.email, user.totp_secret)


def _request(session: Session, user: User, kind: str, **changes) -> pr.PrivacyRequest:
    new = pr.NewRequest(kind=kind, description="My whole A-File, 2019 to now.", declaration_name="Ana Example",
                        language="en", submission_key=secrets.token_urlsafe(24), track=1 if kind == "access" else None,
                        **changes)
    return pr.file_request(session, user, new, datetime.now(UTC))


def _document(session: Session, user: User, kind: str, status: str, **changes) -> Document:
    document = Document(user_id=user.id, kind=kind, language="en", data_hash=secrets.token_hex(32),
                        code_hash=secrets.token_hex(32), created_at=datetime.now(UTC), status=status, **changes)
    session.add(document)
    session.commit()
    session.refresh(document)
    return document


@pytest.fixture(scope="module")
def cast(portal_app) -> Cast:
    app = portal_app
    now = datetime.now(UTC)
    with Session(app.extensions["portal.engine"]) as session:
        tokens = {agency: create_api_client(session, agency, "locale browser tests")[1] for agency in ("USCIS", "ICE")}
    own = case_event(receipt_number=OWN_RECEIPT, form_type="I-485", occurred_at="2025-01-10T14:00:00Z",
                     status="case_received", office="NBC",
                     parties=[{"role": "applicant", "a_number": OWN_A_NUMBER, "access_code": OWN_ACCESS_CODE,
                               "given_name": "Lena", "family_name": "Locale"}])
    stored = _post_events(app, "case-events", tokens["USCIS"], [own])
    assert stored["accepted"] and not stored["rejected"], stored
    # A few access-log entries over two months, and one withheld.
    subject = {"a_number": OWN_A_NUMBER}
    reads = [access_event(subject=subject, occurred_at=(now - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ"))
             for d in (3, 17, 40)]
    reads.append(access_event(subject=subject, occurred_at=(now - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                              withheld={"exemption": "(j)(2)"}))
    stored = _post_events(app, "access-events", tokens["ICE"], reads)
    assert len(stored["accepted"]) == len(reads) and not stored["rejected"], stored
    # A refused event, for the staff's "rejected event" page.
    refused_id = f"locale-refused-{secrets.token_hex(4)}"
    refused = _post_events(app, "case-events", tokens["USCIS"],
                           [case_event(event_id=refused_id, receipt_number="MSC21900", status="case_received")])
    assert refused["rejected"], refused

    hasher = app.extensions["portal.hasher"]
    with Session(app.extensions["portal.engine"], expire_on_commit=False) as session:
        applicant = accounts.create_confirmed_user(session, unique_email(), PASSWORD, "applicant", hasher, now)
        accounts.link_case(session, applicant, OWN_RECEIPT, OWN_ACCESS_CODE, "browser-tests", now)
        officer, officer_account = _staff(session, app, "privacy_officer")
        admin, admin_account = _staff(session, app, "admin")
        representative = create_representative(app)
        rep_user = session.exec(select(User).where(User.email_key == accounts.email_key(representative.email))).one()

        needs_info = _request(session, applicant, "access", expedite=True,
                              expedite_statement="A hearing before an immigration judge next month.")
        pr.staff_move(session, needs_info, "acknowledged", officer, "", now)
        pr.staff_move(session, needs_info, "needs_information", officer, "Please give your date of birth.", now)
        amendment = _request(session, applicant, "amendment", amendment_record="Address on file",
                             amendment_correction="12 Main St, Springfield")
        closed = _request(session, applicant, "access")
        pr.staff_move(session, closed, "acknowledged", officer, "", now)
        pr.propose_outcome(session, closed, "completed_partial", officer, "Two pages are withheld.", now)
        pr.approve_outcome(session, closed, admin, now)
        consent = _request(session, rep_user, "access", consent_subject="Ana Example · A012345678", expedite=True,
                           expedite_statement="A hearing before an immigration judge next month.")
        pr.attach_file(session, consent, rep_user, False, b"%PDF-1.7\n% signed consent\n%%EOF\n",
                       app.config["PORTAL_SETTINGS"].instance_dir / "request_files", now, purpose="consent")
        pr.add_closure_day(session, admin, date(2031, 3, 14), "Office closed by executive order")

        done = _document(session, applicant, "case_summary", "done", pages=2, finished_at=now)
        failed = _document(session, applicant, "accounting", "failed", error="too_slow", finished_at=now,
                           period_start=date(2016, 1, 1), period_end=date(2025, 12, 31))
        queued = _document(session, applicant, "my_record", "queued")
        rejected = session.exec(select(RejectedEvent).where(RejectedEvent.event_id == refused_id)).one()
        result = Cast(
            cookies={}, needs_info=needs_info.public_id, amendment=amendment.public_id, closed=closed.public_id,
            consent=consent.public_id,
            numbers={r.public_id: r.tracking_number for r in (needs_info, amendment, closed, consent)},
            documents={"done": (done.public_id, "Case status summary"),
                       "failed": (failed.public_id, "Accounting of disclosures"),
                       "queued": (queued.public_id, "My record")},
            rejected_event=rejected.id)
    result.cookies = {
        "applicant": _session_cookie(app, Account(applicant.email)),
        "representative": _session_cookie(app, representative),
        "officer": _session_cookie(app, officer_account),
        "admin": _session_cookie(app, admin_account),
    }
    return result


class Browsers:
    """Pages for each person (and an anonymous visitor), made on first use and kept for the
    module, so that several pages load and are audited at once. Each page has a browser context
    of its own (the person's session cookie in each): pages of one context are tabs of one window,
    and a hidden tab's timers and animation frames are throttled, which would slow axe-core and
    Playwright's clicks to a crawl. JavaScript on, htmx blocked, axe-core put on every page."""

    def __init__(self, chromium, app, live_url: str, cookies: dict[str, str]) -> None:
        self.chromium, self.app, self.live_url, self.cookies = chromium, app, live_url, cookies
        self._pages: dict[str, list[Page]] = {}

    def new_context(self, cookie: str | None = None, *, htmx: bool = False, axe: bool = True):
        """A context with `cookie` as its session cookie (or none), htmx blocked unless `htmx`,
        axe-core on every page unless not `axe`; the caller closes it."""
        context = self.chromium.new_context(locale="en-US", viewport=DEFAULT_VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        if not htmx:
            context.route("**/vendor/htmx/htmx.min.js", lambda route: route.abort())
        if axe:
            context.add_init_script(AXE_SCRIPT)
        if cookie is not None:
            context.add_cookies([{"name": self.app.config["SESSION_COOKIE_NAME"], "value": cookie,
                                  "url": self.live_url, "httpOnly": True, "sameSite": "Lax"}])
        return context

    def page(self, who: str = "anonymous", index: int = 0) -> Page:
        """`who`'s page number `index`, where the last test left it."""
        pages = self._pages.setdefault(who, [])
        while len(pages) <= index:
            pages.append(watch_page(self.new_context(self.cookies.get(who)).new_page()))
        return pages[index]

    def problems(self) -> dict[str, list[str]]:
        """Uncaught errors and CSP refusals on any page since the last call (tests assert none)."""
        found = {}
        for who, pages in self._pages.items():
            for i, page in enumerate(pages):
                if page.problems:  # type: ignore[attr-defined]
                    found[f"{who} #{i}"] = list(page.problems)  # type: ignore[attr-defined]
                    page.problems.clear()  # type: ignore[attr-defined]
        return found

    def close(self) -> None:
        for pages in self._pages.values():
            for page in pages:
                page.context.close()


@pytest.fixture(scope="module")
def browsers(chromium, portal_app, live_url, cast) -> Iterator[Browsers]:
    browsers = Browsers(chromium, portal_app, live_url, cast.cookies)
    yield browsers
    browsers.close()


# --- 1: the main pages in all twenty locales ------------------------------------------------------


def main_visits(browsers: Browsers, live_url: str, code: str, viewport: dict = DEFAULT_VIEWPORT) -> list[Visit]:
    """The home page, a lookup result, the sign-in page, the applicant's access log and the new
    privacy request form, each on a page of its own."""
    base = f"{live_url}/{code}"

    def log_entries(page: Page) -> None:
        # The three seeded reads (portal staff reading a request add entries of their own).
        assert page.locator("#log-results li.portal-log-entry").count() >= 3
        expect(page.locator("#log-results")).to_contain_text(tr(code, ICE_NAME))

    found = Visit(browsers.page(), None, f"/{code}/status", expected_h1(code, "found"), prepare=look_up,
                  check=lambda page: expect(page.locator("#case-heading")).to_contain_text("I-485"))
    visits = [
        Visit(browsers.page(), f"{base}/", f"/{code}/", expected_h1(code, "home"), then=found),
        Visit(browsers.page(index=1), f"{base}/account/login", f"/{code}/account/login", expected_h1(code, "login")),
        Visit(browsers.page("applicant"), f"{base}/log/", f"/{code}/log/", expected_h1(code, "log"),
              check=log_entries),
        Visit(browsers.page("applicant", 1), f"{base}/requests/new", f"/{code}/requests/new", expected_h1(code, "new"),
              check=lambda page: expect(page.locator("main input[name=kind]")).to_have_count(3)),
    ]
    for visit in (*visits, found):
        visit.viewport = viewport
    return visits


@pytest.mark.parametrize("code", LOCALES)
def test_main_pages_have_no_axe_violations_in_every_locale(browsers, live_url, code):
    audit = Audit(code)
    audit.pages(main_visits(browsers, live_url, code))
    assert audit.audited == 5
    assert browsers.problems() == {}
    audit.done()


# --- 2: every signed-in page the other modules do not audit, in English and Arabic ----------------


def _check_requests_list(page: Page, code: str, cast: Cast) -> None:
    rows = page.locator("main table tbody tr")
    for public_id in (cast.needs_info, cast.amendment, cast.closed):
        expect(rows.filter(has_text=cast.numbers[public_id])).to_have_count(1)


def _check_needs_info(page: Page, code: str, cast: Cast) -> None:
    expect(page.locator("#request-status")).to_have_text(tr(code, "Waiting for information from you"))
    expect(page.get_by_role("heading", level=2, name=tr(code, "Faster processing"))).to_be_visible()
    expect(page.locator("main textarea")).not_to_have_count(0)  # the answer form


def _check_closed(page: Page, code: str, cast: Cast) -> None:
    expect(page.locator("#request-status")).to_have_text(tr(code, "Completed: records released in part"))
    expect(page.locator("main form[action$='/appeal']")).to_have_count(1)


def _check_consent_form(page: Page, code: str, cast: Cast) -> None:
    legend = page.locator("main fieldset legend").filter(has_text=tr(code, "With the person's signed consent"))
    expect(legend).to_have_count(1)
    expect(page.locator("main #on_behalf option[value=consent]")).to_have_count(1)
    expect(page.locator("main input[type=file]#consent_file")).to_have_count(1)
    expect(page.locator("main #representative_declaration")).to_have_count(1)


def _check_documents(page: Page, code: str, cast: Cast) -> None:
    expect(page.locator("main ul.usa-list > li")).to_have_count(3)


def _check_queue(page: Page, code: str, cast: Cast) -> None:
    rows = page.locator("main table tbody tr")
    for public_id in (cast.needs_info, cast.amendment, cast.consent):
        expect(rows.filter(has_text=cast.numbers[public_id])).to_have_count(1)


def _check_staff_request(page: Page, code: str, cast: Cast) -> None:
    expect(page.get_by_role("heading", level=2, name=tr(code, "Check the consent"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=tr(code, "Faster processing"))).to_be_visible()
    expect(page.locator("main input[name=decision]")).to_have_count(2)


def _check_closures(page: Page, code: str, cast: Cast) -> None:
    expect(page.locator("main ul.usa-list")).to_contain_text("Office closed by executive order")


def _check_two_step_on(page: Page, code: str, cast: Cast) -> None:
    expect(page.locator("main form[action$='/two-step/off']")).to_have_count(1)


def _request_page(key: str):
    return lambda cast: (f"/requests/{getattr(cast, key)}", "request", cast.numbers[getattr(cast, key)])


def _staff_request_page(key: str):
    return lambda cast: (f"/staff/requests/{getattr(cast, key)}", "request", cast.numbers[getattr(cast, key)])


def _document_page(status: str):
    return lambda cast: (f"/documents/{cast.documents[status][0]}", cast.documents[status][1], None)


def _file_empty_request(page: Page) -> None:
    """Send the new request form empty: it comes back (400) with its errors."""
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value is not None and navigation.value.status == 400, navigation.value


# (who, cast -> (path after /<code>, H1 key or msgid, tracking number for the h1), prepare, check)
SIGNED_IN_PAGES: list[tuple[str, Callable, Callable | None, Callable | None]] = [
    ("applicant", lambda c: ("/requests/", "requests", None), None, _check_requests_list),
    ("applicant", _request_page("needs_info"), None, _check_needs_info),
    ("applicant", _request_page("closed"), None, _check_closed),
    ("applicant", lambda c: ("/requests/new", "new", None), _file_empty_request,
     lambda page, code, cast: expect(page.locator("main .usa-error-message")).not_to_have_count(0)),
    ("applicant", lambda c: ("/documents/", "documents", None), None, _check_documents),
    ("applicant", _document_page("failed"), None,
     lambda page, code, cast: expect(page.locator("main .usa-alert--error")).to_be_visible()),
    ("applicant", _document_page("queued"), None,
     lambda page, code, cast: expect(page.locator("main progress")).to_be_visible()),
    ("representative", lambda c: ("/requests/new", "new", None), None, _check_consent_form),
    ("officer", lambda c: ("/staff/requests/", "queue", None), None, _check_queue),
    ("officer", _staff_request_page("consent"), None, _check_staff_request),
    ("admin", lambda c: ("/staff/requests/closures", "closures", None), None, _check_closures),
    ("admin", lambda c: ("/staff/users", "users", None), None, None),
    ("admin", lambda c: (f"/staff/rejected/{c.rejected_event}", "rejected", None), None, None),
    ("admin", lambda c: ("/account/settings/", "settings", None), None, _check_two_step_on),
]
BATCH = 5  # pages loaded and audited at once: at most two of the applicant's, one of anyone else's
PER_PERSON = {"applicant": 2}


@pytest.mark.parametrize("code", ["en", "ar"])
def test_signed_in_pages_have_no_axe_violations(browsers, cast, live_url, code):
    audit = Audit(code)
    waiting = list(SIGNED_IN_PAGES)
    while waiting:
        visits, taken = [], {}
        for item in list(waiting):
            who, where, prepare, check = item
            if len(visits) == BATCH or taken.get(who, 0) == PER_PERSON.get(who, 1):
                continue
            waiting.remove(item)
            path, key, number = where(cast)
            heading = expected_h1(code, key, number) if key in H1 else normalize_space(tr(code, key))
            index = taken[who] = taken.get(who, 0) + 1
            visits.append(Visit(browsers.page(who, index - 1), f"{live_url}/{code}{path}", f"/{code}{path}",
                                heading, prepare,
                                (lambda page, check=check: check(page, code, cast)) if check else None))
        audit.pages(visits)

    # The second step of signing in (the code page), in a context of its own.
    context = browsers.new_context()
    try:
        staff = _fresh_staff(browsers.app)
        page = context.new_page()
        goto(page, f"{live_url}/{code}/account/login")
        page.locator("#email").fill(staff.email)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        audit.pages([Visit(page, None, f"/{code}/account/login/code", expected_h1(code, "code"))])
    finally:
        context.close()

    assert audit.audited == len(SIGNED_IN_PAGES) + 1
    assert browsers.problems() == {}
    audit.done()


def _fresh_staff(app) -> Account:
    with Session(app.extensions["portal.engine"], expire_on_commit=False) as session:
        return _staff(session, app, "privacy_officer")[1]


# --- 3: nothing scrolls sideways at 320 px, with the language menu closed and open ----------------


@pytest.mark.parametrize("code", ["en", "ar", "am"])
def test_no_sideways_scrolling_at_320px_with_the_language_menu(browsers, live_url, code):
    audit = Audit(code)
    waiting = main_visits(browsers, live_url, code, NARROW)
    audit.load(waiting)
    while waiting:
        visit = waiting.pop(0)
        menu = visit.page.locator("details.portal-languages")
        expect(menu).not_to_have_attribute("open", "")
        audit.fits(visit.page, "language menu closed")
        menu.locator("summary").click()
        expect(menu).to_have_attribute("open", "")
        expect(menu.locator("a[hreflang]")).to_have_count(len(LOCALES))
        expect(menu.locator(f"a[hreflang='{i18n.locale_info('am').tag}']")).to_be_visible()
        audit.fits(visit.page, "language menu open")
        menu.locator("summary").click()  # closed again (it opens over the page)
        expect(menu).not_to_have_attribute("open", "")
        if visit.then is not None:
            audit.arrive(visit.then)
            waiting.append(visit.then)
    assert audit.fitted == 10
    assert browsers.problems() == {}
    audit.done()


# --- 4: keyboard only -----------------------------------------------------------------------------


def tab_to(page: Page, selector: str, limit: int = 80) -> dict:
    """Press Tab until the focused element matches `selector`; its focus style."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return page.evaluate(FOCUS_STYLE)
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")


def assert_focus_visible(style: dict | None) -> None:
    assert style is not None, "focus is on the page itself"
    assert style["focusVisible"], style
    assert style["outlineStyle"] != "none" and float(style["outlineWidth"].removesuffix("px")) > 0, style


@pytest.fixture
def keyboard_page(browsers) -> Iterator[Callable[..., Page]]:
    """keyboard_page(cookie=None) -> a page in a fresh context (htmx live, as most visitors have
    it; signed in with the session `cookie`), closed after the test."""
    contexts = []

    def open_page(cookie: str | None = None) -> Page:
        context = browsers.new_context(cookie, htmx=True, axe=False)
        contexts.append(context)
        return watch_page(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


def test_keyboard_opens_the_language_menu_and_chooses_arabic(keyboard_page, live_url):
    page = keyboard_page()
    goto(page, f"{live_url}/en/")
    assert_h1(page, expected_h1("en", "home"))
    menu = page.locator("details.portal-languages")
    expect(menu).not_to_have_attribute("open", "")

    summary = tab_to(page, "details.portal-languages > summary")
    assert_focus_visible(summary)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    arabic = tab_to(page, "details.portal-languages a[hreflang='ar']")
    assert_focus_visible(arabic)
    assert arabic["text"] == i18n.locale_info("ar").name, arabic
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert path_of(page) == "/ar/", page.url
    assert_h1(page, expected_h1("ar", "home"))
    assert_locale(page, "ar")
    expect(page.locator("details.portal-languages a[aria-current=true]")).to_have_attribute("hreflang", "ar")
    # On the Arabic page the keyboard goes on where a reader expects: the skip link first, seen.
    page.keyboard.press("Tab")
    expect(page.locator("a.usa-skipnav")).to_be_focused()
    assert_focus_visible(page.evaluate(FOCUS_STYLE))
    assert page.problems == []  # type: ignore[attr-defined]


def test_keyboard_looks_a_case_up_and_signs_in_in_arabic(keyboard_page, portal_app, live_url):
    page = keyboard_page()
    goto(page, f"{live_url}/ar/")
    page.wait_for_function("() => window.htmx !== undefined")
    assert_focus_visible(tab_to(page, "#receipt_number"))
    page.keyboard.type(FOUND_RECEIPT)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/status")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(page.locator("#lookup #case-heading")).to_contain_text("I-485")
    assert_h1(page, expected_h1("ar", "home"))  # swapped in place by htmx

    address = _fresh_applicant(portal_app)
    page.goto(f"{live_url}/ar/account/login")
    assert_h1(page, expected_h1("ar", "login"))
    assert_focus_visible(tab_to(page, "#email"))
    page.keyboard.type(address)
    assert_focus_visible(tab_to(page, "#password"))
    page.keyboard.type(PASSWORD)
    assert_focus_visible(tab_to(page, "main form button[type=submit]"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/ar/cases/", page.url
    assert_h1(page, normalize_space(tr("ar", "My cases")))
    assert_locale(page, "ar")
    assert page.problems == []  # type: ignore[attr-defined]


def _fresh_applicant(app) -> str:
    address = unique_email()
    with Session(app.extensions["portal.engine"]) as session:
        accounts.create_confirmed_user(session, address, PASSWORD, "applicant", app.extensions["portal.hasher"],
                                       datetime.now(UTC))
    return address


def test_keyboard_files_a_privacy_request(keyboard_page, portal_app, live_url):
    page = keyboard_page(_session_cookie(portal_app, Account(_fresh_applicant(portal_app))))
    goto(page, f"{live_url}/en/requests/")
    assert_h1(page, expected_h1("en", "requests"))

    assert_focus_visible(tab_to(page, "main a[href$='/requests/new']"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/en/requests/new", page.url
    assert_h1(page, expected_h1("en", "new"))

    radio = tab_to(page, "input[name=kind]")  # the group's first radio: a copy of my records
    assert_focus_visible(radio)
    page.keyboard.press("Space")
    expect(page.locator("#kind-0")).to_be_checked()
    assert_focus_visible(tab_to(page, "#description"))
    page.keyboard.type("My whole A-File, 2019 to now.")
    assert_focus_visible(tab_to(page, "#declaration_name"))
    page.keyboard.type("Ana Keyboard")
    declaration = tab_to(page, "#declaration")
    assert_focus_visible(declaration)
    page.keyboard.press("Space")
    expect(page.locator("#declaration")).to_be_checked()
    assert_focus_visible(tab_to(page, "main form button[type=submit]"))
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value is not None and navigation.value.status == 200

    match = re.fullmatch(r"/en/requests/([^/?#]+)", path_of(page))
    assert match, page.url
    number = re.search(r"PR-\d{4}-\d{6}", page.locator("h1").inner_text())
    assert number, page.locator("h1").inner_text()
    assert_h1(page, expected_h1("en", "request", number.group(0)))
    expect(page.locator("main [role=status]")).to_contain_text(number.group(0))  # the flash message
    expect(page.locator("#request-status")).to_have_text("Submitted")
    assert page.problems == []  # type: ignore[attr-defined]
