"""Documents: each kind read back with pypdf in en, es and ar with names in many scripts; no tofu;
PDF/UA structure and PDF/A attachment; a deny-by-default fetcher; signatures and the public
verification page; reuse; authorization."""

import hashlib
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal.core.ingest import create_api_client
from portal.core.models import Document
from portal.i18n import OFFERED_LOCALES
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
    for word in words + [NAMES["zh"], NAMES["vi"], NAMES["am"]]:
        assert word in text, (lang, word)
    # Devanagari comes back in glyph order (a vowel sign before its consonant): every character is
    # there, counted, even where the order is not.
    assert all(text.count(c) >= NAMES["hi"].count(c) for c in set(NAMES["hi"]) - {" "})
    for word in NAMES["ar"].split():  # pypdf keeps Arabic words whole; pdftotext would reorder them
        assert word in text
    assert PdfReader(io.BytesIO(data)).metadata.title


def test_the_case_summary_and_my_record(applicant):
    summary = text_of(download(applicant, make(applicant, kind="case_summary")))
    assert "MSC2190000001" in summary and "Request for Evidence Was Sent" in summary and "Full history" in summary
    record = text_of(download(applicant, make(applicant, kind="my_record")))
    assert "MSC2190000001" in record and "Enforcement Integrated Database" in record


# --- fonts: no tofu -----------------------------------------------------------------------------


def _font_faces() -> dict[str, list[tuple[str, int]]]:
    """Family name as WeasyPrint writes it in /BaseFont ("Noto-Sans-CJK-SC") -> its files."""
    import subprocess

    out = subprocess.run(["fc-list", "--format", "%{family[0]}\t%{file}\t%{index}\n"],
                         capture_output=True, text=True, check=True).stdout
    faces: dict[str, list[tuple[str, int]]] = {}
    for line in out.splitlines():
        family, path, index = (line.split("\t") + ["", "", "0"])[:3]
        faces.setdefault(family.replace(" ", "-"), []).append((path, int(index or 0)))
    return faces


def embedded_font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


@pytest.mark.parametrize("lang", OFFERED_LOCALES)
def test_every_character_is_covered_by_an_embedded_noto_font(applicant, lang, database_url):
    from fontTools.ttLib import TTFont

    if database_url.startswith("postgresql") and lang not in ("en", "es", "ar"):
        pytest.skip("fonts do not depend on the database: the other locales render once, on SQLite")
    data = download(applicant, make(applicant, lang=lang, kind="my_record"))
    names = embedded_font_names(data)
    assert names and all(name.startswith(("Noto-Sans", "Noto-Naskh", "Noto-Nastaliq")) for name in names), names
    assert not any("CJK-JP" in name for name in names), names  # Chinese in the Chinese face
    faces = _font_faces()
    covered = set()
    for name in names:
        family = max((f for f in faces if name.startswith(f)), key=len)
        for path, index in faces[family]:
            covered |= set(TTFont(path, fontNumber=index, lazy=True).getBestCmap())
    text = text_of(data)
    missing = {c for c in text if not c.isspace() and ord(c) not in covered}
    assert not missing, (lang, sorted(missing))
    if lang == "ar":
        assert any("Arabic" in name for name in names)


# --- the two variants ---------------------------------------------------------------------------


def test_the_default_variant_is_tagged_pdf_ua_with_language_and_title(applicant):
    reader = PdfReader(io.BytesIO(download(applicant, make(applicant, lang="ar"))))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == "ar"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title and reader.metadata.author == "Case Transparency Portal"
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data() if reader.xmp_metadata else True
    assert "/EmbeddedFiles" not in (root.get("/Names") or {})


def test_the_archival_variant_is_pdf_a_with_the_data_attached(applicant):
    data = download(applicant, make(applicant, kind="case_summary", archival="y"))
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp  # kept through signing
    attached = json.loads(reader.attachments["record.json"][0])
    assert attached["kind"] == "case_summary" and attached["cases"][0]["receipt_number"] == "MSC2190000001"


# --- safety -------------------------------------------------------------------------------------


class _Listener(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Listener.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    _Listener.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_hostile_fields_fetch_nothing_and_attach_nothing(make_account, post_events, session, client, listener):
    hostile = (f'<img src="{listener}/img"><img src=file:///etc/passwd> @import url({listener}/css); '
               f'<link rel=attachment href="{listener}/att"> <style>@import "{listener}/s";</style>')
    events = case_history()
    events[0]["parties"][0].update(given_name=hostile[:200], family_name="</style><script>x</script>")
    post_events(events)
    token = create_api_client(session, "CBP", "CBP feed")[1]
    client.post("/api/v1/access-events", json={"events": [access_event(
        agency="CBP", component="OFO", system="TECS", purpose="border_inspection", authority={"statute": "INA 235"},
        justification=hostile[:500], action="disclosed", recipient={"organization": hostile[:200]})]},
        headers={"Authorization": f"Bearer {token}"})
    user = make_account("eve@example.org")
    link(user, "MSC2190000001", "LINK-CODE-1")
    for kind in ("accounting", "my_record"):
        data = download(user, make(user, kind=kind, archival="y"))
        reader = PdfReader(io.BytesIO(data))
        assert list(reader.attachments) == ["record.json"]  # the portal's own, nothing from content
        assert "<img" in text_of(data)  # shown as text, never as markup
    assert _Listener.hits == []


def test_the_renderer_itself_refuses_every_fetch(listener):
    from portal.pdf.render import render_pdf

    html = (f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="{listener}/sheet.css">'
            f'<link rel="attachment" href="{listener}/att.txt"><link rel="attachment" href="file:///etc/passwd">'
            f'<style>@import url({listener}/import.css);</style></head>'
            f'<body><h1>x</h1><img src="{listener}/img.png"><img src="file:///etc/passwd">'
            f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>')
    rendered = render_pdf(html, archival=False)
    assert _Listener.hits == []
    assert "/EmbeddedFiles" not in (PdfReader(io.BytesIO(rendered.pdf)).trailer["/Root"].get("/Names") or {})
    assert any("passwd" in url for url in rendered.refused) and any(listener in url for url in rendered.refused)


def test_a_document_that_takes_too_long_ends_at_its_limit(tmp_path):
    import time

    from portal.pdf.signing import demo_key
    from portal.pdf.worker import render_limited

    html = tmp_path / "big.html"
    html.write_text("<html><body>" + "<table>" + "<tr><td>x</td></tr>" * 200_000 + "</table></body></html>")
    key = demo_key(tmp_path / "signing")
    started = time.monotonic()
    outcome = render_limited(html, tmp_path / "big.pdf", False, None, (key.key_path, key.cert_path), time_limit=2)
    assert outcome.ok is False and outcome.error == "too_slow"
    assert time.monotonic() - started < 6
    assert not (tmp_path / "big.pdf").exists()


# --- genuine and checkable ----------------------------------------------------------------------


def test_the_signature_holds_and_the_verification_page_tells_genuine_from_altered(app, applicant, client):
    from portal.pdf.signing import demo_key, signature_valid

    data = download(applicant, make(applicant))
    key = demo_key(app.config["PORTAL_SETTINGS"].instance_dir / "signing")
    assert signature_valid(data, key)
    altered = bytearray(data)
    position = data.index(b"stream", len(data) // 3) + 20
    altered[position] ^= 0x01
    assert not signature_valid(bytes(altered), key)

    code = re.search(r"Verification code: ([A-Z2-7-]+)", text_of(data)).group(1)
    assert len(code.replace("-", "")) == 26  # 130 bits
    page = client.post("/en/verify/", data={"code": code.lower()})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and hashlib.sha256(data).hexdigest() in html
    assert "Accounting of disclosures" in html and "Entries" in html
    assert client.post("/en/verify/", data={"code": code[:-1] + ("A" if code[-1] != "A" else "B")}).status_code == 404
    genuine = client.post("/en/verify/file", data={"file": (io.BytesIO(data), "a.pdf")},
                          content_type="multipart/form-data")
    assert genuine.status_code == 200 and "Genuine" in genuine.get_data(as_text=True)
    fake = client.post("/en/verify/file", data={"file": (io.BytesIO(bytes(altered)), "a.pdf")},
                       content_type="multipart/form-data")
    assert fake.status_code == 422 and "not a genuine document" in fake.get_data(as_text=True)
    junk = client.post("/en/verify/file", data={"file": (io.BytesIO(b"GIF89a"), "a.pdf")},
                       content_type="multipart/form-data")
    assert junk.status_code == 400


def test_the_same_request_reuses_the_file_until_the_data_changes(applicant, session, client):
    first = make(applicant).headers["Location"]
    assert make(applicant).headers["Location"] == first
    assert make(applicant, archival="y").headers["Location"] != first  # another variant
    token = create_api_client(session, "FBI", "FBI feed")[1]
    client.post("/api/v1/access-events", json={"events": [access_event(
        agency="FBI", component=None, system="NGI", purpose="background_check",
        authority={"sorn": "DHS/USCIS-018", "routine_use": "E"})]}, headers={"Authorization": f"Bearer {token}"})
    assert make(applicant).headers["Location"] != first
    assert len(session.exec(select(Document)).all()) == 3


def test_bad_periods_get_a_clear_message_and_an_empty_one_a_correct_pdf(applicant):
    too_long = make(applicant, since="2010-01-01", until="2025-01-01")
    assert too_long.status_code == 400 and "at most ten years" in too_long.get_data(as_text=True)
    backwards = make(applicant, since="2025-02-01", until="2025-01-01")
    assert backwards.status_code == 400 and "on or after the start date" in backwards.get_data(as_text=True)
    assert make(applicant, kind="nonsense").status_code == 400
    empty = text_of(download(applicant, make(applicant, since="2001-01-01", until="2001-01-31")))
    assert "No agency has reported an access to your data in this period." in empty


def test_documents_are_their_owners_only(applicant, make_account, client):
    location = make(applicant).headers["Location"]
    other = make_account("other@example.org")
    assert other.get(location).status_code == 404
    assert other.get(location + "/file").status_code == 404
    assert client.get(location).status_code == 302  # anonymous: sign in first
    assert applicant.get(location + "/file").status_code == 200


def test_verification_look_ups_are_rate_limited(app, settings):
    from portal import create_app

    limited = create_app(settings.with_overrides(lookup_rate_limit="2/minute")).test_client()
    codes = [limited.post("/en/verify/", data={"code": "AAAAA-BBBBB"}).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
