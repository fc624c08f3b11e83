"""Privacy requests, the requester's side: file one (a "this looks wrong" link prefills a
correction), see its status in plain words with the due date, the history and the messages,
answer a request for information, write, withdraw. Every change is told by e-mail."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.core import access_log, releases, representatives
from portal.core import requests as pr
from portal.core.errors import CaseNotFound
from portal.core.models import PrivacyRequest, User
from portal.core.uploads import MAX_BYTES, UploadRefused, check_upload
from portal.db import get_session
from portal.logs import get_logger
from portal.web import letters, request_files
from portal.web.auth import current_user, login_required, now, send_mail
from portal.web.forms import ConfirmForm, PrivacyRequestForm, RequestMessageForm
from portal.web.localized import localized_blueprint
from portal.web.messages import N_

bp = localized_blueprint("requests", __name__, "/requests")
log = get_logger("requests")

UPDATE_SUBJECT = N_("There is news on your privacy request")


def tell_requester(privacy_request: PrivacyRequest) -> None:
    """E-mail the requester that their request changed (the mail names no record, only the
    tracking number, and links to the request)."""
    requester = get_session().get(User, privacy_request.requester_user_id)
    base = current_app.config["PORTAL_SETTINGS"].base_url
    link = base + url_for("requests.detail", lang_code=requester.preferred_language,
                          public_id=privacy_request.public_id)
    send_mail(requester.email, requester.preferred_language, "request_update", UPDATE_SUBJECT,
              tracking_number=privacy_request.tracking_number, link=link)


@bp.get("/")
@login_required
def index():
    session = get_session()
    own = pr.own_requests(session, current_user())
    today = now().date()
    return render_template("requests/index.html", requests=own,
                           days_left={r.id: pr.days_left(session, r, today) for r in own})


def _prefill(form: PrivacyRequestForm) -> None:
    """A correction of the access-log entry named in ?entry= (only one of the person's own)."""
    entry_id = request.args.get("entry", type=int)
    if entry_id is None:
        return
    session = get_session()
    subjects = access_log.subjects_of_user(session, current_user().id)
    try:
        entry = access_log.log_entry(session, subjects, entry_id, now().date())
    except CaseNotFound:
        abort(404)
    form.kind.data = "amendment"
    form.amendment_record.data = _("Access log entry of %(date)s: %(agency)s, %(system)s",
                                   date=entry.occurred_at.date().isoformat(), agency=_(entry.agency.name),
                                   system=_(entry.system.name))
    form.description.data = _("This entry of my access log looks wrong.")


def _clients(form: PrivacyRequestForm) -> dict | None:
    """A verified representative's clients (applicants and beneficiaries) to file for, and the
    choice of a person who signed a consent; None for everyone else."""
    session = get_session()
    if not representatives.is_verified(session, current_user()):
        form.on_behalf.choices = [("", _("My own records"))]
        return None
    cases, _next = representatives.client_cases(session, current_user(), limit=500)
    clients = {c.representation_id: c for c in cases if c.party_role in access_log.SUBJECT_ROLES}
    form.on_behalf.choices = [("", _("My own records"))] + [
        (key, f"{c.form_code} · {c.receipt_number}") for key, c in clients.items()] + [
        ("consent", _("Someone else, who signed a consent I attach"))]
    return clients


def _consent_upload(form: PrivacyRequestForm) -> bytes | None:
    """The consent's bytes once checked (by content); None with the reason on the form."""
    data = form.consent_file.data.read(MAX_BYTES + 1)
    try:
        check_upload(data)
    except UploadRefused as refused:
        form.consent_file.errors.append(request_files.REFUSALS[refused.reason]())
        return None
    return data


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    request.max_content_length = MAX_BYTES + 256 * 1024  # a consent may be attached
    form = PrivacyRequestForm()
    clients = _clients(form)
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(24)
        _prefill(form)
        return render_template("requests/new.html", form=form, clients=clients)
    if not form.validate_on_submit() or not form.submission_key.data:
        return render_template("requests/new.html", form=form, clients=clients), 400
    on_behalf, consent = None, None
    if form.on_behalf.data == "consent":
        consent = _consent_upload(form)
        if consent is None:
            return render_template("requests/new.html", form=form, clients=clients), 400
    elif form.on_behalf.data:
        try:
            on_behalf = representatives.active_representation(get_session(), current_user(), form.on_behalf.data)
        except CaseNotFound:
            abort(404)
    entry_id = request.args.get("entry", type=int)
    filed = pr.file_request(get_session(), current_user(), pr.NewRequest(
        kind=form.kind.data, description=form.description.data, declaration_name=form.declaration_name.data,
        language=current_user().preferred_language, submission_key=form.submission_key.data[:64],
        track=int(form.track.data) if form.kind.data == "access" else None, hearing_on=form.hearing_on.data,
        expedite=bool(form.expedite.data), expedite_statement=form.expedite_statement.data,
        fee_category=form.fee_category.data, amendment_record=form.amendment_record.data or None,
        amendment_correction=form.amendment_correction.data or None,
        access_event_id=entry_id if form.kind.data == "amendment" and on_behalf is None and consent is None
        else None,
        consent_subject=f"{form.consent_name.data.strip()} · {form.consent_identifier.data.strip()}"
        if consent is not None else None), now(), on_behalf)
    if consent is not None and not any(f.purpose == "consent" for f in pr.request_files(get_session(), filed)):
        pr.attach_file(get_session(), filed, current_user(), False, consent, request_files.folder(), now(),
                       purpose="consent")
    log.info("privacy request filed", extra={"kind": filed.kind, "request": filed.public_id})
    tell_requester(filed)
    flash(_("Your request is filed. Its tracking number is %(number)s.", number=filed.tracking_number), "success")
    return redirect(url_for("requests.detail", public_id=filed.public_id))


def _own(public_id: str, acting: bool = True) -> PrivacyRequest:
    """The request, if the signed-in person may see it (and, when `acting`, filed it)."""
    try:
        return pr.own_request(get_session(), current_user(), public_id, acting)
    except CaseNotFound:
        log.warning("privacy request refused", extra={"endpoint": request.endpoint})
        abort(404)


def _detail(privacy_request: PrivacyRequest, status: int = 200, message_form=None, upload_error=None,
            appeal_form=None, disagree_form=None):
    session = get_session()
    deadline = pr.appeal_deadline(privacy_request)
    filed_for_me = privacy_request.requester_user_id != current_user().id
    return render_template("requests/detail.html", request_=privacy_request, upload_error=upload_error,
                           filed_for_me=filed_for_me, fee_pending=pr.fee_pending(privacy_request),
                           expedite_due=pr.expedite_due(privacy_request), exemptions=releases.EXEMPTIONS,
                           appeal_until=deadline if deadline and deadline >= now().date() else None,
                           appeal_form=appeal_form or RequestMessageForm(formdata=None, prefix="appeal"),
                           disagreement_form=disagree_form or RequestMessageForm(formdata=None, prefix="disagree"),
                           files=pr.request_files(session, privacy_request),
                           withheld=releases.withheld_items(session, privacy_request),
                           referrals=releases.referrals(session, privacy_request),
                           letters=letters.request_letters(privacy_request) if not filed_for_me else [],
                           events=pr.history(session, privacy_request),
                           days_left=pr.days_left(session, privacy_request, now().date()),
                           message_form=message_form or RequestMessageForm(formdata=None),
                           confirm_form=ConfirmForm(formdata=None)), status


@bp.get("/<public_id>")
@login_required
def detail(public_id: str):
    return _detail(_own(public_id, acting=False))


@bp.post("/<public_id>/message")
@login_required
def message(public_id: str):
    privacy_request = _own(public_id)
    form = RequestMessageForm()
    if not form.validate_on_submit():
        return _detail(privacy_request, 400, form)
    session = get_session()
    if privacy_request.status == "needs_information":
        pr.answer_information_request(session, privacy_request, current_user(), form.text.data, now())
    else:
        pr.add_message(session, privacy_request, current_user(), False, form.text.data, now())
    log.info("privacy request message", extra={"request": privacy_request.public_id})
    flash(_("Sent."), "success")
    return redirect(url_for("requests.detail", public_id=public_id))


def _statement(public_id: str, prefix: str, act, refused: str, done: str, event: str, tell: bool):
    """A requester's written step on a decided request (an appeal, a statement of disagreement):
    the form under `prefix`, `act(session, request, user, text, now)`, then a flash and a redirect."""
    privacy_request = _own(public_id)
    form = RequestMessageForm(prefix=prefix)
    if not form.validate_on_submit():
        return _detail(privacy_request, 400, **{f"{prefix}_form": form})
    try:
        act(get_session(), privacy_request, current_user(), form.text.data, now())
    except pr.TransitionRefused:
        flash(refused, "info")
        return redirect(url_for("requests.detail", public_id=public_id))
    log.info(event, extra={"request": public_id})
    if tell:
        tell_requester(privacy_request)
    flash(done, "success")
    return redirect(url_for("requests.detail", public_id=public_id))


@bp.post("/<public_id>/appeal")
@login_required
def appeal(public_id: str):
    return _statement(public_id, "appeal", pr.appeal, _("This decision can no longer be appealed."),
                      _("Your appeal is filed."), "privacy request appealed", tell=True)


@bp.post("/<public_id>/disagreement")
@login_required
def disagreement(public_id: str):
    return _statement(public_id, "disagree", pr.file_disagreement,
                      _("A statement of disagreement follows a refused correction, once."),
                      _("Your statement is filed. Every later disclosure of this record will carry it."),
                      "statement of disagreement filed", tell=False)


@bp.post("/<public_id>/withdraw")
@login_required
def withdraw(public_id: str):
    privacy_request = _own(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        pr.withdraw(get_session(), privacy_request, current_user(), now())
    except pr.TransitionRefused:
        flash(_("This request is closed: it can no longer be withdrawn."), "info")
        return redirect(url_for("requests.detail", public_id=public_id))
    log.info("privacy request withdrawn", extra={"request": public_id})
    letters.issue_letter(privacy_request, "closing")
    tell_requester(privacy_request)
    flash(_("Your request is withdrawn."), "success")
    return redirect(url_for("requests.detail", public_id=public_id))


@bp.post("/<public_id>/fee")
@login_required
def accept_fee(public_id: str):
    """The requester agrees to pay the estimated fee; the work goes on."""
    privacy_request = _own(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        pr.accept_fee(get_session(), privacy_request, current_user(), now())
    except pr.TransitionRefused:
        flash(_("There is no fee to agree to on this request."), "info")
        return redirect(url_for("requests.detail", public_id=public_id))
    log.info("privacy request fee accepted", extra={"request": public_id})
    flash(_("Thank you. The agency goes on with your request."), "success")
    return redirect(url_for("requests.detail", public_id=public_id))


@bp.post("/<public_id>/files")
@login_required
def upload_file(public_id: str):
    privacy_request = _own(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    error = request_files.upload(privacy_request, by_staff=False)
    if error:
        return _detail(privacy_request, 400, upload_error=error)
    log.info("privacy request file added", extra={"request": public_id})
    flash(_("The file is attached."), "success")
    return redirect(url_for("requests.detail", public_id=public_id))


@bp.get("/<public_id>/files/<file_id>")
@login_required
def download_file(public_id: str, file_id: str):
    try:
        return request_files.download(_own(public_id, acting=False), file_id)
    except CaseNotFound:
        abort(404)
