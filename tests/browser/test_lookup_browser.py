"""The case status lookup in a real Chromium: with JavaScript (htmx swaps #lookup in place) and
without (plain form posts), protected cases, axe-core, a 320 px viewport and the skip link.

Every test asserts the page's own h1, so an error page cannot pass for a result. Arabic pages
are checked against what the server renders for the same page (the catalog may be unfinished)
and by their lang/dir attributes, never by hard-coded Arabic text.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import (
    FOUND_RECEIPT,
    MALFORMED_RECEIPT,
    PROTECTED_RECEIPT,
    UNKNOWN_RECEIPT,
    assert_no_axe_violations,
    normalize_space,
    server_h1,
)

pytestmark = pytest.mark.browser

HOME_H1 = "Check your case status"
FOUND_H1 = "Your case status"
NOT_FOUND_H1 = "No case found"
RATE_LIMITED_H1 = "Too many requests"
NOT_FOUND_H2 = "We could not find this case"
TRANSFERRED = "Case Was Transferred"  # in the found case's history table
DIRECTION = {"en": "ltr", "ar": "rtl"}


# --- helpers --------------------------------------------------------------------------------------


def assert_h1(page: Page, expected: str) -> None:
    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    expect(heading).to_have_text(expected)


def assert_language(page: Page, lang: str) -> None:
    root = page.locator("html")
    expect(root).to_have_attribute("lang", lang)
    expect(root).to_have_attribute("dir", DIRECTION[lang])


def is_lookup_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/status")


def post_form(page: Page, receipt_number: str) -> Response:
    """Type a receipt number and submit; the form posts and the browser navigates (no htmx)."""
    page.locator("#receipt_number").fill(receipt_number)
    with page.expect_navigation() as navigation:
        page.locator("#lookup button[type=submit]").click()
    response = navigation.value
    assert response is not None and is_lookup_post(response), response
    assert response.request.headers.get("hx-request") is None, "htmx sent this request"
    return response


def htmx_submit(page: Page, receipt_number: str) -> Response:
    """Type and submit with htmx active; returns the fragment's response (no navigation)."""
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#receipt_number").fill(receipt_number)
    with page.expect_response(is_lookup_post) as answer:
        page.locator("#lookup button[type=submit]").click()
    response = answer.value
    assert response.request.headers.get("hx-request") == "true", "the form was not sent by htmx"
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    return response


def reach_rate_limit(page: Page, url: str) -> Response:
    """Submit (a real form post) until the one-a-minute limit answers 429."""
    page.goto(url)
    for _attempt in range(3):
        response = post_form(page, FOUND_RECEIPT)
        if response.status == 429:
            return response
        assert response.status == 200, response.status
    pytest.fail("the 1/minute lookup limit never answered 429")


# --- 1 and 2: the lookup flow with and without JavaScript ----------------------------------------


def test_lookup_with_javascript_swaps_the_result_into_the_page(pages, live_url):
    page = pages.open()
    home = f"{live_url}/en/"
    page.goto(home)
    assert_h1(page, HOME_H1)
    page.evaluate("() => { window.__samePage = true }")  # gone if the browser navigates
    lookup = page.locator("#lookup")

    response = htmx_submit(page, FOUND_RECEIPT)
    assert response.status == 200
    expect(lookup.get_by_text(TRANSFERRED, exact=True)).to_be_visible()
    expect(lookup.locator("#case-heading")).to_contain_text("I-485")
    assert_h1(page, HOME_H1)  # the page's heading stays; only #lookup was replaced
    expect(page.locator("#lookup")).to_have_count(1)
    assert page.url == home
    assert page.evaluate("() => window.__samePage") is True

    response = htmx_submit(page, UNKNOWN_RECEIPT)
    assert response.status == 404
    expect(lookup.get_by_role("heading", level=2, name=NOT_FOUND_H2)).to_be_visible()
    expect(lookup.get_by_text(TRANSFERRED, exact=True)).to_have_count(0)
    assert_h1(page, HOME_H1)
    assert page.url == home

    response = htmx_submit(page, MALFORMED_RECEIPT)
    assert response.status == 400
    field = page.locator("#receipt_number")
    expect(page.locator("#receipt-error")).to_be_visible()
    expect(field).to_have_value(MALFORMED_RECEIPT)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "receipt-hint receipt-error")
    expect(lookup.get_by_role("heading", level=2, name=NOT_FOUND_H2)).to_have_count(0)
    assert_h1(page, HOME_H1)
    assert page.url == home
    assert page.evaluate("() => window.__samePage") is True
    assert pages.problems(page) == []  # no uncaught errors, nothing refused by the CSP


def test_lookup_without_javascript_posts_the_form(open_page, live_url):
    page = open_page(javascript=False)
    page.goto(f"{live_url}/en/")
    assert_h1(page, HOME_H1)

    response = post_form(page, FOUND_RECEIPT)
    assert response.status == 200
    assert page.url == f"{live_url}/en/status"
    assert_h1(page, FOUND_H1)
    expect(page.get_by_text(TRANSFERRED, exact=True)).to_be_visible()
    expect(page.locator("#case-heading")).to_contain_text("I-485")

    response = post_form(page, UNKNOWN_RECEIPT)
    assert response.status == 404
    assert_h1(page, NOT_FOUND_H1)
    expect(page.get_by_role("heading", level=2, name=NOT_FOUND_H2)).to_be_visible()

    response = post_form(page, MALFORMED_RECEIPT)
    assert response.status == 400
    assert_h1(page, HOME_H1)
    field = page.locator("#receipt_number")
    expect(page.locator("#receipt-error")).to_be_visible()
    expect(field).to_have_value(MALFORMED_RECEIPT)
    expect(field).to_have_attribute("aria-invalid", "true")


# --- 3: a protected case looks exactly like an unknown number -----------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_protected_case_answers_like_an_unknown_number(open_page, live_url, javascript):
    page = open_page(javascript=javascript)
    submit = htmx_submit if javascript else post_form
    seen = {}
    for receipt_number in (UNKNOWN_RECEIPT, PROTECTED_RECEIPT):
        page.goto(f"{live_url}/en/")
        response = submit(page, receipt_number)
        assert_h1(page, HOME_H1 if javascript else NOT_FOUND_H1)
        result = page.locator("#lookup .portal-result")
        expect(result.get_by_role("heading", level=2, name=NOT_FOUND_H2)).to_be_visible()
        seen[receipt_number] = {
            "status": response.status,
            "title": page.title(),
            "h1": page.locator("h1").inner_text(),
            "result text": normalize_space(result.inner_text()),
            "result html": normalize_space(result.inner_html()),
        }
    assert seen[UNKNOWN_RECEIPT]["status"] == 404
    assert seen[PROTECTED_RECEIPT] == seen[UNKNOWN_RECEIPT]


# --- 4: axe-core ----------------------------------------------------------------------------------


AXE_PAGES = ["home", "found", "not-found", "rate-limited"]


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("kind", AXE_PAGES)
def test_no_axe_violations(open_page, portal_app, live_url, limited_app, limited_url, kind, lang):
    # Full pages, as a visitor without JavaScript gets them: JavaScript stays on (axe-core needs
    # it) but htmx is blocked, so the form posts and the browser navigates.
    page = open_page(htmx=False)
    if kind == "home":
        page.goto(f"{live_url}/{lang}/")
        expected = server_h1(portal_app, f"/{lang}/")
        english = HOME_H1
    elif kind == "rate-limited":
        response = reach_rate_limit(page, f"{limited_url}/{lang}/")
        assert response.status == 429
        expected = server_h1(limited_app, f"/{lang}/status", FOUND_RECEIPT, status=429)
        english = RATE_LIMITED_H1
    else:
        receipt_number, status, english = {
            "found": (FOUND_RECEIPT, 200, FOUND_H1),
            "not-found": (UNKNOWN_RECEIPT, 404, NOT_FOUND_H1),
        }[kind]
        page.goto(f"{live_url}/{lang}/")
        assert post_form(page, receipt_number).status == status
        expected = server_h1(portal_app, f"/{lang}/status", receipt_number)
    if lang == "en":
        assert expected == english
    assert_h1(page, expected)
    assert_language(page, lang)
    assert_no_axe_violations(page)


# --- 5: nothing scrolls sideways at 320 px --------------------------------------------------------

WIDEST_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.right > width + 0.5 || r.left < -0.5))
    .slice(0, 10)
    .map(([el, r]) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
      + ` left=${Math.round(r.left)} right=${Math.round(r.right)}`);
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("kind", ["home", "found", "found-in-place"])
def test_no_sideways_scrolling_at_320px(open_page, portal_app, live_url, kind, lang):
    # found: the full result page (no JavaScript); found-in-place: swapped in by htmx.
    page = open_page(javascript=kind != "found", viewport={"width": 320, "height": 640})
    page.goto(f"{live_url}/{lang}/")
    home_h1 = server_h1(portal_app, f"/{lang}/")
    if kind == "found":
        assert post_form(page, FOUND_RECEIPT).status == 200
        assert_h1(page, server_h1(portal_app, f"/{lang}/status", FOUND_RECEIPT))
    else:
        assert_h1(page, home_h1)
        if kind == "found-in-place":
            assert htmx_submit(page, FOUND_RECEIPT).status == 200
            expect(page.locator("#lookup #case-heading")).to_be_visible()
            assert_h1(page, home_h1)
    assert_language(page, lang)
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    overflowing = [] if scroll_width <= 320 else page.evaluate(WIDEST_ELEMENTS)
    assert scroll_width <= 320, f"{page.url} is {scroll_width}px wide; overflowing: {overflowing}"


# --- 6: keyboard ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_skip_link_is_the_first_tab_stop_and_focuses_main(open_page, portal_app, live_url, lang):
    page = open_page()
    page.goto(f"{live_url}/{lang}/")
    assert_h1(page, server_h1(portal_app, f"/{lang}/"))

    page.keyboard.press("Tab")
    skip = page.locator("a.usa-skipnav")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main-content")
    # Off-screen until focused (then it slides in): a sighted keyboard user must see all of it.
    expect(skip).to_be_in_viewport(ratio=1)

    page.keyboard.press("Enter")
    main = page.locator("main#main-content")
    expect(main).to_be_focused()
    assert page.url.endswith("#main-content")
    assert_h1(page, server_h1(portal_app, f"/{lang}/"))
