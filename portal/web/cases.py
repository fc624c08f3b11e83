"""An account's cases: the list with action-required flags, linking a case, one case in full."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.core import accounts
from portal.core.cases import linked_case_status, linked_cases
from portal.core.errors import CaseNotFound, InvalidReceiptNumber, LinkFailed, Throttled
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import client_address, current_user, login_required, now
from portal.web.forms import LinkCaseForm
from portal.web.localized import localized_blueprint

bp = localized_blueprint("cases", __name__, "/cases")
log = get_logger("cases")


@bp.get("/")
@login_required
def index():
    cases = linked_cases(get_session(), current_user().id, now().date())
    return render_template("cases/index.html", cases=cases)


@bp.route("/link", methods=["GET", "POST"])
@login_required
def link():
    form = LinkCaseForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            case_link = accounts.link_case(get_session(), current_user(), form.receipt_number.data,
                                           form.access_code.data, client_address(), now())
        except InvalidReceiptNumber:
            form.receipt_number.errors.append(
                _("This is not a receipt number. Enter 3 letters and then 10 numbers."))
            status = 400
        except LinkFailed:
            log.warning("case link refused")
            error, status = _("We could not link a case with this receipt number and access code. "
                              "Check both on your notice and try again."), 400
        except Throttled:
            log.warning("case link throttled")
            error, status = _("Too many attempts. Wait a minute, then try again."), 429
        else:
            log.info("case linked", extra={"link": case_link.public_id})
            return redirect(url_for("cases.detail", link_id=case_link.public_id))
    elif form.errors:
        status = 400
    return render_template("cases/link.html", form=form, error=error), status


@bp.get("/<link_id>")
@login_required
def detail(link_id: str):
    try:
        party_role, case = linked_case_status(get_session(), current_user().id, link_id, now().date())
    except CaseNotFound:
        log.warning("case not found for account", extra={"endpoint": "cases.detail"})
        abort(404)
    return render_template("cases/detail.html", case=case, party_role=party_role)
