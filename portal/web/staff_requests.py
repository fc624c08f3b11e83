"""Privacy requests, the back office: the queue (filters by kind, status and due date), one
request with its history and messages, and the decisions the lifecycle allows. Opening a request
reads the requester's data: it is recorded in their access log."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import i18n
from portal.core import access_log, releases
from portal.core import requests as pr
from portal.core.errors import CaseNotFound
from portal.core.models import PrivacyRequest, User
from portal.db import get_session
from portal.logs import get_logger
from portal.web import documents, letters, request_files
from portal.web.auth import current_user, now, role_required, send_mail
from portal.web.forms import (
    AssignForm,
    ClosureDayForm,
    ConfirmForm,
    ConsentCheckForm,
    ExpediteDecisionForm,
    FeeEstimateForm,
    ReferralForm,
    ReferralStatusForm,
    ReplyForm,
    RequestMessageForm,
    RequestMoveForm,
    WithheldItemForm,
)
from portal.web.localized import localized_blueprint
from portal.web.messages import N_
from portal.web.requests import tell_requester

bp = localized_blueprint("staff_requests", __name__, "/staff/requests")
log = get_logger("staff")
STAFF = ("privacy_officer", "supervisor", "admin")


# Replies staff send often: (the label staff pick, the words the requester reads in their language).
REPLY_TEMPLATES = {
    "identity": (N_("Ask for proof of identity"), N_(
        "To find your records we need proof of your identity. Please attach a copy of an identity document "
        "with your photo on this request's page.")),
    "narrow": (N_("Offer to narrow the request"), N_(
        "Your request covers many records. If you tell us which documents or dates matter most, we can answer "
        "sooner and the fee may be lower.")),
    "hearing": (N_("Ask for the hearing notice (track 3)"), N_(
        "Please attach the notice of your hearing before the immigration judge, so that your request stays on "
        "track 3.")),
    "working": (N_("Say the request is being worked on"), N_(
        "We are working on your request and will write to you as soon as we have an answer.")),
}
QUEUE_DUE = (0, 2, 5, 10)  # 0: overdue


@bp.get("/")
@role_required(*STAFF)
def queue():
    """The queue: filters are read leniently (an unknown value is ignored, never an error)."""
    args = request.args
    track = args.get("track", type=int)
    due_within = args.get("due", type=int)
    wanted = pr.QueueFilter(
        kind=args.get("kind", "") if args.get("kind") in pr.KINDS else "",
        status=args.get("status", "") if args.get("status") in pr.STATUSES else "",
        track=track if track in (1, 2, 3) else None,
        due_within=due_within if due_within in QUEUE_DUE else None,
        assignee_id=current_user().id if args.get("mine") == "1" else None)
    today = now().date()
    session = get_session()
    rows = pr.queue(session, wanted, today)
    return render_template("staff/requests.html", rows=rows, wanted=wanted, statuses=pr.STATUSES,
                           due_choices=QUEUE_DUE, days_left={r.id: pr.days_left(session, r, today) for r in rows},
                           expedite_due={r.id: pr.expedite_due(r) for r in rows})


def _request(public_id: str) -> PrivacyRequest:
    try:
        return pr.staff_request(get_session(), public_id)
    except CaseNotFound:
        abort(404)


PROPOSE = "propose:"


def _move_form(privacy_request: PrivacyRequest, from_request: bool = False) -> RequestMoveForm:
    """Next steps, then outcomes to propose ("propose:<outcome>") when one may be proposed."""
    form = RequestMoveForm() if from_request else RequestMoveForm(formdata=None)
    allowed = pr.STAFF_MOVES.get(privacy_request.status, set())
    steps = [(s, s) for s in pr.STATUSES if s in allowed and s != "release_proposed"]
    proposals = [(PROPOSE + o, o) for o in pr.outcomes(privacy_request)] if "release_proposed" in allowed else []
    form.to_status.choices = steps + proposals
    return form


def _reply_form(from_request: bool = False) -> ReplyForm:
    form = ReplyForm() if from_request else ReplyForm(formdata=None)
    form.template.choices = [("", _("None"))] + [(key, _(label)) for key, (label, _text) in REPLY_TEMPLATES.items()]
    return form


def _withheld_form(from_request: bool = False) -> WithheldItemForm:
    form = WithheldItemForm() if from_request else WithheldItemForm(formdata=None)
    form.exemption.choices = list(releases.EXEMPTIONS.items())
    return form


def _assign_form(privacy_request: PrivacyRequest) -> AssignForm:
    form = AssignForm(formdata=None, assignee=str(privacy_request.assignee_id or ""))
    form.assignee.choices = [("", _("Nobody"))] + [(str(u.id), u.email) for u in pr.staff_recipients(get_session())]
    return form


def _page(privacy_request: PrivacyRequest, status: int = 200, move_form=None, message_form=None,
          upload_error=None, fee_form=None, consent_form=None, expedite_form=None, referral_form=None,
          withheld_form=None, approval_form=None):
    session = get_session()
    return render_template(
        "staff/request.html", request_=privacy_request, events=pr.history(session, privacy_request),
        consent_pending=pr.consent_pending(privacy_request), fee_pending=pr.fee_pending(privacy_request),
        consent_form=consent_form or ConsentCheckForm(formdata=None),
        expedite_due=pr.expedite_due(privacy_request),
        expedite_form=expedite_form or ExpediteDecisionForm(formdata=None),
        referrals=releases.referrals(session, privacy_request),
        referral_form=referral_form or ReferralForm(formdata=None),
        referral_status_form=ReferralStatusForm(formdata=None),
        withheld=releases.withheld_items(session, privacy_request), exemptions=releases.EXEMPTIONS,
        withheld_form=withheld_form or _withheld_form(), assign_form=_assign_form(privacy_request),
        letters=letters.request_letters(privacy_request),
        files=pr.request_files(session, privacy_request), upload_error=upload_error,
        notices=pr.correction_notices(session, privacy_request),
        fee_form=fee_form or FeeEstimateForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        requester=session.get(User, privacy_request.requester_user_id),
        days_left=pr.days_left(session, privacy_request, now().date()),
        move_form=move_form or _move_form(privacy_request),
        message_form=message_form or _reply_form(),
        approval_form=approval_form or RequestMessageForm(formdata=None)), status


@bp.get("/report.csv")
@role_required(*STAFF)
def report():
    """The annual FOIA report's figures for a fiscal year (?year=2026), as CSV: one row per track
    (and for accountings and corrections), with the exemptions used."""
    year = request.args.get("year", type=int) or now().year + (1 if now().month >= 10 else 0)
    if not 2000 <= year <= 2100:
        abort(400)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # Exemptions used: one column per exemption, the requests of the group that applied it.
    writer.writerow(["fiscal_year", "group", "received", "processed", "median_working_days",
                     "average_working_days", "backlog_past_due",
                     *(f"exemption {cited}" for cited in releases.EXEMPTIONS.values())])
    exemptions = releases.exemptions_used(get_session(), year)
    for row in pr.annual_report(get_session(), year):
        writer.writerow([year, row.group, row.received, row.processed,
                         "" if row.median_days is None else row.median_days,
                         "" if row.average_days is None else row.average_days, row.backlog,
                         *exemptions[row.group].values()])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="foia-annual-report-fy{year}.csv"'
    return response


@bp.route("/closures", methods=["GET", "POST"])
@role_required("admin")
def closures():
    form = ClosureDayForm()
    if form.validate_on_submit():
        if pr.add_closure_day(get_session(), current_user(), form.day.data, form.reason.data):
            log.info("closure day added")
            flash(_("Saved. Deadlines computed from now on skip this day."), "success")
            return redirect(url_for("staff_requests.closures"))
        form.day.errors.append(_("This day is already a closure day."))
    return render_template("staff/closures.html", form=form,
                           days=pr.closure_days(get_session())), 400 if form.errors else 200


@bp.get("/<public_id>")
@role_required(*STAFF)
def detail(public_id: str):
    privacy_request = _request(public_id)
    session = get_session()
    subjects = pr.subjects_of_request(session, privacy_request)
    if access_log.record_portal_read(session, subjects, access_log.STAFF, ("application", "biographic"), now()):
        session.commit()
    return _page(privacy_request)


@bp.post("/<public_id>/move")
@role_required(*STAFF)
def move(public_id: str):
    privacy_request = _request(public_id)
    form = _move_form(privacy_request, from_request=True)
    if not form.validate_on_submit():
        return _page(privacy_request, 400, move_form=form)
    choice, note = form.to_status.data, form.note.data or ""
    try:
        if choice.startswith(PROPOSE):
            pr.propose_outcome(get_session(), privacy_request, choice.removeprefix(PROPOSE), current_user(), note,
                               now())
        else:
            pr.staff_move(get_session(), privacy_request, choice, current_user(), note, now())
    except pr.TransitionRefused:
        form.to_status.errors.append(_("Not allowed now: an extension needs its reason, and the clock "
                                       "stops for information only once."))
        return _page(privacy_request, 400, move_form=form)
    log.info("privacy request moved", extra={"request": public_id, "to": form.to_status.data})
    letters.issue_letter_for_status(privacy_request)
    tell_requester(privacy_request)
    flash(_("Saved. The requester is told by e-mail."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


@bp.post("/<public_id>/approve")
@role_required(*pr.APPROVERS)
def approve(public_id: str):
    """The second person: a supervisor who did not propose the outcome makes it final."""
    privacy_request = _request(public_id)
    form = RequestMessageForm()
    returning = request.form.get("decision") == "return"
    if returning and not form.validate_on_submit():
        return _page(privacy_request, 400, approval_form=form)
    if not returning and not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if returning:
            pr.return_proposal(get_session(), privacy_request, current_user(), form.text.data, now())
        else:
            pr.approve_outcome(get_session(), privacy_request, current_user(), now())
    except pr.TransitionRefused:
        flash(_("Only a supervisor who did not propose it can approve an outcome."), "info")
        return redirect(url_for("staff_requests.detail", public_id=public_id))
    log.info("privacy request outcome " + ("returned" if returning else "approved"), extra={"request": public_id})
    if not returning:
        letters.issue_letter(privacy_request, "closing")
        tell_requester(privacy_request)
    flash(_("Saved."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


@bp.post("/<public_id>/fees")
@role_required(*STAFF)
def fee_estimate(public_id: str):
    """The fee estimate, recorded and told to the requester before work proceeds."""
    privacy_request = _request(public_id)
    form = FeeEstimateForm()
    if not form.validate_on_submit():
        return _page(privacy_request, 400, fee_form=form)
    try:
        pr.record_fee_estimate(get_session(), privacy_request, current_user(), round(form.search_hours.data * 4),
                               round(form.review_hours.data * 4), form.pages.data, now())
    except pr.TransitionRefused:
        abort(409)
    tell_requester(privacy_request)
    flash(_("Saved. The requester is told by e-mail."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


@bp.post("/<public_id>/notices/<int:notice_id>")
@role_required(*STAFF)
def recipient_told(public_id: str, notice_id: int):
    """552a(c)(4): staff record that an earlier recipient was told of the correction."""
    privacy_request = _request(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        pr.mark_recipient_told(get_session(), privacy_request, notice_id, current_user(), now())
    except pr.TransitionRefused:
        abort(404)
    flash(_("Saved."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


@bp.post("/<public_id>/files")
@role_required(*STAFF)
def upload_file(public_id: str):
    privacy_request = _request(public_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    error = request_files.upload(privacy_request, by_staff=True)
    if error:
        return _page(privacy_request, 400, upload_error=error)
    tell_requester(privacy_request)
    flash(_("The file is attached."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


@bp.get("/<public_id>/files/<file_id>")
@role_required(*STAFF)
def download_file(public_id: str, file_id: str):
    try:
        return request_files.download(_request(public_id), file_id)
    except CaseNotFound:
        abort(404)


@bp.post("/<public_id>/message")
@role_required(*STAFF)
def message(public_id: str):
    privacy_request = _request(public_id)
    form = _reply_form(from_request=True)
    if not form.validate_on_submit():
        return _page(privacy_request, 400, message_form=form)
    parts = [i18n.translations_for(privacy_request.language).ugettext(REPLY_TEMPLATES[form.template.data][1])
             ] if form.template.data else []
    parts += [form.text.data.strip()] if (form.text.data or "").strip() else []
    pr.add_message(get_session(), privacy_request, current_user(), True, "\n\n".join(parts), now())
    tell_requester(privacy_request)
    flash(_("Sent."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


def _done(public_id: str, message: str | None = None):
    flash(message or _("Saved."), "success")
    return redirect(url_for("staff_requests.detail", public_id=public_id))


@bp.post("/<public_id>/consent")
@role_required(*STAFF)
def consent(public_id: str):
    """Staff checked the uploaded consent: the request is now about that party's records."""
    privacy_request = _request(public_id)
    form = ConsentCheckForm()
    if not form.validate_on_submit():
        return _page(privacy_request, 400, consent_form=form)
    try:
        pr.verify_consent(get_session(), privacy_request, current_user(), form.receipt_number.data,
                          form.party_role.data, now())
    except CaseNotFound:
        form.receipt_number.errors.append(_("No case has this receipt number."))
        return _page(privacy_request, 400, consent_form=form)
    except pr.TransitionRefused:
        form.receipt_number.errors.append(_("This case is protected: a supervisor checks the consent."))
        return _page(privacy_request, 403, consent_form=form)
    log.info("privacy request consent verified", extra={"request": public_id})
    tell_requester(privacy_request)
    return _done(public_id)


@bp.post("/<public_id>/expedite")
@role_required(*STAFF)
def expedite(public_id: str):
    privacy_request = _request(public_id)
    form = ExpediteDecisionForm()
    if not form.validate_on_submit():
        return _page(privacy_request, 400, expedite_form=form)
    try:
        pr.decide_expedite(get_session(), privacy_request, current_user(), form.decision.data == "granted",
                           form.reason.data or "", now())
    except pr.TransitionRefused:
        abort(409)
    log.info("privacy request expedite decided", extra={"request": public_id, "to": form.decision.data})
    tell_requester(privacy_request)
    return _done(public_id, _("Saved. The requester is told by e-mail."))


@bp.post("/<public_id>/referrals")
@role_required(*STAFF)
def refer(public_id: str):
    privacy_request = _request(public_id)
    form = ReferralForm()
    if not form.validate_on_submit():
        return _page(privacy_request, 400, referral_form=form)
    try:
        releases.refer(get_session(), privacy_request, current_user(), form.agency.data, form.tracking_number.data,
                       form.scope.data or "", now())
    except pr.TransitionRefused:
        abort(409)
    log.info("privacy request referred", extra={"request": public_id, "to": form.agency.data})
    tell_requester(privacy_request)
    return _done(public_id, _("Saved. The requester is told by e-mail."))


@bp.post("/<public_id>/referrals/<int:referral_id>")
@role_required(*STAFF)
def referral_status(public_id: str, referral_id: int):
    privacy_request = _request(public_id)
    form = ReferralStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        releases.update_referral(get_session(), privacy_request, referral_id, form.status.data, current_user(), now())
    except pr.TransitionRefused:
        abort(404)
    tell_requester(privacy_request)
    return _done(public_id)


@bp.post("/<public_id>/withheld")
@role_required(*STAFF)
def withhold(public_id: str):
    privacy_request = _request(public_id)
    form = _withheld_form(from_request=True)
    if not form.validate_on_submit():
        return _page(privacy_request, 400, withheld_form=form)
    try:
        releases.withhold(get_session(), privacy_request, current_user(), form.description.data, form.pages.data,
                          form.exemption.data, now())
    except pr.TransitionRefused:
        abort(409)
    log.info("privacy request record withheld", extra={"request": public_id, "exemption": form.exemption.data})
    return _done(public_id)


@bp.post("/<public_id>/assign")
@role_required(*STAFF)
def assign(public_id: str):
    privacy_request = _request(public_id)
    form = _assign_form(privacy_request)
    form.process(request.form)
    if not form.validate_on_submit():
        abort(400)
    assignee = get_session().get(User, int(form.assignee.data)) if form.assignee.data else None
    try:
        pr.assign(get_session(), privacy_request, current_user(), assignee, now())
    except pr.TransitionRefused:
        abort(400)
    log.info("privacy request assigned", extra={"request": public_id})
    return _done(public_id)


@bp.get("/<public_id>/letters/<document_id>")
@role_required(*STAFF)
def letter(public_id: str, document_id: str):
    privacy_request = _request(public_id)
    document = next((d for d in letters.request_letters(privacy_request) if d.public_id == document_id), None)
    if document is None or document.status != "done":
        abort(404)
    return documents.pdf_response(document)


DUE_SUBJECT = N_("A privacy request is due soon or overdue")


def deliver_staff_alerts() -> int:
    """E-mail privacy officers and supervisors about requests two working days before their due
    date and once overdue (the job worker runs it hourly; each alert goes once)."""
    session, today = get_session(), now().date()
    base = current_app.config["PORTAL_SETTINGS"].base_url
    due = pr.staff_alerts_due(session, today)
    staff = pr.staff_recipients(session)
    for privacy_request, level in due:
        for person in staff:
            link = base + url_for("staff_requests.detail", lang_code=person.preferred_language,
                                  public_id=privacy_request.public_id)
            send_mail(person.email, person.preferred_language, "staff_request_due", DUE_SUBJECT,
                      tracking_number=privacy_request.tracking_number, level=level,
                      due_on=privacy_request.due_on, link=link)
        pr.mark_staff_alerted(session, privacy_request, level)
    if due:
        log.info("request due alerts queued", extra={"count": len(due)})
    return len(due)
