"""The document job: render the prepared HTML in a limited child process, sign it, and record
the outcome on the Document row. Runs in the job worker (or in-line in tests)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from portal.core.models import Document
from portal.pdf.worker import TIME_LIMIT, render_limited


@cache
def _engine(database_url: str) -> Engine:
    from portal.db import make_engine

    return make_engine(database_url)


def _update(database_url: str, document_id: int, **values) -> None:
    with Session(_engine(database_url)) as session:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        document = session.get(Document, document_id)
        for name, value in values.items():
            setattr(document, name, value)
        session.add(document)
        session.commit()


def run_document_job(document_id: int, database_url: str, folder: str, archival: bool,
                     key_paths: tuple[str, str], time_limit: float = TIME_LIMIT) -> None:
    base = Path(folder)
    html_path, pdf_path, data_path = (base / f"{document_id}.html", base / f"{document_id}.pdf",
                                      base / f"{document_id}.json")
    _update(database_url, document_id, status="rendering")
    outcome = render_limited(html_path, pdf_path, archival, data_path if archival else None,
                             (Path(key_paths[0]), Path(key_paths[1])), time_limit=time_limit)
    html_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    now = datetime.now(UTC)
    if outcome.ok:
        digest = hashlib.sha256(pdf_path.read_bytes()).hexdigest()
        _update(database_url, document_id, status="done", pages=outcome.pages, sha256=digest, finished_at=now)
    else:
        pdf_path.unlink(missing_ok=True)
        _update(database_url, document_id, status="failed", error=outcome.error, finished_at=now)
