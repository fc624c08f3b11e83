"""Documents: each kind read back with pypdf in en, es and ar with names in many scripts; no tofu;
PDF/UA structure and PDF/A attachment; a deny-by-default fetcher; signatures and the public
verification page; reuse; authorization."""

import hashlib
import io
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal.core.ingest import create_api_client
from portal.core.models import Document
from tests.factories import access_event, case_history
from tests.helpers import csrf, link

# Hindi without a reph ligature: text extraction maps "र्मा" (in, say, शर्मा) back to the wrong
# characters, although the glyphs drawn are right (a limit of reading PDFs back, not of the PDF).
NAMES = {"zh": "王秀英", "vi": "Nguyễn Thị Hương", "ar": "فاطمة الزهراء", "am": "አበበ በቂላ", "hi": "अमित कुमार"}


@pytest.fixture
def applicant(make_account, post_events, session, client):
    """Ana: the applicant of case_history's case, named in five scripts, with an access log."""
    events = case_history()
    events[0]["parties"][0].update(given_name=f"{NAMES['zh']} {NAMES['vi']}", family_name=NAMES["ar"])
    post_events(events)
    token = create_api_client(session, "ICE", "ICE feed")[1]
    note = f"{NAMES['am']} {NAMES['hi']}"
    client.post("/api/v1/access-events", json={"events": [
        access_event(justification=note),
        access_event(agency="ICE", withheld={"exemption": "(j)(2)", "until": "2099-01-01"}),
        access_event(action="disclosed", recipient={"organization": "Consulado de México"})]},
        headers={"Authorization": f"Bearer {token}"})
    user = make_account("ana@example.org")
    link(user, "MSC2190000001", "LINK-CODE-1")
    return user


def make(client, lang="en", **fields):
    data = {"csrf_token": csrf(client, f"/{lang}/documents/"), "kind": "accounting", "language": lang}
    data.update(fields)
    return client.post(f"/{lang}/documents/", data={k: v for k, v in data.items() if v is not None})


def download(client, response):
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    path = re.search(r'href="([^"]+/file)"', page.get_data(as_text=True)).group(1)
    pdf = client.get(path)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "no-store" in pdf.headers["Cache-Control"]
    assert re.fullmatch(r'attachment; filename="[a-z-]+-\d{4}-\d{2}-\d{2}-[a-zA-Z_]+\.pdf"',
                        pdf.headers["Content-Disposition"])
    return pdf.data


def text_of(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang, words", [
    ("en", ["Accounting of disclosures", "Enforcement Integrated Database", "Consulado de México",
            "withheld", "Page 1 of"]),
    ("es", ["Consulado de México", "Página 1 de"]),
    ("ar", ["2099", "Consulado de México"]),
])
def test_an_accounting_reads_back_in_each_language_with_names_in_every_script(applicant, lang, words):
    data = download(applicant, make(applicant, lang=lang))
    text = text_of(data)
    for word in words + [NAMES["zh"], NAMES["vi"], NAMES["am"], NAMES["hi"]]:
        assert word in text, (lang, word)
    for word in NAMES["ar"].split():  # pypdf keeps Arabic words whole; pdftotext would reorder them
        assert word in text
    assert PdfReader(io.BytesIO(data)).metadata.title


def test_the_case_summary_and_my_record(applicant):
    summary = text_of(download(applicant, make(applicant, kind="case_summary")))
    assert "MSC2190000001" in summary and "Request for Evidence Was Sent" in summary and "Full history" in summary
    record = text_of(download(applicant, make(applicant, kind="my_record")))
    assert "MSC2190000001" in record and "Enforcement Integrated Database" in record
