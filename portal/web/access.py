"""Who can see my data: every representative and organization with access to the applicant's
part of a case, with a revoke button, and appointing a verified representative with consent."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from portal.core import accounts, representatives
from portal.core.cases import linked_cases
from portal.core.errors import CaseNotFound, LinkFailed, LoginFailed, Throttled
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, login_required, now, send_mail
from portal.web.forms import AppointForm, ConfirmForm
from portal.web.localized import localized_blueprint
from portal.web.messages import N_

bp = localized_blueprint("access", __name__, "/access")
log = get_logger("access")



def tell_new_access() -> None:
    """E-mail the represented party's accounts about every new access (API filings, appointments)."""
    base = current_app.config["PORTAL_SETTINGS"].base_url
    for email, language, representative in representatives.untold_access(get_session(), now()):
        send_mail(email, language, "new_access", N_("Someone new can see your case"),
                  representative=representative, link=base + url_for("access.index", lang_code=language))


def _appoint_form(from_request: bool = True) -> AppointForm:
    form = AppointForm() if from_request else AppointForm(formdata=None)
    form.case.choices = [(c.link_id, f"{c.form.code} · {c.receipt_number}")
                         for c in linked_cases(get_session(), current_user().id, now().date())
                         if c.party_role != "petitioner"]
    return form


def _page(form: AppointForm, status: int = 200):
    people = representatives.who_can_see(get_session(), current_user())
    return render_template("access/index.html", people=people, form=form, revoke_form=ConfirmForm()), status


@bp.get("/")
@login_required
def index():
    return _page(_appoint_form(from_request=False))


@bp.post("/appoint")
@login_required
def appoint():
    form = _appoint_form()
    user = current_user()
    if form.validate_on_submit():
        try:
            accounts.reauthenticate(get_session(), user, form.current.data,
                                    current_app.extensions["portal.hasher"], now())
            representatives.appoint(get_session(), user, form.case.data, form.email.data, now())
        except (LoginFailed, Throttled):
            form.current.errors.append(_("This is not your current password."))
        except LinkFailed:
            form.email.errors.append(_("No verified representative uses this e-mail address."))
        except CaseNotFound:
            abort(404)
        else:
            log.info("representative appointed")
            tell_new_access()
            flash(_("Done. This representative can now see this case."), "success")
            return redirect(url_for("access.index"))
    return _page(form, 400)


@bp.post("/<representation_id>/revoke")
@login_required
def revoke(representation_id: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        representatives.revoke(get_session(), current_user(), representation_id, now())
    except CaseNotFound:
        abort(404)
    log.info("representation revoked")
    flash(_("Done. This representative can no longer see this case."), "success")
    return redirect(url_for("access.index"))
