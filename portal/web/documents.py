"""Documents: ask for a PDF (case summary, accounting of disclosures, my record), follow its
progress, download it; and the public verification page for a printed or uploaded copy.

The request builds the data and the HTML (templates/pdf/<kind>/document.html, in the chosen
language); the job worker renders and signs it in a limited child process (portal.pdf). A small
document is ready while the request waits a moment; a larger one shows progress (htmx polling,
or a plain refresh without JavaScript). The same request with unchanged data reuses the file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlmodel import select

from portal import i18n, jobs
from portal.core import records
from portal.core.models import Document
from portal.db import get_session
from portal.logs import get_logger
from portal.pdf.signing import SigningKey, demo_key, signature_valid
from portal.security import csrf, rate_limiter
from portal.web.auth import current_user, login_required, now
from portal.web.forms import DocumentForm, VerifyFileForm, VerifyForm
from portal.web.htmx import render_page
from portal.web.localized import localized_blueprint

bp = localized_blueprint("documents", __name__, "/documents")
verify_bp = localized_blueprint("verify", __name__, "/verify")
log = get_logger("documents")

WAIT_FOR_SMALL = 3.0  # seconds a request waits for the worker before showing progress
MAX_UPLOAD = 20 * 1024 * 1024


# The face for each script; the document's own language first, so that WeasyPrint does not pick,
# say, the Japanese face for Chinese (i18n.md). The rest cover names written in other scripts.
ARABIC_SCRIPT = '"Noto Naskh Arabic", "Noto Sans Arabic", "Noto Nastaliq Urdu"'
FONTS = {"latin": '"Noto Sans"', "ar": ARABIC_SCRIPT, "fa": ARABIC_SCRIPT, "ps": ARABIC_SCRIPT, "ur": ARABIC_SCRIPT,
         "hi": '"Noto Sans Devanagari"', "pa": '"Noto Sans Gurmukhi"', "am": '"Noto Sans Ethiopic"',
         "zh_Hans": '"Noto Sans CJK SC"', "zh_Hant": '"Noto Sans CJK TC"', "ko": '"Noto Sans CJK KR"'}
FALLBACK_ORDER = ("latin", "ar", "hi", "pa", "am", "zh_Hans", "ko")


@bp.app_template_global()
def font_stack(language: str) -> Markup:
    first = FONTS.get(language, FONTS["latin"])
    rest = [FONTS[k] for k in FALLBACK_ORDER if FONTS[k] != first]
    return Markup(", ".join([first, *rest, "sans-serif"]))  # noqa: S704 (our constants)


@bp.app_template_filter()
def css_string(value: str) -> Markup:
    """A quoted CSS string for generated content (inside <style>, so `<` is escaped too)."""
    escaped = (str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
               .replace("<", "\\3C "))
    return Markup(f'"{escaped}"')  # noqa: S704 (escaped for CSS above)


@bp.app_template_global()
def page_of_pages(translated: str) -> Markup:
    """ "Page %(page)s of %(pages)s" in the reader's words, as CSS generated content."""
    parts = []
    for piece in re.split(r"(%\(pages?\)s)", translated):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(str(css_string(piece)))
    return Markup(" ".join(parts))  # noqa: S704 (built from escaped strings and counters)


def _folder() -> Path:
    folder = current_app.config["PORTAL_SETTINGS"].instance_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signing_key() -> SigningKey:
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.signing_key and settings.signing_cert:
        return SigningKey(settings.signing_key, settings.signing_cert)
    return demo_key(settings.instance_dir / "signing")


def new_code() -> str:
    """128 random bits, as 26 base32 letters and digits in groups that are easy to read out."""
    text = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
    return "-".join(text[i:i + 5] for i in range(0, len(text), 5))


def code_hash(code: str) -> str:
    return hashlib.sha256("".join(code.upper().split()).replace("-", "").encode()).hexdigest()


def _own_documents():
    return select(Document).where(Document.user_id == current_user().id)


def _page(form: DocumentForm, status: int = 200, error: str | None = None):
    documents = get_session().exec(_own_documents().order_by(Document.id.desc()).limit(50)).all()
    return render_template("documents/index.html", form=form, documents=documents, error=error), status


@bp.get("/")
@login_required
def index():
    return _page(DocumentForm(formdata=None, language=str(get_locale())))


@bp.post("/")
@login_required
def create():
    form = DocumentForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    session, user, moment = get_session(), current_user(), now()
    kind, archival, language = form.kind.data, bool(form.archival.data), form.language.data
    since, until = (form.since.data, form.until.data) if kind == "accounting" else (None, None)
    try:
        record = records.build_record(session, user, kind, moment.date(), since, until)
    except records.PeriodTooLong:
        form.until.errors.append(_("Choose a period of at most ten years."))
        return _page(form, 400)
    data_hash = record.data_hash()
    reused = session.exec(_own_documents().where(
        Document.kind == kind, Document.language == language, Document.archival == archival,
        Document.data_hash == data_hash, Document.status.in_(("queued", "rendering", "done")))
        .order_by(Document.id.desc())).first()
    if reused is not None:
        log.info("document reused", extra={"kind": kind})
        return redirect(url_for("documents.detail", public_id=reused.public_id))
    code = new_code()
    document = Document(user_id=user.id, kind=kind, language=language, archival=archival, period_start=since,
                        period_end=until, data_hash=data_hash, code_hash=code_hash(code), entries=record.entries,
                        created_at=moment)
    session.add(document)
    session.commit()
    with force_locale(language):
        html = render_template(f"pdf/{kind}/document.html", record=record, code=code, issued_at=moment,
                               lang_info=i18n.locale_info(language), verify_url=verify_url(language))
    start_rendering(document, html, record.as_json() if archival else None)
    log.info("document requested", extra={"kind": kind, "archival": archival})
    wait_briefly(document)
    return redirect(url_for("documents.detail", public_id=document.public_id))


def verify_url(language: str) -> str:
    return current_app.config["PORTAL_SETTINGS"].base_url + url_for("verify.verify", lang_code=language)


def start_rendering(document: Document, html: str, attachment: dict | None) -> None:
    """Hand a saved Document's HTML (and, for an archival copy, its data) to the job worker."""
    folder = _folder()
    (folder / f"{document.id}.html").write_text(html)
    if attachment is not None:
        (folder / f"{document.id}.json").write_text(json.dumps(attachment, ensure_ascii=False))
    key = signing_key()
    jobs.render_document(document.id, current_app.config["PORTAL_SETTINGS"].database_url, str(folder),
                         attachment is not None, (str(key.key_path), str(key.cert_path)))


def wait_briefly(document: Document) -> None:
    """A small document is ready while the request waits a moment; a larger one shows progress."""
    deadline = time.monotonic() + WAIT_FOR_SMALL
    while time.monotonic() < deadline:
        get_session().refresh(document)
        if document.status in ("done", "failed"):
            return
        time.sleep(0.1)


def _document(public_id: str) -> Document:
    document = get_session().exec(_own_documents().where(Document.public_id == public_id)).first()
    if document is None:
        log.warning("document refused", extra={"endpoint": request.endpoint})
        abort(404)
    get_session().refresh(document)
    return document


@bp.get("/<public_id>")
@login_required
def detail(public_id: str):
    document = _document(public_id)
    # htmx polls while the worker renders; 286 tells it to stop once the outcome is known.
    finished = getattr(request, "htmx", False) and document.status in ("done", "failed")
    return render_page("documents/detail.html", "status", 286 if finished else 200, document=document)


@bp.get("/<public_id>/file")
@login_required
def download(public_id: str):
    return pdf_response(_document(public_id))


def pdf_response(document: Document) -> Response:
    """The finished file as an attachment with a server-made name (404 until it is done)."""
    path = _folder() / f"{document.id}.pdf"
    if document.status != "done" or not path.exists():
        abort(404)
    kind = document.letter + "-letter" if document.kind == "letter" else document.kind.replace("_", "-")
    name = f"{kind}-{document.created_at.date().isoformat()}-{document.language}.pdf"
    response = Response(path.read_bytes(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    log.info("document downloaded", extra={"kind": document.kind})
    return response


# --- verification (public) -----------------------------------------------------------------------


def _verify_page(status: int = 200, **context):
    context.setdefault("form", VerifyForm(formdata=None))
    context.setdefault("file_form", VerifyFileForm(formdata=None))
    return render_template("documents/verify.html", **context), status


@verify_bp.get("/")
def verify():
    return _verify_page()


@verify_bp.post("/")
@csrf.exempt  # public and changes nothing; rate-limited instead
@rate_limiter.limit("PORTAL_LOOKUP_RATE_LIMIT", scope="verify")
def verify_code():
    form = VerifyForm(meta={"csrf": False})
    if not form.validate():
        return _verify_page(400, form=form)
    document = get_session().exec(select(Document).where(Document.code_hash == code_hash(form.code.data),
                                                         Document.status == "done")).first()
    if document is None:
        return _verify_page(404, form=form, not_found=True)
    return _verify_page(form=form, document=document)


@verify_bp.post("/file")
@csrf.exempt
@rate_limiter.limit("PORTAL_LOOKUP_RATE_LIMIT", scope="verify")
def verify_file():
    """An uploaded copy, checked against its signature and the hash of the issued file; the
    upload is read in memory and never stored."""
    request.max_content_length = MAX_UPLOAD + 64 * 1024  # a whole document; other forms keep 2 MB
    form = VerifyFileForm(meta={"csrf": False})
    if not form.validate():
        return _verify_page(400, file_form=form)
    data = form.file.data.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD or not data.startswith(b"%PDF-"):
        form.file.errors.append(_("This is not a PDF file made by this portal."))
        return _verify_page(400, file_form=form)
    digest = hashlib.sha256(data).hexdigest()
    document = get_session().exec(select(Document).where(Document.sha256 == digest)).first()
    genuine = document is not None and signature_valid(data, signing_key())
    log.info("document file checked", extra={"genuine": genuine})
    return _verify_page(200 if genuine else 422, file_form=VerifyFileForm(formdata=None),
                        document=document if genuine else None, file_checked=True, genuine=genuine,
                        checked_at=datetime.now(UTC))
