"""The account flow in a real Chromium: register, confirm by the e-mailed link, sign in, add a case,
see its status and sign out, with JavaScript and without; axe-core on every account page in
English and Arabic; and no sideways scrolling at 320 px.

The account pages carry no htmx: their forms post and the browser navigates, JavaScript or not.
Every test asserts the page's own h1. Arabic headings come from the catalog the templates use
(never hard-coded Arabic), so an unfinished translation is not a failure; English ones are
literal. Each test that signs in gets its own browser context (closed afterwards), so no signed-in
cookie leaks into the shared pages of other tests, and a fresh account (uuid e-mail), so the
per-account throttles (5 failed sign-ins or case links a minute) are never near.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, Response, expect
from sqlmodel import Session

from portal import i18n
from portal.core import accounts
from tests.browser.conftest import (
    DEFAULT_VIEWPORT,
    FOUND_RECEIPT,
    TIMEOUT_MS,
    assert_no_axe_violations,
    watch_page,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
ACCESS_CODE = "LINK-CODE-1"  # tests.factories.case_history: the applicant's code
TYPED_RECEIPT = "msc 219 000 0001"  # FOUND_RECEIPT as a person might type it
CASE_STATUS = "Request for Evidence Was Sent"  # the seeded case's current status
DIRECTION = {"en": "ltr", "ar": "rtl"}
NARROW = {"width": 320, "height": 640}

H1 = {
    "register": "Create an account",
    "check-email": "Check your e-mail",
    "confirm": "Confirm your e-mail address",
    "login": "Sign in",
    "cases": "My cases",
    "link": "Add a case",
    "detail": "Case status",
    "home": "Check your case status",
}
CASE_PATH = re.compile(r"/(en|ar)/cases/([0-9a-f]{32})$")


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def new_page(chromium):
    """new_page(javascript=True, htmx=True, viewport=None) -> a Page in a context of its own.

    Unlike the shared `pages`, each call makes a fresh context (no cookies), closed after the
    test: these tests sign in. `page.problems` collects uncaught errors and CSP refusals.
    """
    contexts = []

    def open_page(*, javascript: bool = True, htmx: bool = True, viewport: dict | None = None) -> Page:
        context = chromium.new_context(java_script_enabled=javascript, locale="en-US",
                                       viewport=viewport or DEFAULT_VIEWPORT)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        if javascript and not htmx:
            context.route("**/vendor/htmx/htmx.min.js", lambda route: route.abort())
        page = context.new_page()
        watch_page(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


# --- helpers --------------------------------------------------------------------------------------


def unique_email() -> str:
    return f"browser-{uuid.uuid4().hex[:16]}@example.com"


def h1_text(lang: str, key: str) -> str:
    """The h1 the server renders for a page: the templates' own catalog lookup."""
    return i18n.translations_for(lang).ugettext(H1[key])


def assert_h1(page: Page, lang: str, key: str) -> None:
    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    expect(heading).to_have_text(h1_text(lang, key))


def assert_language(page: Page, lang: str) -> None:
    root = page.locator("html")
    expect(root).to_have_attribute("lang", lang)
    expect(root).to_have_attribute("dir", DIRECTION[lang])


def submit(page: Page, button: Locator | None = None) -> Response:
    """Click a form's submit button (by default the one form in <main>); the browser posts the
    form and navigates (no htmx here). Returns the final response, after any redirect."""
    button = button or page.locator("main form button[type=submit]")
    expect(button).to_have_count(1)
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None
    first = response.request
    while first.redirected_from is not None:
        first = first.redirected_from
    assert first.method == "POST", f"the form did not post: {first.method} {first.url}"
    assert first.headers.get("hx-request") is None, "htmx sent this request"
    return response


def redirected(response: Response) -> bool:
    return response.request.redirected_from is not None


def fill_registration(page: Page, email_address: str, password: str, confirm: str,
                      language: str | None = None) -> None:
    page.locator("#email").fill(email_address)
    page.locator("#password").fill(password)
    page.locator("#confirm").fill(confirm)
    if language:
        page.locator("#language").select_option(language)


def register(page: Page, live_url: str, lang: str, email_address: str, language: str | None = None) -> None:
    url = f"{live_url}/{lang}/account/register"
    if page.url != url:
        page.goto(url)
    assert_h1(page, lang, "register")
    fill_registration(page, email_address, PASSWORD, PASSWORD, language)
    response = submit(page)
    assert response.status == 200 and redirected(response), response.status
    assert page.url == f"{live_url}/{lang}/account/check-email"
    assert_h1(page, lang, "check-email")


def outbox_messages(app, to: str) -> list[email.message.EmailMessage]:
    """Mail the app wrote for `to`, in sending order (.eml files, time_ns-prefixed names)."""
    folder = app.config["PORTAL_SETTINGS"].instance_dir / "outbox"
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    return [m for m in messages if m["To"] == to]


def confirmation_link(app, live_url: str, to: str, language: str = "en") -> str:
    """The link in the one confirmation mail sent to `to`, pointed at the live server."""
    messages = outbox_messages(app, to)
    assert len(messages) == 1, f"expected one mail to {to}, found {len(messages)}"
    message = messages[0]
    assert message["Content-Language"] == language
    if language == "en":
        assert message["Subject"] == "Confirm your e-mail address"
    base_url = app.config["PORTAL_SETTINGS"].base_url
    body = message.get_content()
    links = re.findall(re.escape(base_url) + rf"(/{language}/account/confirm/[A-Za-z0-9_-]+)", body)
    assert len(links) == 1, f"no single confirmation link in:\n{body}"
    return live_url + links[0]


def confirm(page: Page, app, live_url: str, lang: str, email_address: str) -> None:
    """Open the e-mailed link, press its button: the sign-in page says the address is confirmed."""
    page.goto(confirmation_link(app, live_url, email_address, lang))
    assert_h1(page, lang, "confirm")
    expect(page.locator("main button")).to_have_count(1)
    response = submit(page)
    assert response.status == 200 and redirected(response), response.status
    assert page.url == f"{live_url}/{lang}/account/login"
    assert_h1(page, lang, "login")
    confirmed = i18n.translations_for(lang).ugettext(
        "Your e-mail address is confirmed. You can sign in now.")
    expect(page.locator("main .usa-alert--success[role=status]")).to_have_text(confirmed)


def sign_in(page: Page, live_url: str, lang: str, email_address: str, password: str = PASSWORD) -> Response:
    """On the sign-in page: fill and submit. Returns the final response."""
    page.locator("#email").fill(email_address)
    page.locator("#password").fill(password)
    return submit(page)


def sign_in_ok(page: Page, live_url: str, lang: str, email_address: str) -> None:
    response = sign_in(page, live_url, lang, email_address)
    assert response.status == 200 and redirected(response), response.status
    assert page.url == f"{live_url}/{lang}/cases/"
    assert_h1(page, lang, "cases")


def link_case(page: Page, receipt_number: str, access_code: str) -> Response:
    """On the add-a-case page: fill and submit."""
    page.locator("#receipt_number").fill(receipt_number)
    page.locator("#access_code").fill(access_code)
    return submit(page)


def link_case_ok(page: Page, live_url: str, lang: str) -> str:
    """From My cases: add the seeded case; returns the case page's URL."""
    page.locator("main a[href$='/cases/link']").click()
    page.wait_for_url(f"{live_url}/{lang}/cases/link")
    assert_h1(page, lang, "link")
    response = link_case(page, TYPED_RECEIPT, ACCESS_CODE)
    assert response.status == 200 and redirected(response), response.status
    assert CASE_PATH.search(page.url), page.url
    assert_h1(page, lang, "detail")
    return page.url


def assert_case_status(page: Page, lang: str) -> None:
    status = i18n.translations_for(lang).ugettext(CASE_STATUS)
    expect(page.locator("#status-heading")).to_have_text(status)
    expect(page.locator("#case-heading")).to_contain_text("I-485")
    expect(page.locator("main .portal-id").first).to_have_text(FOUND_RECEIPT)


def create_confirmed_account(app) -> str:
    """An applicant account straight in the database (for tests about layout, not the flow)."""
    address = unique_email()
    with Session(app.extensions["portal.engine"]) as session:
        accounts.create_confirmed_user(session, address, PASSWORD, "applicant",
                                       app.extensions["portal.hasher"], datetime.now(UTC))
    return address


# --- 1 and 2: the whole flow, with JavaScript and without -----------------------------------------


def test_account_flow_with_javascript(new_page, portal_app, live_url):
    page = new_page()
    address = unique_email()

    page.goto(f"{live_url}/en/account/register")
    page.wait_for_function("() => window.htmx !== undefined")  # JavaScript really runs here
    options = page.locator("#language option")
    expect(options).to_have_count(len(i18n.OFFERED_LOCALES))
    assert [options.nth(i).get_attribute("value") for i in range(len(i18n.OFFERED_LOCALES))] == list(
        i18n.OFFERED_LOCALES)
    expect(page.locator("#language")).to_have_value("en")  # the page's language by default
    register(page, live_url, "en", address, language="en")

    confirm(page, portal_app, live_url, "en", address)
    sign_in_ok(page, live_url, "en", address)
    expect(page.get_by_text("No case is linked to your account yet.", exact=False)).to_be_visible()

    case_url = link_case_ok(page, live_url, "en")
    assert_case_status(page, "en")
    expect(page.get_by_text(CASE_STATUS, exact=True).first).to_be_visible()

    # Back on My cases, the case is listed with its status and a link to it.
    page.get_by_role("link", name="Back to my cases").click()
    page.wait_for_url(f"{live_url}/en/cases/")
    assert_h1(page, "en", "cases")
    cards = page.locator("main .portal-cases > li")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(CASE_STATUS)
    expect(cards.first.locator("bdi.portal-id")).to_have_text(FOUND_RECEIPT)
    expect(cards.first.get_by_role("link")).to_have_attribute(
        "href", re.sub(r"^https?://[^/]+", "", case_url))

    # Sign out (a POST form in the account nav): the cases page now asks to sign in.
    account_nav = page.get_by_role("navigation", name="Account")
    sign_out = account_nav.get_by_role("button", name="Sign out")
    response = submit(page, sign_out)
    assert response.status == 200 and redirected(response)
    assert_h1(page, "en", "home")
    expect(sign_out).to_have_count(0)
    expect(account_nav.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(f"{live_url}/en/cases/")
    assert_h1(page, "en", "login")
    assert page.url.startswith(f"{live_url}/en/account/login"), page.url
    page.goto(case_url)
    assert_h1(page, "en", "login")
    assert page.problems == []  # type: ignore[attr-defined]  # no uncaught errors, no CSP refusals


def test_account_flow_without_javascript(new_page, portal_app, live_url):
    page = new_page(javascript=False)
    address = unique_email()
    page.goto(f"{live_url}/en/")
    assert page.evaluate("() => typeof window.htmx") == "undefined"  # the page's scripts never ran
    register(page, live_url, "en", address)
    confirm(page, portal_app, live_url, "en", address)
    sign_in_ok(page, live_url, "en", address)
    expect(page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out")
           ).to_be_visible()


# --- 3: axe-core on every account page ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_axe_violations_on_account_pages(new_page, portal_app, live_url, lang):
    # Full pages with JavaScript on (axe-core needs it) and htmx blocked, as on the lookup pages.
    page = new_page(htmx=False)
    address = unique_email()
    checked = []

    def check(key: str) -> None:
        assert_h1(page, lang, key)
        assert_language(page, lang)
        assert_no_axe_violations(page)
        checked.append(key)

    # Register: empty, then with errors on two fields (bad address, passwords not the same).
    page.goto(f"{live_url}/{lang}/account/register")
    check("register")
    fill_registration(page, "not-an-address", PASSWORD, PASSWORD + " again")
    assert submit(page).status == 400
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#confirm")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .usa-error-message")).to_have_count(2)
    check("register")

    # Register for real: the check-your-e-mail page.
    fill_registration(page, address, PASSWORD, PASSWORD)
    response = submit(page)
    assert response.status == 200 and redirected(response)
    check("check-email")

    confirm(page, portal_app, live_url, lang, address)

    # Sign in with a wrong password (one failure of the five allowed a minute).
    response = sign_in(page, live_url, lang, address, "not the right password")
    assert response.status == 400
    expect(page.locator("main .usa-alert--error[role=alert]")).to_be_visible()
    check("login")

    sign_in_ok(page, live_url, lang, address)
    check("cases")  # no case yet

    # Add a case with a wrong access code (one failure of five), then the right one.
    page.goto(f"{live_url}/{lang}/cases/link")
    response = link_case(page, TYPED_RECEIPT, "WRONG-CODE")
    assert response.status == 400
    expect(page.locator("main .usa-alert--error[role=alert]")).to_be_visible()
    check("link")
    response = link_case(page, TYPED_RECEIPT, ACCESS_CODE)
    assert response.status == 200 and redirected(response)
    assert_case_status(page, lang)
    check("detail")

    page.goto(f"{live_url}/{lang}/cases/")
    expect(page.locator("main .portal-cases > li")).to_have_count(1)
    check("cases")  # one case
    assert len(checked) == 8


# --- 4: nothing scrolls sideways at 320 px --------------------------------------------------------

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


def assert_fits(page: Page, width: int = NARROW["width"]) -> None:
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    overflowing = [] if scroll_width <= width else page.evaluate(WIDEST_ELEMENTS)
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide; overflowing: {overflowing}"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_sideways_scrolling_at_320px(new_page, portal_app, live_url, lang):
    page = new_page(viewport=NARROW)
    address = create_confirmed_account(portal_app)  # the flow itself is tested above

    page.goto(f"{live_url}/{lang}/account/register")
    assert_h1(page, lang, "register")
    assert_language(page, lang)
    assert_fits(page)
    fill_registration(page, "not-an-address", PASSWORD, PASSWORD + " again")
    assert submit(page).status == 400
    expect(page.locator("main .usa-form-group--error")).to_have_count(2)
    assert_fits(page)  # fields with errors are indented and bordered

    page.goto(f"{live_url}/{lang}/account/login")
    assert_h1(page, lang, "login")
    assert_fits(page)
    assert sign_in(page, live_url, lang, address, "not the right password").status == 400
    assert_fits(page)  # with the error message
    sign_in_ok(page, live_url, lang, address)
    assert_fits(page)  # My cases, empty

    link_case_ok(page, live_url, lang)
    assert_fits(page)  # the case page
    page.goto(f"{live_url}/{lang}/cases/")
    assert_h1(page, lang, "cases")
    expect(page.locator("main .portal-cases > li")).to_have_count(1)
    assert_fits(page)  # My cases, one case
