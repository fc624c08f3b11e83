""""Who accessed my data": the access log of the signed-in person, or of a representative's client,
with filters, pages, the 12-month summary chart and exports.

The same views serve both readers; `representation_id` in the URL means a representative reading
a client's log, which is itself recorded in that client's log.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, render_template, request, stream_with_context
from flask_babel import get_locale

from portal import i18n
from portal.core import access_log
from portal.core.access_log import Cursor, LogFilter, Subjects
from portal.core.errors import CaseNotFound
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, login_required, now
from portal.web.charts import summary_chart
from portal.web.forms import LogFilterForm
from portal.web.htmx import render_page
from portal.web.localized import localized_blueprint

bp = localized_blueprint("log", __name__, "/log")
log = get_logger("log")

EXPORT_COLUMNS = ("occurred_at", "agency", "component", "system", "action", "purpose", "authority",
                  "authority_code", "routine_use", "data_categories", "recipient_agency",
                  "recipient_organization", "accessor_role", "accessor_office_country", "justification",
                  "withheld_until", "retracted_at", "retraction_reason")


def _translate(message: str) -> str:
    return i18n.translations_for(str(get_locale())).ugettext(message)


def _subjects(representation_id: str | None, data_read: str) -> Subjects:
    """Whose log this is. A representative's read of a client's log is recorded in that log."""
    session, user = get_session(), current_user()
    if representation_id is None:
        return access_log.subjects_of_user(session, user.id)
    try:
        subjects = access_log.subjects_of_client(session, user, representation_id)
    except CaseNotFound:
        log.warning("client log refused", extra={"endpoint": request.endpoint})
        abort(404)
    if access_log.record_portal_read(session, subjects, access_log.REPRESENTATIVE, (data_read,), now()):
        session.commit()
    return subjects


def _filter_form() -> tuple[LogFilterForm, LogFilter | None]:
    form = LogFilterForm(access_log.CATALOG, _translate, formdata=request.args)
    if not form.validate():
        return form, None
    return form, LogFilter(form.agency.data or "", form.purpose.data or "", form.category.data or "",
                           form.since.data, form.until.data)


def _filter_args(log_filter: LogFilter) -> dict:
    return {key: value for key, value in (
        ("agency", log_filter.agency), ("purpose", log_filter.purpose), ("category", log_filter.category),
        ("since", log_filter.since and log_filter.since.isoformat()),
        ("until", log_filter.until and log_filter.until.isoformat())) if value}


@bp.get("/", defaults={"representation_id": None})
@bp.get("/client/<representation_id>/")
@login_required
def index(representation_id: str | None):
    subjects = _subjects(representation_id, "access_log")
    form, log_filter = _filter_form()
    today = now().date()
    context = {"form": form, "representation_id": representation_id, "own": representation_id is None,
               "has_subjects": bool(subjects)}
    if log_filter is None:
        return render_page("log/index.html", "results", 400, page=None, summary=None, filter_args={}, **context)
    cursor = Cursor.parse(request.args.get("before"))
    page = access_log.log_page(get_session(), subjects, log_filter, cursor, today)
    # The summary belongs with the newest entries: the first page, unfiltered.
    summary = None
    if cursor is None and not log_filter.active:
        summary = access_log.log_summary(get_session(), subjects, today)
    return render_page("log/index.html", "results", page=page, summary=summary, filter_args=_filter_args(log_filter),
                       first_page=cursor is None, **context)


@bp.get("/summary.svg", defaults={"representation_id": None})
@bp.get("/client/<representation_id>/summary.svg")
@login_required
def summary_svg(representation_id: str | None):
    subjects = _subjects(representation_id, "access_log")
    summary = access_log.log_summary(get_session(), subjects, now().date())
    svg = summary_chart(summary, _translate, rtl=i18n.locale_info(str(get_locale())).direction == "rtl")
    response = Response(svg, mimetype="image/svg+xml")
    # An image with no script and no outside references; its own inline styles need this policy.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/export.<any(csv,json):kind>", defaults={"representation_id": None})
@bp.get("/client/<representation_id>/export.<any(csv,json):kind>")
@login_required
def export(kind: str, representation_id: str | None):
    subjects = _subjects(representation_id, "access_log")
    _form, log_filter = _filter_form()
    if log_filter is None:
        abort(400)
    session, today = get_session(), now().date()
    rows = (entry.export_row() for entry in access_log.iter_log(session, subjects, log_filter, today))
    log.info("access log exported", extra={"format": kind})
    filename = f"access-log-{today.isoformat()}.{kind}"
    body = _csv(rows) if kind == "csv" else _json(rows, access_log.withheld_groups(session, subjects, today))
    response = Response(stream_with_context(body),
                        mimetype="text/csv" if kind == "csv" else "application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="raise")
    writer.writeheader()
    for row in rows:
        row = dict(row, data_categories=" ".join(row["data_categories"]))
        # Spreadsheet programs run cells that start with = + - @ as formulas (CSV injection).
        writer.writerow({key: _inert(value) for key, value in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _inert(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _json(rows, withheld):
    yield '{"withheld": '
    yield json.dumps([{"exemption": g.exemption.code, "until": g.until.isoformat() if g.until else None,
                       "count": g.count} for g in withheld])
    yield ', "entries": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + json.dumps(row, ensure_ascii=False)
    yield "]}"



@bp.get("/entry/<int:event_id>/wrong")
@login_required
def wrong(event_id: int):
    """"This looks wrong": the entry, and how to have the agency's record corrected."""
    session = get_session()
    subjects = access_log.subjects_of_user(session, current_user().id)
    try:
        entry = access_log.log_entry(session, subjects, event_id, now().date())
    except CaseNotFound:
        abort(404)
    return render_template("log/wrong.html", entry=entry)
