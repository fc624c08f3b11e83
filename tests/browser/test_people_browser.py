"""Representatives, applicants and staff in a real Chromium: a representative signs in with two
steps and follows a G-28 from the API to the case page and back out when it is withdrawn;
axe-core on the representative, applicant-settings, who-can-see-my-data and staff pages in
English and Arabic; and no sideways scrolling at 320 px.

Every test asserts the page's own h1. Arabic headings come from the catalog the templates use
(never hard-coded Arabic). Representatives and staff must use two-step sign-in, and a TOTP code
works once per account per 30-second step, so every account signs in once per run: the flow
test's representative through the browser (password, then code); the applicant, representative
and admin that the layout tests share once for the module, through the same two steps with the
test client, whose session cookie then goes into one browser context per account, reused by those
tests (a new context costs about half a second here, a browser sign-in about two).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from portal.core import accounts, representatives
from portal.core.ingest import create_api_client
from tests.browser.conftest import DEFAULT_VIEWPORT, FOUND_RECEIPT, TIMEOUT_MS, assert_catalog_h1, tr, watch_page
from tests.browser.test_account_browser import (
    ACCESS_CODE,
    CASE_STATUS,
    NARROW,
    PASSWORD,
    assert_fits,
    assert_language,
    assert_no_axe_violations,
    redirected,
    submit,
    unique_email,
)
from tests.helpers import second_step
from tests.helpers import sign_in as client_sign_in

pytestmark = pytest.mark.browser

TRANSFERRED = "Case Was Transferred"  # in the seeded case's history
PARTY_ROLE = "applicant"  # the seeded case's one party (access code LINK-CODE-1)
UNKNOWN_RECEIPT = "MSC2199999999"  # well-formed, never ingested: a G-28 for it is rejected
LANGS = ["en", "ar"]


# --- helpers --------------------------------------------------------------------------------------




@dataclass(frozen=True)
class Account:
    email: str
    secret: str | None = None  # the authenticator key, for two-step sign-in


def _now() -> datetime:
    return datetime.now(UTC)


def _user(session: Session, app, email: str, role: str, two_step: bool):
    user = accounts.create_confirmed_user(session, email, PASSWORD, role, app.extensions["portal.hasher"], _now())
    if two_step:
        user.totp_secret = pyotp.random_base32()
        session.add(user)
        session.commit()
    return user


def create_admin(app) -> Account:
    with Session(app.extensions["portal.engine"], expire_on_commit=False) as session:
        admin = _user(session, app, unique_email(), "admin", two_step=True)
        return Account(admin.email, admin.totp_secret)


def create_representative(app, *, verified: bool = True) -> Account:
    """A representative with a profile (verified by a fresh admin unless asked not to) and
    two-step sign-in on."""
    with Session(app.extensions["portal.engine"], expire_on_commit=False) as session:
        user = _user(session, app, unique_email(), "applicant", two_step=True)
        representatives.save_profile(session, user, "Rita Rep", "12345", "CA", None, None)
        if verified:
            admin = _user(session, app, unique_email(), "admin", two_step=False)
            representatives.verify_profile(session, user.public_id, admin, _now())
        return Account(user.email, user.totp_secret)


def create_linked_applicant(app) -> Account:
    """An applicant linked to the seeded case as its applicant (the access code's party)."""
    with Session(app.extensions["portal.engine"], expire_on_commit=False) as session:
        user = _user(session, app, unique_email(), "applicant", two_step=False)
        link = accounts.link_case(session, user, FOUND_RECEIPT, ACCESS_CODE, "browser-tests", _now())
        assert link.party_role == PARTY_ROLE
        return Account(user.email)


def g28(email: str, action: str = "filed", receipt_number: str = FOUND_RECEIPT) -> dict:
    """A G-28 filed (or withdrawn) for the seeded case's applicant; a new event id every time."""
    return {"event_id": f"g28-{uuid.uuid4()}", "receipt_number": receipt_number, "party_role": PARTY_ROLE,
            "representative": {"email": email, "bar_number": "12345", "bar_state": "CA"},
            "action": action, "effective_on": "2025-02-01"}


def post_representations(app, token: str, events: list[dict]) -> dict:
    response = app.test_client().post("/api/v1/representations", json={"events": events},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)
    return response.get_json()


def sign_in(page: Page, live_url: str, lang: str, account: Account, next_path: str) -> None:
    """Through the sign-in page (and, with a key, the code page) to `next_path`."""
    page.goto(f"{live_url}/{lang}/account/login?{urlencode({'next': next_path})}")
    assert_catalog_h1(page, lang, "Sign in")
    page.locator("#email").fill(account.email)
    page.locator("#password").fill(PASSWORD)
    response = submit(page)
    assert response.status == 200 and redirected(response), response.status
    if account.secret:
        assert page.url == f"{live_url}/{lang}/account/login/code", page.url
        assert_catalog_h1(page, lang, "Two-step sign-in")
        page.locator("#code").fill(pyotp.TOTP(account.secret).now())
        response = submit(page)
        assert response.status == 200 and redirected(response), response.status
    assert page.url == live_url + next_path, page.url


def _new_context(chromium, *, htmx: bool = True, viewport: dict | None = None):
    context = chromium.new_context(locale="en-US", viewport=viewport or DEFAULT_VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    if not htmx:
        context.route("**/vendor/htmx/htmx.min.js", lambda route: route.abort())
    return context


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api_token(portal_app) -> str:
    with Session(portal_app.extensions["portal.engine"]) as session:
        return create_api_client(session, "USCIS", "people browser tests")[1]


@dataclass
class Cast:
    applicant: Account
    representative: Account
    admin: Account
    waiting: Account  # a representative staff have not verified yet
    rejected_event_id: str
    cookies: dict[str, str]  # each signed-in account's session cookie


def _session_cookie(app, account: Account) -> str:
    """Sign in with the test client (password, then the code with a key); the session cookie."""
    client = app.test_client()
    response = client_sign_in(client, email=account.email)
    assert response.status_code == 302, response.status_code
    if account.secret:
        assert response.headers["Location"].endswith("/en/account/login/code")
        response = second_step(client, pyotp.TOTP(account.secret).now())
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/en/cases/"), response.headers["Location"]
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


@pytest.fixture(scope="module")
def cast(portal_app, api_token) -> Cast:
    """An applicant linked to the seeded case, a verified representative with a G-28 for that
    applicant, an admin, an unverified representative and a rejected ingest event; the first
    three signed in (once)."""
    applicant = create_linked_applicant(portal_app)
    representative = create_representative(portal_app)
    waiting = create_representative(portal_app, verified=False)
    admin = create_admin(portal_app)
    filed = post_representations(portal_app, api_token, [g28(representative.email)])
    assert filed["accepted"] and not filed["rejected"], filed
    rejected_event = g28(representative.email, receipt_number=UNKNOWN_RECEIPT)
    refused = post_representations(portal_app, api_token, [rejected_event])
    assert refused["rejected"] and refused["rejected"][0]["errors"][0]["field"] == "receipt_number", refused
    cookies = {name: _session_cookie(portal_app, account)
               for name, account in [("applicant", applicant), ("representative", representative),
                                     ("admin", admin)]}
    return Cast(applicant, representative, admin, waiting, rejected_event["event_id"], cookies)


@pytest.fixture(scope="module")
def cast_pages(chromium, portal_app, live_url, cast) -> Iterator[dict[str, Page]]:
    """One page per cast member, signed in, in a context of its own, for the module. JavaScript
    on (axe-core needs it) and htmx blocked: these pages' forms post and the browser navigates."""
    pages = {}
    for who, value in cast.cookies.items():
        context = _new_context(chromium, htmx=False)
        context.add_cookies([{"name": portal_app.config["SESSION_COOKIE_NAME"], "value": value,
                              "url": live_url, "httpOnly": True, "sameSite": "Lax"}])
        pages[who] = watch_page(context.new_page())
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.fixture
def open_as(cast_pages) -> Callable[..., Page]:
    """open_as(who, viewport=None) -> the page signed in as cast member `who` ("applicant",
    "representative" or "admin"), on about:blank at the default viewport (or `viewport`)."""

    def open_page(who: str, *, viewport: dict | None = None) -> Page:
        page = cast_pages[who]
        page.goto("about:blank")
        page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        page.problems.clear()  # type: ignore[attr-defined]
        return page

    return open_page


# --- 1: a G-28 from the API opens a case to its representative; a withdrawal closes it ------------


def test_representative_sees_a_client_case_until_the_g28_is_withdrawn(chromium, portal_app, live_url, api_token):
    representative = create_representative(portal_app)
    context = _new_context(chromium)
    try:
        page = watch_page(context.new_page())
        dashboard = f"{live_url}/en/representatives/clients/"
        sign_in(page, live_url, "en", representative, "/en/representatives/clients/")
        assert_catalog_h1(page, "en", "Clients' cases")
        expect(page.get_by_role("search", name="Filter cases")).to_be_visible()
        expect(page.locator("main table")).to_have_count(0)
        expect(page.locator("main")).to_contain_text("No case matches.")

        # A G-28 for the seeded case's applicant arrives: the next load lists the case.
        filed = post_representations(portal_app, api_token, [g28(representative.email)])
        assert filed["accepted"] and not filed["rejected"], filed
        response = page.reload()
        assert response is not None and response.status == 200
        assert_catalog_h1(page, "en", "Clients' cases")
        rows = page.locator("main table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(FOUND_RECEIPT)
        expect(rows.first).to_contain_text(CASE_STATUS)
        expect(rows.first).to_contain_text("Action required")  # an RFE waits for an answer
        expect(rows.first).to_contain_text("Applicant")
        case_link = rows.first.get_by_role("link")
        href = case_link.get_attribute("href")
        assert href and re.fullmatch(r"/en/representatives/clients/[^/?#]+", href), href

        case_link.click()
        page.wait_for_url(live_url + href)
        assert_catalog_h1(page, "en", "Case status")
        expect(page.locator("#status-heading")).to_have_text(CASE_STATUS)
        expect(page.locator("#case-heading")).to_contain_text("I-485")
        expect(page.locator("main .portal-id").first).to_have_text(FOUND_RECEIPT)
        expect(page.locator("main table")).to_contain_text(TRANSFERRED)
        expect(page.get_by_role("link", name="Back to clients' cases")).to_be_visible()

        # The G-28 is withdrawn: the very next load of the case page is the 404 page.
        withdrawn = post_representations(portal_app, api_token, [g28(representative.email, action="withdrawn")])
        assert withdrawn["accepted"] and not withdrawn["rejected"], withdrawn
        response = page.reload()
        assert response is not None and response.status == 404, response and response.status
        assert_catalog_h1(page, "en", "Page not found")
        expect(page.locator("#status-heading")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(FOUND_RECEIPT)

        # ... and the dashboard no longer lists the case.
        response = page.goto(dashboard)
        assert response is not None and response.status == 200
        assert_catalog_h1(page, "en", "Clients' cases")
        expect(page.locator("main table")).to_have_count(0)
        expect(page.locator("main")).not_to_contain_text(FOUND_RECEIPT)
        expect(page.locator("main")).to_contain_text("No case matches.")
        assert page.problems == []  # type: ignore[attr-defined]
    finally:
        context.close()


# --- 2: axe-core on every page of applicants' settings, representatives and staff ----------------


def _check_access_page(page: Page, lang: str, cast: Cast) -> None:
    """Who can see my data: the cast's representative listed once, with a revoke button, and the
    form to give a representative access."""
    rows = page.locator("main table tbody tr").filter(has_text=cast.representative.email)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(FOUND_RECEIPT)
    expect(rows.first).to_contain_text(tr(lang, "Filed with the agency (G-28)"))
    expect(rows.first.get_by_role("button", name=tr(lang, "Revoke access"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=tr(lang, "Give a representative access"))).to_be_visible()
    expect(page.locator("main form[action$='/access/appoint'] #case option")).to_have_count(1)


def _check_two_step_page(page: Page, lang: str, cast: Cast) -> None:
    qr = page.locator("main img.portal-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", qr.element_handle()), "QR not drawn"
    expect(page.locator("main bdi.portal-id")).to_have_text(re.compile(r"^[A-Z2-7]{16,}$"))


def _check_dashboard(page: Page, lang: str, cast: Cast) -> None:
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(FOUND_RECEIPT)


def _check_profile(page: Page, lang: str, cast: Cast) -> None:
    expect(page.locator("main .usa-tag")).to_have_text(tr(lang, "Verified"))
    expect(page.locator("main form input#full_name")).to_have_value("Rita Rep")


def _check_rejected(page: Page, lang: str, cast: Cast) -> None:
    expect(page.locator("main table tbody tr").filter(has_text=cast.rejected_event_id)).to_have_count(1)


def _check_waiting(page: Page, lang: str, cast: Cast) -> None:
    rows = page.locator("main table tbody tr").filter(has_text=cast.waiting.email)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("button", name=tr(lang, "Verify"))).to_be_visible()


def _check_api_clients(page: Page, lang: str, cast: Cast) -> None:
    expect(page.locator("main table tbody tr").filter(has_text="people browser tests")).to_have_count(1)


# (who, path after /<lang>, h1 msgid, extra check)
AXE_PAGES = [
    ("applicant", "/account/settings/", "Your account", None),
    ("applicant", "/account/settings/two-step", "Set up two-step sign-in", _check_two_step_page),
    ("applicant", "/access/", "Who can see my data", _check_access_page),
    ("representative", "/representatives/profile", "Representative details", _check_profile),
    ("representative", "/representatives/clients/", "Clients' cases", _check_dashboard),
    ("admin", "/staff/", "Staff", None),
    ("admin", "/staff/rejected", "Rejected ingest events", _check_rejected),
    ("admin", "/staff/api-clients", "API clients", _check_api_clients),
    ("admin", "/staff/representatives", "Representatives to verify", _check_waiting),
    ("admin", "/staff/two-step-reset", "Reset a lost authenticator", None),
]


@pytest.mark.parametrize("lang", LANGS)
def test_no_axe_violations_on_people_pages(open_as, cast, live_url, lang):
    pages = {who: open_as(who) for who in ("applicant", "representative", "admin")}
    failures = []
    for who, path, heading, check in AXE_PAGES:
        page = pages[who]
        response = page.goto(f"{live_url}/{lang}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert page.url == f"{live_url}/{lang}{path}", page.url  # not sent to sign in or set up
        assert_catalog_h1(page, lang, heading)
        assert_language(page, lang)
        if check:
            check(page, lang, cast)
        try:
            assert_no_axe_violations(page)
        except AssertionError as error:  # check every page, then report them all
            failures.append(str(error))
    for who, page in pages.items():
        assert page.problems == [], (who, page.problems)  # type: ignore[attr-defined]
    assert not failures, "\n\n".join(failures)


# --- 3: nothing scrolls sideways at 320 px --------------------------------------------------------

NARROW_PAGES = [
    ("applicant", "/access/", "Who can see my data", _check_access_page),
    ("applicant", "/account/settings/", "Your account", None),
    ("representative", "/representatives/clients/", "Clients' cases", _check_dashboard),
    ("admin", "/staff/rejected", "Rejected ingest events", _check_rejected),
]


@pytest.mark.parametrize("lang", LANGS)
def test_no_sideways_scrolling_at_320px_on_people_pages(open_as, cast, live_url, lang):
    pages = {who: open_as(who, viewport=NARROW) for who in ("applicant", "representative", "admin")}
    failures = []
    for who, path, heading, check in NARROW_PAGES:
        page = pages[who]
        response = page.goto(f"{live_url}/{lang}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert page.url == f"{live_url}/{lang}{path}", page.url
        assert_catalog_h1(page, lang, heading)
        assert_language(page, lang)
        if check:
            check(page, lang, cast)
        try:
            assert_fits(page)
        except AssertionError as error:  # check every page, then report them all
            failures.append(str(error))
    assert not failures, "\n".join(failures)
