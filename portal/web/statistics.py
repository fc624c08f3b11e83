"""Public statistics, open to anyone: access events by agency, purpose and month (charts, tables,
CSV and JSON), and "cases like mine" for a form, filing office and filing month. Small cells are
suppressed in the core before anything reaches a page or a download."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from babel.dates import format_skeleton
from flask import Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from portal import i18n
from portal.catalog import load_access_catalog, load_catalog
from portal.core import statistics
from portal.db import get_session
from portal.web.charts import reader_is_rtl, stacked_bars, svg_response
from portal.web.htmx import render_page
from portal.web.localized import localized_blueprint

bp = localized_blueprint("statistics", __name__, "/statistics")
ACCESS = load_access_catalog()
CASES = load_catalog()
TABLES = {"agency": ("by_agency", ACCESS.agencies), "purpose": ("by_purpose", ACCESS.purposes)}


def _now() -> datetime:
    return datetime.now(UTC)


def _translate(message: str) -> str:
    return i18n.translations_for(str(get_locale())).ugettext(message)


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return format_skeleton("yMMM", date(int(year), int(month), 1), locale=str(get_locale()))


@bp.get("/")
def index():
    data = statistics.access_statistics(get_session(), _now())
    return render_template("statistics/index.html", data=data, tables=TABLES, month_label=_month_label,
                           computed_at=datetime.fromisoformat(data["computed_at"]))


@bp.get("/by-<any(agency,purpose):dimension>.svg")
def chart(dimension: str):
    data = statistics.access_statistics(get_session(), _now())
    key, entries = TABLES[dimension]
    table = data[key]
    series = [(_translate(entries[code].name), row) for code, row, total in
              zip(table["rows"], table["cells"], table["row_totals"], strict=True) if total]
    title = (_("Accesses by agency and month") if dimension == "agency"
             else _("Accesses by purpose and month"))
    return svg_response(stacked_bars(title, [_month_label(m) for m in table["cols"]], series, rtl=reader_is_rtl()))


@bp.get("/access.<any(csv,json):kind>")
def download(kind: str):
    data = statistics.access_statistics(get_session(), _now())
    if kind == "json":
        response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["dimension", "code", "month", "count"])
        for dimension, (key, _entries) in TABLES.items():
            table = data[key]
            for code, row in zip(table["rows"], table["cells"], strict=True):
                for month, count in zip(table["cols"], row, strict=True):
                    writer.writerow([dimension, code, month, "suppressed" if count is None else count])
        response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="access-statistics.{kind}"'
    return response


def _cohort() -> tuple[statistics.Cohort | None, dict]:
    """The cohort asked for, or None; errors by field for a clear 400."""
    form, office, month = (request.args.get(k, "")[:16] for k in ("form", "office", "month"))
    if not (form or office or month):
        return None, {}
    errors = {}
    if form not in CASES.forms:
        errors["form"] = _("Choose a form from the list.")
    if office not in CASES.offices:
        errors["office"] = _("Choose an office from the list.")
    first = None
    try:
        first = datetime.strptime(month, "%Y-%m").date()
        if not date(1990, 1, 1) <= first <= _now().date():
            raise ValueError(month)
    except ValueError:
        errors["month"] = _("Enter a month like 2025-03, not in the future.")
    if errors:
        return None, errors
    return statistics.Cohort(form, office, first), {}


@bp.get("/cases")
def cases_like_mine():
    cohort, errors = _cohort()
    result = statistics.cohort_statistics(get_session(), cohort, _now()) if cohort else None
    args = {k: request.args.get(k, "")[:16] for k in ("form", "office", "month")}
    return render_page("statistics/cases.html", "result", 400 if errors else 200, result=result, errors=errors,
                       args=args,
                       forms=CASES.forms.values(), offices=CASES.offices.values(), statuses=CASES.statuses,
                       office_names={code: office.name for code, office in CASES.offices.items()},
                       month_label=_month_label)
