"""Representatives: their profile, the clients dashboard (search, filters, pages) and a client's
case. A profile sees nothing until staff verify it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.catalog import load_catalog
from portal.core import access_log, representatives
from portal.core.errors import CaseNotFound
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, login_required, now
from portal.web.forms import RepresentativeProfileForm
from portal.web.localized import localized_blueprint

bp = localized_blueprint("representatives", __name__, "/representatives")
log = get_logger("representatives")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    session, user = get_session(), current_user()
    existing = representatives.profile_of(session, user)
    form = RepresentativeProfileForm(obj=existing)
    if form.validate_on_submit():
        representatives.save_profile(session, user, form.full_name.data, form.bar_number.data.strip(),
                                     form.bar_state.data.strip().upper(), form.eoir_id.data.strip(),
                                     form.organization.data.strip())
        flash(_("Thank you. Staff will check your details; until then you see no client data."), "success")
        return redirect(url_for("representatives.clients"))
    return render_template("representatives/profile.html", form=form, profile=existing), 400 if form.errors else 200


@bp.get("/clients/")
@login_required
def clients():
    session, user = get_session(), current_user()
    profile = representatives.profile_of(session, user)
    if profile is None:
        return redirect(url_for("representatives.profile"))
    search = request.args.get("q", "")[:20]
    status = request.args.get("status", "")
    status = status if status in load_catalog().statuses else ""
    action_only = request.args.get("action") == "1"
    after = request.args.get("after", type=int)
    page, next_key = representatives.client_cases(session, user, search, status, action_only, after)
    return render_template("representatives/clients.html", profile=profile, cases=page, next_key=next_key,
                           search=search, status=status, action_only=action_only,
                           statuses=load_catalog().statuses.values())


@bp.get("/clients/<representation_id>")
@login_required
def client_case(representation_id: str):
    session = get_session()
    try:
        party_role, case = representatives.client_case_status(session, current_user(), representation_id,
                                                              now().date())
    except CaseNotFound:
        log.warning("client case refused", extra={"endpoint": "representatives.client_case"})
        abort(404)
    has_log = party_role in access_log.SUBJECT_ROLES  # a petitioner's data has no log here
    if has_log:
        subjects = access_log.subjects_of_client(session, current_user(), representation_id)
        if access_log.record_portal_read(session, subjects, access_log.REPRESENTATIVE,
                                         ("application", "immigration_history"), now()):
            session.commit()
    return render_template("cases/detail.html", case=case, party_role=party_role, as_representative=True,
                           representation_id=representation_id if has_log else None)
