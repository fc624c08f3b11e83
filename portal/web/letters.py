"""A privacy request's letters as PDFs: acknowledgement, extension and closing, issued when the
request reaches that step, in the requester's language followed by the authoritative English,
on the documents' machinery (rendered and signed by the job worker, verifiable, downloadable by
the requester under their documents and by staff on the request's page)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup
from sqlmodel import col, select

from portal import i18n
from portal.core import letters
from portal.core.models import Document, PrivacyRequest
from portal.db import get_session
from portal.logs import get_logger
from portal.web import documents
from portal.web.auth import now

log = get_logger("letters")


def issue_letter_for_status(privacy_request: PrivacyRequest) -> Document | None:
    """The letter the request's present status calls for (none for most steps)."""
    letter = letters.letter_for(privacy_request.status)
    return issue_letter(privacy_request, letter) if letter else None


def issue_letter(privacy_request: PrivacyRequest, letter: str) -> Document:
    session, moment = get_session(), now()
    data = letters.build_letter(session, privacy_request, letter)
    language = privacy_request.language if privacy_request.language in i18n.OFFERED_LOCALES else "en"
    code = documents.new_code()
    document = Document(user_id=privacy_request.requester_user_id, kind="letter", letter=letter,
                        request_id=privacy_request.id, language=language, data_hash=data.data_hash(),
                        code_hash=documents.code_hash(code), created_at=moment)
    session.add(document)
    session.commit()
    sections = []
    for index, code_ in enumerate(dict.fromkeys([language, "en"])):
        with force_locale(code_):
            body = render_template("pdf/letter/_body.html", letter=data, first=index == 0)
        sections.append((i18n.locale_info(code_), Markup(body)))  # noqa: S704 (rendered by Jinja, escaped)
    with force_locale(language):
        html = render_template("pdf/letter/document.html", letter=data, sections=sections, code=code,
                               issued_at=moment, lang_info=i18n.locale_info(language),
                               verify_url=documents.verify_url(language))
    documents.start_rendering(document, html, None)
    log.info("request letter issued", extra={"letter": letter, "request": privacy_request.public_id})
    return document


def request_letters(privacy_request: PrivacyRequest) -> list[Document]:
    return list(get_session().exec(select(Document).where(Document.request_id == privacy_request.id)
                                   .order_by(col(Document.id))))
