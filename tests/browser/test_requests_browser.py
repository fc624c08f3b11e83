"""A privacy request in a real Chromium, both sides: the applicant files a correction, staff
acknowledge it and ask for information, the applicant answers, staff attach the response and
propose the outcome, a supervisor approves it, the applicant downloads the response. axe-core on
every page of the way."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from portal.core import accounts
from tests.browser.conftest import assert_catalog_h1, assert_no_axe_violations
from tests.browser.test_people_browser import Account, _session_cookie, unique_email

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def people(chromium, portal_app, live_url):
    import pyotp

    with Session(portal_app.extensions["portal.engine"], expire_on_commit=False) as session:
        applicant = accounts.create_confirmed_user(session, unique_email(), PASSWORD, "applicant",
                                                   portal_app.extensions["portal.hasher"], datetime.now(UTC))
        officer = accounts.create_confirmed_user(session, unique_email(), PASSWORD, "privacy_officer",
                                                 portal_app.extensions["portal.hasher"], datetime.now(UTC))
        officer.totp_secret = pyotp.random_base32()
        supervisor = accounts.create_confirmed_user(session, unique_email(), PASSWORD, "supervisor",
                                                    portal_app.extensions["portal.hasher"], datetime.now(UTC))
        supervisor.totp_secret = pyotp.random_base32()
        session.add_all([officer, supervisor])
        session.commit()
    pages = {}
    cast = (("applicant", Account(applicant.email)), ("staff", Account(officer.email, officer.totp_secret)),
            ("supervisor", Account(supervisor.email, supervisor.totp_secret)))
    for name, account in cast:
        context = chromium.new_context(accept_downloads=True, locale="en-US")
        context.add_cookies([{"name": portal_app.config["SESSION_COOKIE_NAME"],
                              "value": _session_cookie(portal_app, account), "url": live_url}])
        pages[name] = context.new_page()
    yield pages
    for page in pages.values():
        page.context.close()


def test_a_correction_request_from_filing_to_the_downloaded_response(people, live_url, tmp_path):
    applicant, staff = people["applicant"], people["staff"]
    applicant.goto(f"{live_url}/en/requests/new")
    assert_catalog_h1(applicant, "en", "New privacy request")
    assert_no_axe_violations(applicant)
    applicant.locator("label[for=kind-2]").click()  # a correction
    applicant.get_by_label("Which records, and anything that helps find them").fill("My address in the A-File")
    applicant.get_by_label("Which record is wrong (correction only)").fill("Address on file")
    applicant.get_by_label("What it should say (correction only)").fill("12 Main St, Springfield")
    applicant.get_by_label("Your full name").fill("Ana Example")
    applicant.locator("label[for=declaration]").click()
    applicant.get_by_role("button", name="File the request").click()
    expect(applicant.locator(".usa-summary-box__heading")).to_have_text("Submitted")
    number = re.search(r"PR-\d{4}-\d{6}", applicant.locator("h1").inner_text()).group(0)
    assert_no_axe_violations(applicant)

    staff.goto(f"{live_url}/en/staff/requests/")
    assert_catalog_h1(staff, "en", "Privacy requests")
    assert_no_axe_violations(staff)
    staff.get_by_role("link", name=number).click()

    def decide(status: str, note: str = "") -> None:
        staff.get_by_label("New status").select_option(status)
        if note:
            staff.get_by_label("Note to the requester (required for an extension)").fill(note)
        staff.get_by_role("button", name="Save").click()
        expect(staff.get_by_text("Saved. The requester is told by e-mail.")).to_be_visible()

    decide("acknowledged")
    decide("needs_information", "Please send proof of the new address.")
    assert_no_axe_violations(staff)

    applicant.reload()
    expect(applicant.locator(".usa-summary-box__heading")).to_have_text("Waiting for information from you")
    applicant.get_by_label("Message").fill("A utility bill is attached.")
    applicant.get_by_role("button", name="Send the answer").click()
    expect(applicant.locator(".usa-summary-box__heading")).to_have_text("Being worked on")

    response_pdf = tmp_path / "response.pdf"
    response_pdf.write_bytes(b"%PDF-1.7\n% The record is corrected.\n%%EOF\n")
    staff.reload()
    staff.set_input_files("#file", str(response_pdf))
    staff.get_by_role("button", name="Attach", exact=True).click()
    expect(staff.get_by_text("The file is attached.")).to_be_visible()
    decide("propose:amended", "Your address is corrected.")
    # Two people release a decision: a supervisor approves what the officer proposed.
    supervisor = people["supervisor"]
    supervisor.goto(staff.url)
    assert_no_axe_violations(supervisor)
    supervisor.get_by_role("button", name="Approve and release").click()
    expect(supervisor.get_by_text("Saved.", exact=True)).to_be_visible()

    applicant.reload()
    expect(applicant.locator(".usa-summary-box__heading")).to_have_text("Corrected")
    assert_no_axe_violations(applicant)
    with applicant.expect_download() as info:
        applicant.get_by_role("link", name=re.compile("Response from the agency")).click()
    assert info.value.suggested_filename.startswith(number)
    with open(info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
