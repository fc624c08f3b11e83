""""Who accessed my data": the access log of the signed-in person, or of a representative's client,
with filters, pages, the 12-month summary chart and exports.

The same views serve both readers; `representation_id` in the URL means a representative reading
a client's log, which is itself recorded in that client's log.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, current_app, render_template, request
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup

from portal import i18n
from portal.core import access_log, requests
from portal.core.access_log import Cursor, LogFilter, Subjects
from portal.core.errors import CaseNotFound
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, login_required, now
from portal.web.charts import reader_is_rtl, summary_chart, svg_response
from portal.web.forms import LogFilterForm
from portal.web.htmx import render_page
from portal.web.localized import localized_blueprint

bp = localized_blueprint("log", __name__, "/log")
log = get_logger("log")

EXPORT_COLUMNS = ("occurred_at", "agency", "component", "system", "action", "purpose", "authority",
                  "authority_code", "routine_use", "data_categories", "recipient_agency",
                  "recipient_organization", "accessor_role", "accessor_office_country", "justification",
                  "withheld_until", "retracted_at", "retraction_reason")


FACTS_CACHE_SIZE = 20_000


@bp.app_template_global()
@pass_context
def entry_facts(context, entry: access_log.LogEntry) -> Markup:
    """The part of an entry that depends only on its catalog codes, rendered once per locale.

    A log page shows 50 entries of a few dozen kinds; rendering each from scratch was most of the
    page's time (bench/access_log.py). The key holds every value the fragment shows.
    """
    store: dict = current_app.extensions.setdefault("portal.entry_facts", {})
    key = (context["locale"].code, entry.facts_key)
    html = store.get(key)
    if html is None:
        if len(store) >= FACTS_CACHE_SIZE:
            store.clear()
        html = store[key] = Markup(render_template("log/entry_facts.html", entry=entry))  # noqa: S704 (our template)
    return html


@bp.app_template_global()
def log_filter_form(**values) -> LogFilterForm:
    """A filter form holding `values`, for rendering only (the cached select lists)."""
    return LogFilterForm(access_log.CATALOG, _translate, formdata=None, data=values)


def _translate(message: str) -> str:
    return i18n.translations_for(str(get_locale())).ugettext(message)


def _subjects(representation_id: str | None) -> Subjects:
    """Whose log this is. A representative's read of a client's log is recorded in that log."""
    session, user = get_session(), current_user()
    if representation_id is None:
        return access_log.subjects_of_user(session, user.id)
    try:
        subjects = access_log.subjects_of_client(session, user, representation_id)
    except CaseNotFound:
        log.warning("client log refused", extra={"endpoint": request.endpoint})
        abort(404)
    if access_log.record_portal_read(session, subjects, access_log.REPRESENTATIVE, ("access_log",), now()):
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
    subjects = _subjects(representation_id)
    form, log_filter = _filter_form()
    today = now().date()
    context = {"form": form, "representation_id": representation_id, "own": representation_id is None,
               "has_subjects": bool(subjects),
               "disagreement_at": requests.disagreement_since(get_session(), current_user().id)
               if representation_id is None else None}
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
    subjects = _subjects(representation_id)
    summary = access_log.log_summary(get_session(), subjects, now().date())
    return svg_response(summary_chart(summary, _translate, rtl=reader_is_rtl()))


@bp.get("/export.<any(csv,json):kind>", defaults={"representation_id": None})
@bp.get("/client/<representation_id>/export.<any(csv,json):kind>")
@login_required
def export(kind: str, representation_id: str | None):
    subjects = _subjects(representation_id)
    _form, log_filter = _filter_form()
    if log_filter is None:
        abort(400)
    session, today = get_session(), now().date()
    # Read in full before answering, so the database is free before the first byte goes out (a
    # person's log is thousands of entries: a few megabytes at most).
    rows = [entry.export_row() for entry in access_log.iter_log(session, subjects, log_filter, today)]
    log.info("access log exported", extra={"format": kind})
    filename = f"access-log-{today.isoformat()}.{kind}"
    if kind == "csv":
        body = _csv(rows)
    else:
        body = _json(rows, access_log.withheld_groups(session, subjects, today))
    response = Response(body, mimetype="text/csv" if kind == "csv" else "application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="raise")
    writer.writeheader()
    for row in rows:
        row = dict(row, data_categories=" ".join(row["data_categories"]))
        # Spreadsheet programs run cells that start with = + - @ as formulas (CSV injection).
        writer.writerow({key: _inert(value) for key, value in row.items()})
    return buffer.getvalue()


def _inert(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _json(rows: list[dict], withheld) -> str:
    return json.dumps({
        "withheld": [{"exemption": g.exemption.code, "until": g.until.isoformat() if g.until else None,
                      "count": g.count} for g in withheld],
        "entries": rows,
    }, ensure_ascii=False)


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
