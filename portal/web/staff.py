"""Staff pages: verify representatives, manage API clients, review rejected ingest events, reset
a lost authenticator after an identity check. Every change is recorded (core.staff)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.core import access_log, representatives, staff
from portal.core.errors import CaseNotFound
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, now, role_required, send_mail
from portal.web.forms import ApiClientForm, ConfirmForm, ResetTwoStepForm, ResolveForm, StaffInviteForm
from portal.web.localized import localized_blueprint
from portal.web.messages import N_

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


STAFF = ("privacy_officer", "supervisor", "admin")


@bp.get("/")
@role_required(*STAFF)
def index():
    return render_template("staff/index.html")


@bp.route("/api-clients", methods=["GET", "POST"])
@role_required("admin")
def api_clients():
    form = ApiClientForm()
    token = None
    if form.validate_on_submit():
        client, token = staff.new_api_client(get_session(), current_user(), form.agency.data, form.name.data, now())
        log.info("api client created", extra={"client": client.id, "agency": client.agency})
    return render_template("staff/api_clients.html", form=form, token=token, clients=staff.api_clients(get_session()),
                           revoke_form=ConfirmForm()), 400 if form.errors else 200


@bp.post("/api-clients/<int:client_id>/revoke")
@role_required("admin")
def revoke_api_client(client_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        staff.revoke_api_client(get_session(), current_user(), client_id, now())
    except CaseNotFound:
        abort(404)
    log.info("api client revoked", extra={"client": client_id})
    flash(_("The client's token no longer works."), "success")
    return redirect(url_for("staff.api_clients"))


@bp.get("/rejected")
@role_required(*STAFF)
def rejected():
    return render_template("staff/rejected.html", events=staff.rejected_events(get_session()))


@bp.route("/rejected/<int:event_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def rejected_event(event_id: int):
    form = ResolveForm()
    try:
        if form.validate_on_submit():
            staff.resolve_rejected(get_session(), current_user(), event_id, form.note.data, now())
            flash(_("Marked resolved."), "success")
            return redirect(url_for("staff.rejected"))
        event = staff.rejected_event(get_session(), event_id)
    except CaseNotFound:
        abort(404)
    # The payload may name people: reading it is an access they see in their log.
    subjects = access_log.subjects_in_payload(event.raw_payload)
    if access_log.record_portal_read(get_session(), subjects, access_log.STAFF, ("application", "biographic"), now()):
        get_session().commit()
    return render_template("staff/rejected_event.html", event=event, form=form), 400 if form.errors else 200


@bp.route("/two-step-reset", methods=["GET", "POST"])
@role_required("admin")
def two_step_reset():
    form = ResetTwoStepForm()
    if form.validate_on_submit():
        try:
            staff.reset_two_step(get_session(), current_user(), form.email.data, form.identity_check.data, now())
        except CaseNotFound:
            form.email.errors.append(_("No account uses this e-mail address."))
        else:
            log.info("two-step reset by admin")
            flash(_("Two-step sign-in is reset. The person sets it up again at their next sign-in."), "success")
            return redirect(url_for("staff.two_step_reset"))
    return render_template("staff/two_step_reset.html", form=form,
                           actions=staff.actions(get_session())), 400 if form.errors else 200



@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = StaffInviteForm()
    if form.validate_on_submit():
        try:
            user, token = staff.invite_staff(get_session(), current_user(), form.email.data, form.role.data,
                                             current_app.extensions["portal.hasher"], now())
        except ValueError:
            form.email.errors.append(_("An account with this e-mail address exists."))
        else:
            base = current_app.config["PORTAL_SETTINGS"].base_url
            send_mail(user.email, user.preferred_language, "staff_invite", N_("Your staff account"),
                      link=base + url_for("account.reset", token=token, lang_code=user.preferred_language))
            log.info("staff account created", extra={"user": user.public_id, "role": user.role})
            flash(_("Account created. We sent a link to choose a password."), "success")
            return redirect(url_for("staff.users"))
    return render_template("staff/users.html", form=form, accounts=staff.staff_accounts(get_session())), \
        400 if form.errors else 200
