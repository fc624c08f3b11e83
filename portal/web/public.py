"""Public pages: the language-prefixed home page and the case status lookup (no account needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, request, url_for
from flask_babel import get_locale

from portal import i18n
from portal.catalog import load_catalog
from portal.core.cases import public_case_status
from portal.core.errors import CaseNotFound, InvalidReceiptNumber
from portal.core.identifiers import RECEIPT_NUMBER_EXAMPLE
from portal.db import get_session
from portal.security import csrf, rate_limiter
from portal.web.htmx import render_page
from portal.web.localized import localized_blueprint

bp = localized_blueprint("public", __name__)
root = Blueprint("root", __name__)

CASE_STEPS = tuple(load_catalog().steps.values())
MAX_TYPED_LENGTH = 64  # what we echo back and parse; a receipt number is 13 characters


@root.get("/")
def entry():
    """The bare address: send the visitor to their saved language, or their browser's."""
    response = redirect(url_for("public.home", lang_code=i18n.select_locale()))
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


@bp.get("/")
def home():
    return render_page("public/lookup.html", "lookup", outcome=None, typed="")


@bp.post("/status")
@csrf.exempt  # changes nothing and needs no session: the receipt number stays out of URLs
@rate_limiter.limit("PORTAL_LOOKUP_RATE_LIMIT", scope="lookup")
def lookup():
    typed = request.form.get("receipt_number", "")[:MAX_TYPED_LENGTH]
    case, outcome, status = None, "found", 200
    try:
        case = public_case_status(get_session(), typed, today=datetime.now(UTC).date())
    except InvalidReceiptNumber:
        outcome, status = "malformed", 400
    except CaseNotFound:
        outcome, status = "not_found", 404
    return render_page("public/lookup.html", "lookup", status, outcome=outcome, typed=typed, case=case)


def page_context() -> dict:
    """Values every page template uses: the current locale and the language menu."""
    locale = i18n.locale_info(str(get_locale()))
    return {
        "locale": locale,
        "_translations": i18n.translations_for(locale.code),
        "offered_locales": i18n.offered_locales(),
        "receipt_example": RECEIPT_NUMBER_EXAMPLE,
        "case_steps": CASE_STEPS,
        "case_steps_by_code": load_catalog().steps,
        "menu_endpoint": _menu_endpoint(),
    }


def _menu_endpoint() -> str:
    """Where the language menu leads: this page in another language, or the home page after a
    POST (a result cannot be re-fetched by a link) or on an error page."""
    endpoint = request.endpoint
    if request.method == "GET" and endpoint and endpoint.startswith("public.") and not request.view_args:
        return endpoint
    return "public.home"
