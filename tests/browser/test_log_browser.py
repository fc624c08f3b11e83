"""Who accessed my data and the public statistics in a real Chromium: axe-core on the log (first
page with its summary, and filtered), the "this looks wrong" page, the statistics page and cases
like mine, in English and Arabic, with JavaScript and without; the log's filters swapped in by
htmx (and a plain GET without JavaScript); keyboard only; no sideways scrolling at 320 px; the
summary chart.

One applicant for the module, with its own case and A-number (so reads recorded by other browser
modules never change its counts), seeded through the real ingest API: 52 ICE entries, 5 from CBP
(one retracted), 3 from the FBI, 2 withheld until next year and 1 withheld with no date, all
within the last 12 months; 60 shown, so the log has two pages (50 a page). 20 I-765 cases filed
online (ELIS) in March 2025, 12 approved two weeks ago, for "cases like mine".

The applicant signs in once with the test client; its session cookie goes into three contexts for
the module: JavaScript on (htmx live), JavaScript off, and JavaScript on with htmx blocked (where
axe-core audits what the JavaScript-off browser showed: axe-core cannot run where scripts are
disabled, it waits on timers that never fire). Every test asserts the page's own h1; Arabic
headings come from the catalog the templates use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Response, expect
from sqlmodel import Session

from portal.core.ingest import create_api_client
from tests.browser.conftest import (
    DEFAULT_VIEWPORT,
    TIMEOUT_MS,
    assert_catalog_h1,
    assert_no_axe_violations,
    tr,
    watch_page,
)
from tests.browser.test_account_browser import NARROW, assert_fits, assert_language, create_confirmed_account
from tests.factories import access_event, case_event
from tests.helpers import link as client_link
from tests.helpers import sign_in as client_sign_in

pytestmark = pytest.mark.browser

LANGS = ["en", "ar"]
LOG_RECEIPT = "MSC2190000777"  # this module's applicant's own I-485
LOG_A_NUMBER = "A087654321"
LOG_ACCESS_CODE = "LOG-CODE-7"
PAGE_SIZE = 50  # portal.core.access_log.PAGE_SIZE
ICE_SHOWN, CBP_SHOWN, FBI_SHOWN = 52, 5, 3  # CBP's five include the retracted one
SHOWN = ICE_SHOWN + CBP_SHOWN + FBI_SHOWN
COHORT = {"form": "I-765", "office": "ELIS", "month": "2025-03"}
COHORT_CASES, COHORT_APPROVED = 20, 12

H1_LOG = "Who accessed my data"
H1_WRONG = "This entry looks wrong"
H1_STATISTICS = "Access statistics"
H1_CASES = "Cases like mine"
CBP_NAME = "U.S. Customs and Border Protection"
ICE_NAME = "U.S. Immigration and Customs Enforcement"

SETTLED = "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 60),
          rel: el.getAttribute('rel'), outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
          focusVisible: el.matches(':focus-visible')};
}"""
# Tables wider than the page must scroll inside a container a keyboard can reach (tabindex=0).
UNREACHABLE_WIDE_TABLES = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main table')]
    .filter(t => t.getBoundingClientRect().width > width)
    .filter(t => !t.closest('.usa-table-container--scrollable[tabindex="0"]'))
    .map(t => (t.caption ? t.caption.textContent : t.className).trim());
}"""


# --- helpers --------------------------------------------------------------------------------------




def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _post(app, endpoint: str, token: str, events: list[dict]) -> None:
    response = app.test_client().post(f"/api/v1/{endpoint}", json={"events": events},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)[:2000]
    body = response.get_json()
    assert not body["rejected"] and len(body["accepted"]) == len(events), body


def entries(page: Page):
    return page.locator("#log-results li.portal-log-entry")


def result_count(page: Page):
    return page.locator("#log-status")  # outside the swapped results, so it is announced


def filter_form(page: Page):
    return page.locator("main form[role=search]")


def log_query(page: Page) -> dict[str, list[str]]:
    parts = urlsplit(page.url)
    assert parts.path.endswith("/log/"), page.url
    return parse_qs(parts.query)


def is_log_get(response: Response) -> bool:
    return response.request.method == "GET" and urlsplit(response.url).path.endswith("/log/")


def htmx_get(page: Page, action) -> Response:
    """Do `action` (a click or key press) with htmx live; the fragment's response, once swapped."""
    with page.expect_response(is_log_get) as answer:
        action()
    response = answer.value
    assert response.request.headers.get("hx-request") == "true", "htmx did not send this request"
    page.wait_for_function(SETTLED)
    return response


def plain_get(page: Page, action) -> Response:
    """Do `action` with JavaScript off; the browser navigates with a plain GET."""
    with page.expect_navigation() as navigation:
        action()
    response = navigation.value
    assert response is not None and response.request.method == "GET", response
    assert response.request.headers.get("hx-request") is None
    return response


def goto_ok(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert page.url == url, page.url  # not sent to sign in


def audit_without_javascript(nojs_page: Page, audit_page: Page) -> None:
    """axe-core on the DOM the JavaScript-off page shows. axe-core cannot run where scripts are
    off, so the same DOM is served at the same URL to `audit_page` (htmx blocked: no script runs
    there either) with the same styles and images, and audited there."""
    url, markup = nojs_page.url, nojs_page.content()
    assert nojs_page.evaluate("() => typeof window.htmx") == "undefined"  # scripts never ran

    heading = nojs_page.locator("h1").inner_text()
    served = []

    def serve(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=markup)

    def same_url(candidate: str) -> bool:
        return candidate == url

    audit_page.route(same_url, serve)
    try:
        audit_page.goto(url)
        assert served == [url], served
        expect(audit_page.locator("h1")).to_have_text(heading)
        assert_no_axe_violations(audit_page)
    finally:
        audit_page.unroute(same_url, serve)


# --- fixtures -------------------------------------------------------------------------------------


def _seed_cases(app, token: str) -> None:
    """The applicant's own case, and the cohort for cases like mine."""
    own = case_event(receipt_number=LOG_RECEIPT, form_type="I-485", occurred_at="2025-01-10T14:00:00Z",
                     status="case_received", office="NBC",
                     parties=[{"role": "applicant", "a_number": LOG_A_NUMBER, "access_code": LOG_ACCESS_CODE,
                               "given_name": "Lark", "family_name": "Logbook"}])
    approved_at = _timestamp(datetime.now(UTC) - timedelta(days=14))
    cohort = []
    for n in range(1, COHORT_CASES + 1):
        receipt = f"IOE25{n:08d}"
        cohort.append(case_event(receipt_number=receipt, form_type="I-765", office="ELIS",
                                 status="case_received", occurred_at="2025-03-10T12:00:00Z"))
        if n <= COHORT_APPROVED:
            cohort.append(case_event(receipt_number=receipt, form_type="I-765", office="ELIS",
                                     status="case_approved", occurred_at=approved_at))
    _post(app, "case-events", token, [own, *cohort])


def _seed_access_events(app, tokens: dict[str, str]) -> None:
    now = datetime.now(UTC)
    subject = {"a_number": LOG_A_NUMBER}

    def at(days: int, hours: int = 0) -> str:
        return _timestamp(now - timedelta(days=days, hours=hours))

    next_year = (now + timedelta(days=365)).date().isoformat()
    ice = [access_event(subject=subject, occurred_at=at(5 * i, hours=i % 7)) for i in range(1, ICE_SHOWN + 1)]
    ice += [access_event(subject=subject, occurred_at=at(3), withheld={"exemption": "(j)(2)", "until": next_year}),
            access_event(subject=subject, occurred_at=at(4), withheld={"exemption": "(j)(2)", "until": next_year}),
            access_event(subject=subject, occurred_at=at(6), withheld={"exemption": "(k)(2)"})]
    cbp = [access_event(subject=subject, agency="CBP", component="OFO", system="TECS", purpose="border_inspection",
                        authority={"statute": "INA 235"}, data_categories=["travel"], occurred_at=at(7 * i + 2))
           for i in range(CBP_SHOWN)]
    fbi = [access_event(subject=subject, agency="FBI", component=None, system="NGI", purpose="background_check",
                        authority={"sorn": "DHS/USCIS-018", "routine_use": "E"}, data_categories=["biometric"],
                        occurred_at=at(11 * i + 9)) for i in range(FBI_SHOWN)]
    _post(app, "access-events", tokens["ICE"], ice)
    _post(app, "access-events", tokens["CBP"], cbp)
    _post(app, "access-events", tokens["FBI"], fbi)
    retraction = {"event_id": f"{cbp[0]['event_id']}-fix", "retracts": cbp[0]["event_id"],
                  "reason": "The wrong person's file was opened."}
    _post(app, "access-events", tokens["CBP"], [retraction])


@pytest.fixture(scope="module")
def applicant_cookie(portal_app) -> str:
    """Seed through the ingest API; sign the applicant in and link its case (the test client,
    through the real pages); its session cookie."""
    with Session(portal_app.extensions["portal.engine"]) as session:
        tokens = {agency: create_api_client(session, agency, "log browser tests")[1]
                  for agency in ("USCIS", "ICE", "CBP", "FBI")}
    _seed_cases(portal_app, tokens["USCIS"])
    _seed_access_events(portal_app, tokens)
    client = portal_app.test_client()
    response = client_sign_in(client, email=create_confirmed_account(portal_app))
    assert response.status_code == 302, response.status_code
    response = client_link(client, LOG_RECEIPT, LOG_ACCESS_CODE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = client.get("/en/log/").get_data(as_text=True)  # the seed is what the tests expect
    assert html.count('<li class="portal-log-entry') == PAGE_SIZE, html[:2000]
    cookie = client.get_cookie(portal_app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


class LogPages:
    """The signed-in applicant's pages, one per kind of browser, each in its own context."""

    def __init__(self, chromium, app, live_url: str, cookie: str) -> None:
        self._pages: dict[str, Page] = {}
        for kind in ("js", "nojs", "audit"):
            context = chromium.new_context(java_script_enabled=kind != "nojs", locale="en-US",
                                           viewport=DEFAULT_VIEWPORT)
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            if kind == "audit":
                context.route("**/vendor/htmx/htmx.min.js", lambda route: route.abort())
            context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": live_url,
                                  "httpOnly": True, "sameSite": "Lax"}])
            self._pages[kind] = watch_page(context.new_page())

    def open(self, kind: str = "js", *, viewport: dict | None = None) -> Page:
        """"js" (htmx live), "nojs" (JavaScript off) or "audit" (JavaScript on, htmx blocked)."""
        page = self._pages[kind]
        page.goto("about:blank")
        page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        page.problems.clear()  # type: ignore[attr-defined]
        return page

    def problems(self) -> dict[str, list[str]]:
        return {kind: page.problems for kind, page in self._pages.items() if page.problems}  # type: ignore[attr-defined]

    def close(self) -> None:
        for page in self._pages.values():
            page.context.close()


@pytest.fixture(scope="module")
def log_pages(chromium, portal_app, live_url, applicant_cookie) -> Iterator[LogPages]:
    pages = LogPages(chromium, portal_app, live_url, applicant_cookie)
    yield pages
    pages.close()


@dataclass(frozen=True)
class Urls:
    base: str

    def log(self, lang: str, query: str = "") -> str:
        return f"{self.base}/{lang}/log/" + (f"?{query}" if query else "")

    def statistics(self, lang: str) -> str:
        return f"{self.base}/{lang}/statistics/"

    def cases(self, lang: str) -> str:
        return f"{self.base}/{lang}/statistics/cases?form={COHORT['form']}&office={COHORT['office']}" \
               f"&month={COHORT['month']}"


@pytest.fixture(scope="module")
def urls(live_url, applicant_cookie) -> Urls:
    """The pages' addresses, once the seed is in (the statistics are computed on first view)."""
    return Urls(live_url)


# --- checks of each page's content ----------------------------------------------------------------


def check_first_page(page: Page, lang: str) -> None:
    """The first, unfiltered page: the summary (chart and table), the withheld box, 50 entries,
    the retracted one struck through, and an "Older entries" link."""
    assert_catalog_h1(page, lang, H1_LOG)
    assert_language(page, lang)
    expect(page.locator("main section.portal-summary img.portal-chart")).to_have_count(1)
    expect(page.locator("main .portal-summary-table tbody tr")).to_have_count(3)
    withheld = page.locator("#log-results .portal-withheld")
    expect(withheld).to_have_count(1)
    expect(withheld.locator("li")).to_have_count(2)
    expect(entries(page)).to_have_count(PAGE_SIZE)
    expect(page.locator("#log-results li.portal-retracted")).to_have_count(1)
    expect(page.locator("#log-results li.portal-retracted h3 s")).to_have_count(1)
    expect(page.locator("#log-results a[rel=next]")).to_have_count(1)
    expect(result_count(page)).to_have_attribute("aria-live", "polite")
    if lang == "en":
        expect(result_count(page)).to_have_text(f"Showing {PAGE_SIZE} entries, newest first.")
        expect(withheld.locator("li").first).to_contain_text("2 entries are withheld under")
        expect(withheld.locator("li").nth(1)).to_contain_text(re.compile(
            r"1 entry is withheld under 5 U\.S\.C\. 552a\(k\)\(2\).*, with no date set for showing it\."))
        expect(page.locator("#log-results li.portal-retracted h3 s")).to_contain_text(CBP_NAME)
        expect(page.locator("#log-results li.portal-retracted")).to_contain_text("Corrected by the agency on")


def check_cbp_page(page: Page, lang: str) -> None:
    """Filtered by agency=CBP: its five entries (one retracted), no "Older entries"."""
    assert_catalog_h1(page, lang, H1_LOG)
    assert log_query(page).get("agency") == ["CBP"], page.url
    expect(page.locator("#agency")).to_have_value("CBP")
    expect(entries(page)).to_have_count(CBP_SHOWN)
    expect(page.locator("#log-results li.portal-retracted")).to_have_count(1)
    expect(page.locator("#log-results a[rel=next]")).to_have_count(0)
    expect(result_count(page)).to_have_attribute("aria-live", "polite")
    if lang == "en":
        expect(result_count(page)).to_have_text(f"Showing {CBP_SHOWN} entries, newest first.")
        expect(entries(page).locator("h3")).to_have_text([CBP_NAME + " · Office of Field Operations"] * CBP_SHOWN)


def check_statistics(page: Page, lang: str) -> None:
    assert_catalog_h1(page, lang, H1_STATISTICS)
    assert_language(page, lang)
    expect(page.locator("main img.portal-chart")).to_have_count(2)
    expect(page.locator("main .usa-table-container--scrollable[tabindex='0'] table")).to_have_count(2)
    ice_row = page.locator("#agency-caption + thead + tbody tr").filter(has_text=tr(lang, ICE_NAME))
    expect(ice_row).to_have_count(1)


def check_cases(page: Page, lang: str) -> None:
    assert_catalog_h1(page, lang, H1_CASES)
    assert_language(page, lang)
    result = page.locator("#cohort-result")
    expect(result).to_have_attribute("aria-live", "polite")
    expect(result.locator("h2")).to_have_count(1)
    expect(result.locator("table")).to_have_count(2)  # where the cases are now; changes by week
    expect(result.locator(".usa-table-container--scrollable[tabindex='0'] table")).to_have_count(1)
    if lang == "en":
        expect(result.locator("h2")).to_have_text(
            "Form I-765 filed at the Online filing (USCIS Electronic Immigration System) in Mar 2025")
        expect(result).to_contain_text(f"{COHORT_CASES} cases in all.")
        expect(result).to_contain_text(f"{COHORT_APPROVED} of these cases have a decision.")


# --- 1: axe-core ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_no_axe_violations_with_javascript(log_pages, pages, urls, lang):
    page = log_pages.open("js")
    failures = []

    def audit(page: Page) -> None:
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:  # check every page, then report them all
            failures.append(str(error))

    goto_ok(page, urls.log(lang))
    check_first_page(page, lang)
    audit(page)

    # The filtered page as htmx leaves it (the results swapped into the first page).
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#agency").select_option("CBP")
    htmx_get(page, lambda: filter_form(page).locator("button[type=submit]").click())
    check_cbp_page(page, lang)
    audit(page)

    wrong_href = entries(page).first.locator("a[href*='/log/entry/']").get_attribute("href")
    assert wrong_href and re.fullmatch(rf"/{lang}/log/entry/\d+/wrong", wrong_href), wrong_href
    goto_ok(page, urls.base + wrong_href)
    assert_catalog_h1(page, lang, H1_WRONG)
    assert_language(page, lang)
    expect(page.locator("#entry-heading")).to_contain_text(tr(lang, CBP_NAME))
    audit(page)

    public = pages.open()  # anonymous, JavaScript on
    goto_ok(public, urls.statistics(lang))
    check_statistics(public, lang)
    audit(public)
    goto_ok(public, urls.cases(lang))
    check_cases(public, lang)
    audit(public)

    assert log_pages.problems() == {}
    assert pages.problems(public) == []
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("lang", LANGS)
def test_no_axe_violations_without_javascript(log_pages, pages, urls, lang):
    nojs, audit_page = log_pages.open("nojs"), log_pages.open("audit")
    failures = []

    def audit(page: Page, auditor: Page) -> None:
        try:
            audit_without_javascript(page, auditor)
        except AssertionError as error:
            failures.append(str(error))

    goto_ok(nojs, urls.log(lang))
    check_first_page(nojs, lang)
    audit(nojs, audit_page)
    goto_ok(nojs, urls.log(lang, "agency=CBP"))
    check_cbp_page(nojs, lang)
    expect(nojs.locator("main section.portal-summary")).to_have_count(0)  # first unfiltered page only
    audit(nojs, audit_page)

    public_nojs, public_audit = pages.open(javascript=False), pages.open(htmx=False)
    goto_ok(public_nojs, urls.statistics(lang))
    check_statistics(public_nojs, lang)
    audit(public_nojs, public_audit)
    goto_ok(public_nojs, urls.cases(lang))
    check_cases(public_nojs, lang)
    audit(public_nojs, public_audit)
    assert not failures, "\n\n".join(failures)


# --- 2: filters and pages with htmx, and as plain GETs without JavaScript -------------------------


def test_filters_and_pages_swap_in_place_with_javascript(log_pages, urls):
    page = log_pages.open("js")
    goto_ok(page, urls.log("en"))
    check_first_page(page, "en")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__samePage = true }")  # gone if the browser navigates

    page.locator("#agency").select_option("CBP")
    response = htmx_get(page, lambda: filter_form(page).locator("button[type=submit]").click())
    assert response.status == 200
    assert page.evaluate("() => window.__samePage") is True, "a full page load, not a swap"
    check_cbp_page(page, "en")  # the URL was pushed with the filter
    live = page.locator("[aria-live]").filter(has_text=f"Showing {CBP_SHOWN} entries, newest first.")
    expect(live).to_have_count(1)
    expect(page.locator("#log-results")).to_have_count(1)
    expect(page.locator("form[role=search]")).to_have_count(1)  # the form was not swapped in twice

    # Back to every agency, then the older entries: page 2 swaps in too.
    page.locator("#agency").select_option("")
    htmx_get(page, lambda: filter_form(page).locator("button[type=submit]").click())
    expect(result_count(page)).to_have_text(f"Showing {PAGE_SIZE} entries, newest first.")
    older = page.locator("#log-results a[rel=next]")
    expect(older).to_have_text("Older entries")
    response = htmx_get(page, older.click)
    assert response.status == 200
    assert page.evaluate("() => window.__samePage") is True
    assert "before" in log_query(page), page.url
    assert_catalog_h1(page, "en", H1_LOG)
    expect(entries(page)).to_have_count(SHOWN - PAGE_SIZE)
    expect(result_count(page)).to_have_text(f"Showing {SHOWN - PAGE_SIZE} entries, newest first.")
    expect(page.locator("#log-results a[rel=next]")).to_have_count(0)
    expect(page.locator("#log-results .portal-pages a")).to_have_text(["Newest entries"])
    assert log_pages.problems() == {}


def test_filters_and_pages_are_plain_gets_without_javascript(log_pages, urls):
    page = log_pages.open("nojs")
    goto_ok(page, urls.log("en"))
    check_first_page(page, "en")

    page.locator("#agency").select_option("CBP")
    response = plain_get(page, lambda: filter_form(page).locator("button[type=submit]").click())
    assert response.status == 200
    check_cbp_page(page, "en")

    page.locator("#agency").select_option("ICE")
    plain_get(page, lambda: filter_form(page).locator("button[type=submit]").click())
    assert log_query(page).get("agency") == ["ICE"]
    expect(entries(page)).to_have_count(PAGE_SIZE)
    response = plain_get(page, page.locator("#log-results a[rel=next]").click)
    assert response.status == 200
    query = log_query(page)
    assert query.get("agency") == ["ICE"] and "before" in query, page.url  # the filter is kept
    assert_catalog_h1(page, "en", H1_LOG)
    expect(entries(page)).to_have_count(ICE_SHOWN - PAGE_SIZE)
    expect(result_count(page)).to_have_text(f"Showing {ICE_SHOWN - PAGE_SIZE} entries, newest first.")
    expect(entries(page).locator("h3")).to_have_text([ICE_NAME + " · Enforcement and Removal Operations"]
                                                     * (ICE_SHOWN - PAGE_SIZE))


# --- 3: keyboard only -----------------------------------------------------------------------------


def tab_to(page: Page, selector: str, limit: int = 120) -> dict:
    """Press Tab until the focused element matches `selector`; its focus style."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return page.evaluate(FOCUS_STYLE)
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def assert_focus_visible(style: dict | None) -> None:
    assert style is not None, "focus is on the page itself"
    assert style["focusVisible"], style
    assert style["outlineStyle"] != "none" and float(style["outlineWidth"].removesuffix("px")) > 0, style


def test_keyboard_only_filter_and_older_entries(log_pages, urls):
    page = log_pages.open("js")
    goto_ok(page, urls.log("en"))
    assert_catalog_h1(page, "en", H1_LOG)
    page.wait_for_function("() => window.htmx !== undefined")

    assert_focus_visible(tab_to(page, "select#agency"))
    for _press in range(12):  # arrow keys change a closed select's choice
        if page.locator("#agency").input_value() == "ICE":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#agency")).to_have_value("ICE")

    assert_focus_visible(tab_to(page, "form[role=search] button[type=submit]"))
    htmx_get(page, lambda: page.keyboard.press("Space"))
    assert log_query(page).get("agency") == ["ICE"], page.url
    expect(entries(page)).to_have_count(PAGE_SIZE)

    older = tab_to(page, "#log-results a[rel=next]")
    assert_focus_visible(older)
    assert older["text"] == "Older entries", older
    htmx_get(page, lambda: page.keyboard.press("Enter"))
    query = log_query(page)
    assert query.get("agency") == ["ICE"] and "before" in query, page.url
    assert_catalog_h1(page, "en", H1_LOG)
    expect(entries(page)).to_have_count(ICE_SHOWN - PAGE_SIZE)
    # Onward from page 2 by keyboard: the "Newest entries" link is reachable and shows its focus.
    newest = tab_to(page, "#log-results .portal-pages a")
    assert_focus_visible(newest)
    assert newest["text"] == "Newest entries", newest
    assert log_pages.problems() == {}


# 'Older entries' is inside the #log-results it swaps: the new page's first month heading takes the
# focus (autofocus), or it would fall to <body> and the next Tab would skip to the footer.
def test_keyboard_focus_stays_in_the_log_after_older_entries(log_pages, urls):
    page = log_pages.open("js")
    goto_ok(page, urls.log("en"))
    page.wait_for_function("() => window.htmx !== undefined")
    assert_focus_visible(tab_to(page, "#log-results a[rel=next]"))
    htmx_get(page, lambda: page.keyboard.press("Enter"))
    expect(entries(page)).to_have_count(SHOWN - PAGE_SIZE)
    in_main = page.evaluate("() => document.activeElement !== document.body"
                            " && document.querySelector('main').contains(document.activeElement)")
    assert in_main, f"focus fell to <{page.evaluate('() => document.activeElement.tagName.toLowerCase()')}>"


# --- 4: nothing scrolls sideways at 320 px --------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_no_sideways_scrolling_at_320px(log_pages, pages, urls, lang):
    failures = []

    def fits(page: Page) -> None:
        try:
            assert_fits(page)
            unreachable = page.evaluate(UNREACHABLE_WIDE_TABLES)
            assert unreachable == [], f"{page.url}: wide tables outside a focusable scroll container: {unreachable}"
        except AssertionError as error:
            failures.append(str(error))

    page = log_pages.open("js", viewport=NARROW)
    goto_ok(page, urls.log(lang))
    check_first_page(page, lang)
    fits(page)
    goto_ok(page, urls.log(lang, "agency=CBP"))
    check_cbp_page(page, lang)
    fits(page)

    public = pages.open(viewport=NARROW)
    goto_ok(public, urls.statistics(lang))
    check_statistics(public, lang)
    fits(public)
    goto_ok(public, urls.cases(lang))
    check_cases(public, lang)
    fits(public)
    assert not failures, "\n".join(failures)


# --- 5: the summary chart -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_summary_chart_loads_with_alt_text(log_pages, urls, lang):
    page = log_pages.open("js")
    with page.expect_response(lambda r: r.url.endswith("/log/summary.svg")) as chart_response:
        goto_ok(page, urls.log(lang))
    assert chart_response.value.status == 200
    assert chart_response.value.headers["content-type"].startswith("image/svg+xml")
    assert_catalog_h1(page, lang, H1_LOG)
    chart = page.locator("main section.portal-summary img.portal-chart")
    expect(chart).to_have_count(1)
    assert chart.get_attribute("src") == f"/{lang}/log/summary.svg"
    page.wait_for_function("img => img.complete", arg=chart.element_handle())
    assert chart.evaluate("img => img.naturalWidth") > 0, "the summary chart did not load"
    alt = (chart.get_attribute("alt") or "").strip()
    assert alt, "the summary chart has no alt text"
    # The table beside it gives the same figures, and the alt text their total.
    rows = page.locator("main .portal-summary-table tbody tr")
    expect(rows).to_have_count(3)
    counts = [int(text) for text in rows.locator("td:last-child").all_inner_texts()]
    if lang == "en":
        assert re.fullmatch(rf"A bar chart of {sum(counts)} accesses since \w+ \d+, \d{{4}} by agency and purpose; "
                            r"the table below gives the same figures\.", alt), (alt, counts)
        expect(rows.nth(0)).to_have_text(re.compile(rf"^{ICE_NAME}\s*Law enforcement\s*{ICE_SHOWN}$"))
        expect(rows.nth(1)).to_contain_text(f"{CBP_NAME}Border inspection")
        expect(rows.nth(2)).to_have_text(
            re.compile(rf"^Federal Bureau of Investigation\s*Background and security check\s*{FBI_SHOWN}$"))
    assert log_pages.problems() == {}
