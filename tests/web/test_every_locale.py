"""Every page in every offered locale: it answers, carries the locale's lang and dir, and shows
no English where a translation exists (i18n.md). Staff and applicant pages alike; on one
database (the words do not depend on it)."""

import re

import pytest

from portal.i18n import OFFERED_LOCALES, locale_info, translations_for
from tests.helpers import link
from tests.web.test_privacy_requests import file

PUBLIC = ["/", "/verify/", "/statistics/", "/statistics/cases?form=I-485&office=NBC&month=2025-01",
          "/account/login", "/account/register", "/account/reset"]
APPLICANT = ["/cases/", "/log/", "/requests/", "/requests/new", "/documents/", "/account/settings/", "/access/"]
STAFF = ["/staff/", "/staff/requests/", "/staff/rejected", "/staff/representatives", "/staff/api-clients",
         "/staff/requests/closures"]
# One sentence per kind of page, which must not stay English where the catalog translates it.
HEADINGS = {"/": "Check your case status", "/log/": "Who accessed my data", "/requests/new": "New privacy request",
            "/staff/requests/": "Privacy requests"}


@pytest.fixture
def visitors(app, make_account, post_events, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("pages read the same on both databases: every locale is checked once, on SQLite")
    from tests.factories import case_history

    post_events(case_history())
    applicant = make_account("ana@example.org")
    link(applicant, "MSC2190000001", "LINK-CODE-1")
    request_page = file(applicant).headers["Location"]
    staff = make_account("admin@example.org", role="admin")
    return app.test_client(), applicant, staff, request_page.split("/", 2)[2]


@pytest.mark.parametrize("code", OFFERED_LOCALES)
def test_every_page_speaks_the_locale(visitors, code):
    anonymous, applicant, staff, request_path = visitors
    info = locale_info(code)
    translate = translations_for(code).ugettext
    pages = [(anonymous, p) for p in PUBLIC] + [(applicant, p) for p in APPLICANT + ["/" + request_path]] + [
        (staff, p) for p in STAFF + ["/staff/requests/" + request_path.split("/", 1)[1]]]
    for client, path in pages:
        response = client.get(f"/{code}{path}")
        assert response.status_code == 200, (code, path, response.status_code)
        body = response.get_data(as_text=True)
        html = re.search(r"<html[^>]*>", body).group(0)
        assert f'lang="{info.tag}"' in html and f'dir="{info.direction}"' in html, (code, path, html)
        if path in HEADINGS and code != "en":
            heading = translate(HEADINGS[path])
            assert heading != HEADINGS[path] and heading in body.replace("&#39;", "'"), (code, path)
