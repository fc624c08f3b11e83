"""Documents in a real Chromium: ask for one, see it made in the background (progress, then the
download link, swapped in by htmx polling without a reload), download the PDF; axe on the
documents, progress and verification pages; without JavaScript a plain link refreshes the
progress page (no timed refresh: WCAG 2.2.1)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal.core.models import Document, User
from tests.browser.conftest import assert_catalog_h1, assert_no_axe_violations
from tests.browser.test_account_browser import create_confirmed_account
from tests.helpers import sign_in as client_sign_in


@pytest.fixture(scope="module")
def signed_in(chromium, portal_app, live_url):
    """A browser context signed in as a fresh applicant (session cookie from the test client)."""
    email = create_confirmed_account(portal_app)
    client = portal_app.test_client()
    assert client_sign_in(client, email=email).status_code == 302
    cookie = client.get_cookie(portal_app.config["SESSION_COOKIE_NAME"]).value
    contexts = {}
    for javascript in (True, False):
        context = chromium.new_context(java_script_enabled=javascript, accept_downloads=True, locale="en-US")
        context.add_cookies([{"name": portal_app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": live_url}])
        contexts[javascript] = context.new_page()
    yield email, contexts
    for page in contexts.values():
        page.context.close()


def test_a_document_is_made_then_downloaded(signed_in, live_url):
    _email, pages = signed_in
    page = pages[True]
    page.goto(f"{live_url}/en/documents/")
    assert_catalog_h1(page, "en", "My documents")
    assert_no_axe_violations(page)
    page.locator("label[for=kind-0]").click()  # USWDS hides the radio itself behind its label
    expect(page.locator("#kind-0")).to_be_checked()
    page.get_by_role("button", name="Make the document").click()
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible()
    assert_catalog_h1(page, "en", "Case status summary")
    assert_no_axe_violations(page)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("case-summary-") and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def _queued_document(app, email) -> tuple[Document, Document | None]:
    with Session(app.extensions["portal.engine"], expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.email_key == email)).one()
        done = session.exec(select(Document).where(Document.user_id == user.id, Document.status == "done")).first()
        document = Document(user_id=user.id, kind="my_record", language="en", data_hash="0" * 64,
                            code_hash=secrets.token_hex(32), created_at=datetime.now(UTC))
        session.add(document)
        session.commit()
        session.refresh(document)
        return document, done


def test_progress_then_the_download_swapped_in_by_polling(signed_in, portal_app, live_url):
    email, pages = signed_in
    document, done = _queued_document(portal_app, email)
    assert done is not None, "the test above makes one first"
    page = pages[True]
    page.goto(f"{live_url}/en/documents/{document.public_id}")
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_text("Your document is being made.")).to_be_visible()
    assert_no_axe_violations(page)
    page.evaluate("window.stillHere = true")
    # The worker finishes: the file appears and the row says so.
    folder = portal_app.config["PORTAL_SETTINGS"].instance_dir / "documents"
    (folder / f"{document.id}.pdf").write_bytes((folder / f"{done.id}.pdf").read_bytes())
    with Session(portal_app.extensions["portal.engine"]) as session:
        row = session.get(Document, document.id)
        row.status, row.pages, row.finished_at = "done", 1, datetime.now(UTC)
        session.add(row)
        session.commit()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=8000)
    assert page.evaluate("window.stillHere") is True  # swapped in place, not reloaded
    expect(page.locator("progress")).to_have_count(0)


def test_without_javascript_a_plain_refresh_shows_the_outcome(signed_in, portal_app, live_url):
    email, pages = signed_in
    document, done = _queued_document(portal_app, email)
    page = pages[False]
    page.goto(f"{live_url}/en/documents/{document.public_id}")
    expect(page.locator("progress")).to_be_visible()
    with Session(portal_app.extensions["portal.engine"]) as session:
        row = session.get(Document, document.id)
        row.status, row.error, row.finished_at = "failed", "too_slow", datetime.now(UTC)
        session.add(row)
        session.commit()
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_text("Try a shorter period.")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_verification_page_is_accessible(pages, live_url, lang):
    page = pages.open()
    page.goto(f"{live_url}/{lang}/verify/")
    assert_catalog_h1(page, lang, "Check a document")
    assert_no_axe_violations(page)
