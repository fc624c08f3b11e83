"""Staff pages. For now: admins verify representatives before they can see anything."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.core import representatives
from portal.core.errors import CaseNotFound
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, now, role_required
from portal.web.forms import ConfirmForm
from portal.web.localized import localized_blueprint

bp = localized_blueprint("staff", __name__, "/staff")
log = get_logger("staff")


@bp.get("/representatives")
@role_required("admin")
def pending_representatives():
    rows = representatives.unverified_profiles(get_session())
    return render_template("staff/representatives.html", rows=rows, form=ConfirmForm())


@bp.post("/representatives/<user_id>/verify")
@role_required("admin")
def verify_representative(user_id: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        representatives.verify_profile(get_session(), user_id, current_user(), now())
    except CaseNotFound:
        abort(404)
    log.info("representative verified", extra={"user": user_id})
    flash(_("Verified."), "success")
    return redirect(url_for("staff.pending_representatives"))
