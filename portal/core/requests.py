"""Privacy requests: filing one, its lifecycle as the law allows it, and its clock.

Kinds: access to records (FOIA / Privacy Act, with USCIS's tracks), an accounting of disclosures
(552a(c)(3)) and an amendment of a record (552a(d)(2)). Every change is a RequestEvent, so the
history is complete; the due date follows core.clocks (received after 5 p.m. Eastern counts from
the next working day; a request for information pauses the clock once; an extension adds 10
working days once, with its reason).
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from portal.core import access_log, clocks, fees
from portal.core.errors import CaseNotFound, DomainError
from portal.core.models import (
    AccessEvent,
    Case,
    CaseLink,
    ClosureDay,
    CorrectionNotice,
    PrivacyRequest,
    Representation,
    RequestEvent,
    RequestFile,
    User,
)
from portal.core.transactions import begin_write
from portal.core.uploads import check_upload

KINDS = ("access", "accounting", "amendment")
OPEN = ("submitted", "acknowledged", "in_process", "needs_information", "extended", "release_proposed", "appealed")
APPEALABLE = ("completed_partial", "no_records", "denied", "amendment_refused")
APPROVERS = ("supervisor", "admin")
CLOSED_ACCESS = ("completed_full", "completed_partial", "no_records", "denied")
CLOSED_AMENDMENT = ("amended", "amendment_refused")
CLOSED = (*CLOSED_ACCESS, *CLOSED_AMENDMENT, "withdrawn")
STATUSES = (*OPEN, *CLOSED)


class TransitionRefused(DomainError):
    """This change is not allowed from the request's present state (or was used already)."""


def calendar(session: Session) -> clocks.WorkCalendar:
    return clocks.WorkCalendar.with_closures(session.exec(select(ClosureDay.day)).all())


def _first_due(cal: clocks.WorkCalendar, kind: str, received: date) -> date:
    days = clocks.AMENDMENT_ACK_DAYS if kind == "amendment" else clocks.FOIA_DAYS
    return cal.add_working_days(received, days)


@dataclass(frozen=True)
class NewRequest:
    kind: str
    description: str
    declaration_name: str
    language: str
    submission_key: str
    track: int | None = None
    hearing_on: date | None = None
    expedite: bool = False
    expedite_statement: str | None = None
    fee_category: str = "other"
    amendment_record: str | None = None
    amendment_correction: str | None = None
    access_event_id: int | None = None
    consent_subject: str | None = None  # a representative's client named with uploaded consent


def file_request(session: Session, requester: User, new: NewRequest, now: datetime,
                 on_behalf: tuple[Representation, Case] | None = None) -> PrivacyRequest:
    """File a request about the requester's own records, or, for a representative, about a
    client's (`on_behalf`: an active representation of an applicant or beneficiary), or about a
    person named with their uploaded consent (`new.consent_subject`: whose records stays unset
    until staff verify the consent). The same submission key twice gives the request filed the
    first time (a double click, a resent form)."""
    if new.kind not in KINDS:
        raise ValueError(new.kind)
    existing = session.exec(select(PrivacyRequest).where(PrivacyRequest.requester_user_id == requester.id,
                                                         PrivacyRequest.submission_key == new.submission_key)).first()
    if existing is not None:
        return existing
    begin_write(session)
    cal = calendar(session)
    received = cal.received_on(now)
    subject = {"subject_user_id": requester.id}
    if on_behalf is not None:
        representation, case = on_behalf
        client = session.exec(select(CaseLink.user_id).where(CaseLink.case_id == case.id,
                                                              CaseLink.party_role == representation.party_role)).first()
        subject = {"subject_user_id": client, "subject_case_id": case.id,
                   "subject_party_role": representation.party_role, "representation_id": representation.id}
    elif new.consent_subject:
        subject = {"subject_user_id": None, "consent_subject": new.consent_subject[:300]}
    request = PrivacyRequest(
        tracking_number=f"pending-{new.submission_key[:16]}", kind=new.kind, **subject,
        requester_user_id=requester.id, submission_key=new.submission_key, description=new.description,
        track=new.track if new.kind == "access" else None, hearing_on=new.hearing_on if new.track == 3 else None,
        amendment_record=new.amendment_record, amendment_correction=new.amendment_correction,
        access_event_id=new.access_event_id, expedite=new.expedite,
        expedite_statement=new.expedite_statement if new.expedite else None, fee_category=new.fee_category,
        declaration_name=new.declaration_name, language=new.language, submitted_at=now, received_on=received,
        due_on=_first_due(cal, new.kind, received),
    )
    session.add(request)
    try:
        session.flush()
    except IntegrityError:  # the same key, committed by a concurrent request a moment ago
        session.rollback()
        return session.exec(select(PrivacyRequest).where(PrivacyRequest.requester_user_id == requester.id,
                                                         PrivacyRequest.submission_key == new.submission_key)).one()
    request.tracking_number = f"PR-{received.year}-{request.id:06d}"
    session.add(RequestEvent(request_id=request.id, kind="status", to_status="submitted", actor_id=requester.id,
                             at=now))
    session.commit()
    return request


# --- reading -------------------------------------------------------------------------------------


def _seen_by(user: User):
    """Requests the user filed, and those a representative filed about the user's records."""
    return sa.or_(PrivacyRequest.requester_user_id == user.id, PrivacyRequest.subject_user_id == user.id)


def own_requests(session: Session, user: User) -> list[PrivacyRequest]:
    return list(session.exec(select(PrivacyRequest).where(_seen_by(user)).order_by(col(PrivacyRequest.id).desc())))


def own_request(session: Session, user: User, public_id: str, acting: bool = False) -> PrivacyRequest:
    """One request the user may see; with `acting` (write, withdraw, appeal, attach), only one
    they filed themselves. CaseNotFound otherwise (the same answer as an unknown id)."""
    seen = PrivacyRequest.requester_user_id == user.id if acting else _seen_by(user)
    request = session.exec(select(PrivacyRequest).where(PrivacyRequest.public_id == public_id, seen)).first()
    if request is None:
        raise CaseNotFound()
    return request


def history(session: Session, request: PrivacyRequest) -> list[RequestEvent]:
    return list(session.exec(select(RequestEvent).where(RequestEvent.request_id == request.id)
                             .order_by(RequestEvent.id)))


def days_left(session: Session, request: PrivacyRequest, today: date) -> int | None:
    """Working days to the due date (negative when overdue); None once closed or paused."""
    if request.status in CLOSED or request.paused_on is not None:
        return None
    return calendar(session).working_days_between(today, request.due_on)


# --- the lifecycle ---------------------------------------------------------------------------------

# What staff may do from each state; an outcome (closing the request) is only proposed here and
# takes effect when a supervisor approves it. The requester may only answer a request for
# information and withdraw.
STAFF_MOVES = {
    "submitted": {"acknowledged"},
    "acknowledged": {"in_process", "needs_information", "extended", "release_proposed"},
    "in_process": {"needs_information", "extended", "release_proposed"},
    "extended": {"needs_information", "release_proposed"},
    "appealed": {"release_proposed"},
}


def outcomes(request: PrivacyRequest) -> tuple[str, ...]:
    return CLOSED_AMENDMENT if request.kind == "amendment" else CLOSED_ACCESS


def _record(session: Session, request: PrivacyRequest, to_status: str, actor: User, by_staff: bool, text: str,
            now: datetime) -> None:
    session.add(RequestEvent(request_id=request.id, kind="status", from_status=request.status, to_status=to_status,
                             actor_id=actor.id, by_staff=by_staff, text=text, at=now))
    request.status = to_status
    if to_status in CLOSED:
        request.closed_at = now
    session.add(request)


def staff_move(session: Session, request: PrivacyRequest, to_status: str, staff: User, note: str,
               now: datetime) -> None:
    """A staff step; TransitionRefused when the law (or this request's kind) does not allow it.
    An outcome goes through `propose_outcome` and `approve_outcome` instead."""
    if to_status not in STAFF_MOVES.get(request.status, set()) or to_status == "release_proposed":
        raise TransitionRefused()
    if to_status == "needs_information" and request.pause_used:
        raise TransitionRefused()  # FOIA lets the clock stop once
    if to_status == "extended" and (request.extended or not note.strip()):
        raise TransitionRefused()  # once, and only with the unusual circumstances written down
    if consent_pending(request) and to_status not in ("acknowledged", "needs_information"):
        raise TransitionRefused()  # nobody's records are searched before the consent is verified
    begin_write(session)
    cal = calendar(session)
    today = now.date()
    if to_status == "acknowledged" and request.kind == "amendment":
        request.due_on = cal.add_working_days(today, clocks.FOIA_DAYS)  # the portal's target for a decision
    if to_status == "needs_information":
        request.paused_on, request.pause_used = today, True
    if to_status == "extended":
        request.extended = True
        request.due_on = cal.add_working_days(request.due_on, clocks.EXTENSION_DAYS)
    _record(session, request, to_status, staff, True, note, now)
    session.commit()


def propose_outcome(session: Session, request: PrivacyRequest, outcome: str, staff: User, note: str,
                    now: datetime) -> None:
    """The decision, waiting for a supervisor's approval; the note is what the requester will read."""
    if "release_proposed" not in STAFF_MOVES.get(request.status, set()) or outcome not in outcomes(request):
        raise TransitionRefused()
    if consent_pending(request) or fee_pending(request):
        raise TransitionRefused()
    begin_write(session)
    request.proposed_outcome, request.proposed_by = outcome, staff.id
    _record(session, request, "release_proposed", staff, True, note, now)
    session.commit()


def approve_outcome(session: Session, request: PrivacyRequest, supervisor: User, now: datetime) -> None:
    """A supervisor who did not propose it makes the outcome final (two-person rule)."""
    if (request.status != "release_proposed" or supervisor.role not in APPROVERS
            or supervisor.id == request.proposed_by):
        raise TransitionRefused()
    begin_write(session)
    proposal = session.exec(select(RequestEvent).where(RequestEvent.request_id == request.id,
                                                       RequestEvent.to_status == "release_proposed")
                            .order_by(col(RequestEvent.id).desc())).first()
    outcome = request.proposed_outcome
    _record(session, request, outcome, supervisor, True, proposal.text if proposal else "", now)
    if outcome == "amended":
        _owe_correction_notices(session, request, now)
    session.commit()


def _owe_correction_notices(session: Session, request: PrivacyRequest, now: datetime) -> None:
    """552a(c)(4): every earlier recipient of the person's records, from the access log's
    disclosures, is to be told of the correction."""
    subjects = subjects_of_request(session, request)
    if not subjects:
        return
    disclosures = session.exec(select(AccessEvent).where(subjects.clause(), AccessEvent.action == "disclosed",
                                                         AccessEvent.occurred_at <= now)).all()
    for event in disclosures:
        recipient = event.recipient_agency or event.recipient_organization or ""
        session.add(CorrectionNotice(request_id=request.id, access_event_id=event.id, recipient=recipient,
                                     disclosed_at=event.occurred_at))


def correction_notices(session: Session, request: PrivacyRequest) -> list[CorrectionNotice]:
    return list(session.exec(select(CorrectionNotice).where(CorrectionNotice.request_id == request.id)
                             .order_by(CorrectionNotice.disclosed_at)))


def mark_recipient_told(session: Session, request: PrivacyRequest, notice_id: int, staff: User,
                        now: datetime) -> None:
    notice = session.get(CorrectionNotice, notice_id)
    if notice is None or notice.request_id != request.id or notice.told_at is not None:
        raise TransitionRefused()
    begin_write(session)
    notice.told_at, notice.told_by = now, staff.id
    session.add(notice)
    session.add(RequestEvent(request_id=request.id, kind="notice", actor_id=staff.id, by_staff=True,
                             text=notice.recipient, at=now))
    session.commit()


def file_disagreement(session: Session, request: PrivacyRequest, requester: User, statement: str,
                      now: datetime) -> None:
    """552a(d)(3): after a refused correction (and its review), the person's statement of
    disagreement; every later disclosure of the record carries a flag."""
    if request.kind != "amendment" or request.status != "amendment_refused" or request.disagreement or \
            not statement.strip():
        raise TransitionRefused()
    begin_write(session)
    request.disagreement, request.disagreement_at = statement, now
    session.add(request)
    session.add(RequestEvent(request_id=request.id, kind="disagreement", actor_id=requester.id, text=statement,
                             at=now))
    session.commit()


def disagreement_since(session: Session, subject_user_id: int) -> datetime | None:
    """When the person first filed a statement of disagreement (later disclosures are flagged)."""
    return session.exec(select(PrivacyRequest.disagreement_at).where(
        PrivacyRequest.subject_user_id == subject_user_id, PrivacyRequest.disagreement_at.is_not(None))
        .order_by(PrivacyRequest.disagreement_at)).first()


def return_proposal(session: Session, request: PrivacyRequest, supervisor: User, note: str, now: datetime) -> None:
    """A supervisor sends the proposal back to be worked on (with a note for staff)."""
    if request.status != "release_proposed" or supervisor.role not in APPROVERS:
        raise TransitionRefused()
    begin_write(session)
    request.proposed_outcome, request.proposed_by = None, None
    _record(session, request, "in_process", supervisor, True, note, now)
    session.commit()


def answer_information_request(session: Session, request: PrivacyRequest, requester: User, text: str,
                               now: datetime) -> None:
    """The requester's answer: the clock runs again, the due date moved by the days it stood."""
    if request.status != "needs_information" or not text.strip():
        raise TransitionRefused()
    begin_write(session)
    cal = calendar(session)
    paused = max(cal.working_days_between(request.paused_on, now.date()), 0)
    request.paused_working_days += paused
    request.due_on = cal.add_working_days(request.due_on, paused)
    request.paused_on = None
    session.add(RequestEvent(request_id=request.id, kind="message", actor_id=requester.id, text=text, at=now))
    _record(session, request, "in_process", requester, False, "", now)
    session.commit()


def appeal_deadline(request: PrivacyRequest) -> date | None:
    """The last day to appeal this outcome (90 calendar days), or None when it cannot be appealed."""
    if request.status not in APPEALABLE or request.closed_at is None:
        return None
    return clocks.appeal_deadline(request.closed_at.date())


def appeal(session: Session, request: PrivacyRequest, requester: User, reason: str, now: datetime) -> None:
    """An appeal of a denial, a partial release, "no records" or a refused correction, within 90
    days; decided on a new clock (20 working days; 30 for the review of a refused correction)."""
    deadline = appeal_deadline(request)
    if deadline is None or now.date() > deadline or not reason.strip():
        raise TransitionRefused()
    begin_write(session)
    cal = calendar(session)
    days = clocks.AMENDMENT_REVIEW_DAYS if request.kind == "amendment" else clocks.FOIA_DAYS
    request.due_on = cal.add_working_days(cal.received_on(now), days)
    request.closed_at, request.proposed_outcome, request.proposed_by = None, None, None
    request.paused_on, request.pause_used, request.extended = None, False, False
    _record(session, request, "appealed", requester, False, reason, now)
    session.commit()


def withdraw(session: Session, request: PrivacyRequest, requester: User, now: datetime) -> None:
    if request.status not in OPEN:
        raise TransitionRefused()
    begin_write(session)
    _record(session, request, "withdrawn", requester, False, "", now)
    session.commit()


def add_message(session: Session, request: PrivacyRequest, author: User, by_staff: bool, text: str,
                now: datetime) -> None:
    if not text.strip():
        raise TransitionRefused()
    begin_write(session)
    session.add(RequestEvent(request_id=request.id, kind="message", actor_id=author.id, by_staff=by_staff,
                             text=text, at=now))
    session.commit()


# --- the staff queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilter:
    kind: str = ""
    status: str = ""  # empty: every open request
    track: int | None = None
    due_within: int | None = None  # working days; 0: overdue only
    assignee_id: int | None = None  # "assigned to me"


def queue(session: Session, wanted: QueueFilter, today: date) -> list[PrivacyRequest]:
    """Granted expedites first, then soonest due; filtered as staff ask."""
    query = select(PrivacyRequest)
    if wanted.kind:
        query = query.where(PrivacyRequest.kind == wanted.kind)
    query = query.where(PrivacyRequest.status == wanted.status) if wanted.status else query.where(
        col(PrivacyRequest.status).in_(OPEN))
    if wanted.track is not None:
        query = query.where(PrivacyRequest.track == wanted.track)
    if wanted.due_within == 0:
        query = query.where(PrivacyRequest.due_on < today, PrivacyRequest.paused_on.is_(None))
    elif wanted.due_within is not None:
        query = query.where(PrivacyRequest.due_on <= calendar(session).add_working_days(today, wanted.due_within))
    if wanted.assignee_id is not None:
        query = query.where(PrivacyRequest.assignee_id == wanted.assignee_id)
    expedited = sa.case((PrivacyRequest.expedite_decision == "granted", 0), else_=1)
    return list(session.exec(query.order_by(expedited, PrivacyRequest.due_on, PrivacyRequest.id).limit(200)))


def staff_request(session: Session, public_id: str) -> PrivacyRequest:
    request = session.exec(select(PrivacyRequest).where(PrivacyRequest.public_id == public_id)).first()
    if request is None:
        raise CaseNotFound()
    return request


# --- due-date alerts for staff ---------------------------------------------------------------------

ALERT_DAYS_BEFORE = 2


def staff_alerts_due(session: Session, today: date) -> list[tuple[PrivacyRequest, str]]:
    """Open, running requests that reached two working days before their due date ("soon") or
    passed it ("overdue"), and whose staff have not had that alert yet."""
    cal = calendar(session)
    horizon = cal.add_working_days(today, ALERT_DAYS_BEFORE)
    rows = session.exec(select(PrivacyRequest).where(col(PrivacyRequest.status).in_(OPEN),
                                                     PrivacyRequest.paused_on.is_(None),
                                                     PrivacyRequest.due_on <= horizon)
                        .order_by(PrivacyRequest.due_on)).all()
    due = []
    for row in rows:
        level = "overdue" if row.due_on < today else "soon"
        if row.staff_alert != level:
            due.append((row, level))
    return due


def mark_staff_alerted(session: Session, request: PrivacyRequest, level: str) -> None:
    request.staff_alert = level
    session.add(request)
    session.commit()


def staff_recipients(session: Session) -> list[User]:
    return list(session.exec(select(User).where(col(User.role).in_(("privacy_officer", "supervisor")),
                                                User.confirmed_at.is_not(None))))


def closure_days(session: Session) -> list[ClosureDay]:
    return list(session.exec(select(ClosureDay).order_by(col(ClosureDay.day).desc()).limit(100)))


def add_closure_day(session: Session, admin: User, day: date, reason: str) -> bool:
    """False when the day is already a closure day. Deadlines already set keep their date; the
    requests filed or moved from now on count the day as closed."""
    if session.exec(select(ClosureDay).where(ClosureDay.day == day)).first() is not None:
        return False
    begin_write(session)
    session.add(ClosureDay(day=day, reason=reason, added_by=admin.id))
    session.commit()
    return True


# --- files ---------------------------------------------------------------------------------------


def attach_file(session: Session, request: PrivacyRequest, author: User, by_staff: bool, data: bytes,
                folder, now: datetime, purpose: str = "file") -> RequestFile:
    """Check and keep an uploaded file (UploadRefused with the reason otherwise); `purpose`
    "consent" marks the signed consent a representative filed with the request."""
    kind = check_upload(data)
    if request.status in CLOSED and not by_staff:
        raise TransitionRefused()
    begin_write(session)
    row = RequestFile(request_id=request.id, uploaded_by=author.id, by_staff=by_staff, kind=kind, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), created_at=now, purpose=purpose)
    session.add(row)
    session.flush()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / str(row.id)).write_bytes(data)
    session.add(RequestEvent(request_id=request.id, kind="file", actor_id=author.id, by_staff=by_staff,
                             text=f"{kind.upper()}, {len(data)} bytes", at=now))
    session.commit()
    return row


def request_files(session: Session, request: PrivacyRequest) -> list[RequestFile]:
    return list(session.exec(select(RequestFile).where(RequestFile.request_id == request.id).order_by(RequestFile.id)))


def request_file(session: Session, request: PrivacyRequest, public_id: str) -> RequestFile:
    row = session.exec(select(RequestFile).where(RequestFile.request_id == request.id,
                                                 RequestFile.public_id == public_id)).first()
    if row is None:
        raise CaseNotFound()
    return row


def subjects_of_request(session: Session, request: PrivacyRequest) -> access_log.Subjects:
    """Whose data a request is about, as access-log subjects (for recording staff reads); none
    while a consent is unverified."""
    if request.subject_case_id is not None:
        return access_log.subjects_of_party(session, request.subject_case_id, request.subject_party_role)
    if request.subject_user_id is None:
        return access_log.Subjects()
    return access_log.subjects_of_user(session, request.subject_user_id)


# --- the annual FOIA report ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    group: str  # track 1, 2, 3 (access), accounting, amendment
    received: int
    processed: int
    median_days: float | None
    average_days: float | None
    backlog: int  # still open at the end of the fiscal year and past their due date


def fiscal_year(year: int) -> tuple[date, date]:
    """The federal fiscal year `year`: 1 October of the year before to 30 September."""
    return date(year - 1, 10, 1), date(year, 9, 30)


REPORT_GROUPS = ("track 1", "track 2", "track 3", "accounting", "amendment")


def report_group(request: PrivacyRequest) -> str:
    return f"track {request.track}" if request.kind == "access" else request.kind


def annual_report(session: Session, year: int) -> list[ReportRow]:
    """The figures an agency's annual FOIA report needs, per track: requests received and
    processed in the fiscal year, median and average working days to process (the clock's
    pauses left out), and the backlog at its end."""
    start, end = fiscal_year(year)
    cal = calendar(session)
    rows = session.exec(select(PrivacyRequest).where(PrivacyRequest.received_on <= end)).all()
    report = []
    for group in REPORT_GROUPS:
        mine = [r for r in rows if report_group(r) == group]
        received = [r for r in mine if start <= r.received_on <= end]
        processed = [r for r in mine if r.closed_at is not None and start <= r.closed_at.date() <= end
                     and r.status != "withdrawn"]
        days = [cal.working_days_between(r.received_on, r.closed_at.date()) - r.paused_working_days
                for r in processed]
        backlog = [r for r in mine if (r.closed_at is None or r.closed_at.date() > end) and r.due_on < end]
        report.append(ReportRow(group, len(received), len(processed),
                                statistics.median(days) if days else None,
                                round(statistics.fmean(days), 1) if days else None, len(backlog)))
    return report


def record_fee_estimate(session: Session, request: PrivacyRequest, staff: User, search_quarter_hours: int,
                        review_quarter_hours: int, pages: int, now: datetime) -> fees.FeeEstimate:
    """Staff's estimate, told to the requester before work proceeds; nothing is charged when the
    agency is already late."""
    if request.status not in OPEN:
        raise TransitionRefused()
    late = request.paused_on is None and now.date() > request.due_on
    estimate = fees.estimate(request.fee_category, search_quarter_hours, review_quarter_hours, pages, late)
    begin_write(session)
    request.fee_estimate_cents, request.fee_charged_cents = estimate.total, estimate.charged
    request.fee_waived = estimate.waived
    request.fee_accepted_at = None  # a new amount is agreed to anew
    session.add(request)
    session.add(RequestEvent(request_id=request.id, kind="fee", actor_id=staff.id, by_staff=True,
                             text=f"{estimate.charged}", at=now))
    session.commit()
    return estimate


# --- consent, expedite, fees, assignment -------------------------------------------------------------


def consent_pending(request: PrivacyRequest) -> bool:
    return request.consent_subject is not None and request.consent_verified_at is None


def verify_consent(session: Session, request: PrivacyRequest, staff: User, receipt_number: str, party_role: str,
                   now: datetime) -> None:
    """Staff read the uploaded consent and name the party it is about: the request is then about
    that party's records. A protected case (8 U.S.C. 1367) needs a supervisor: a consent can be
    forged by the very person the protection keeps out."""
    if not consent_pending(request) or party_role not in access_log.SUBJECT_ROLES:
        raise TransitionRefused()
    case = session.exec(select(Case).where(Case.receipt_number == receipt_number.strip().upper())).first()
    if case is None:
        raise CaseNotFound()
    if case.protected and staff.role not in APPROVERS:
        raise TransitionRefused()
    begin_write(session)
    request.subject_case_id, request.subject_party_role = case.id, party_role
    request.subject_user_id = session.exec(select(CaseLink.user_id).where(
        CaseLink.case_id == case.id, CaseLink.party_role == party_role)).first()
    request.consent_verified_at, request.consent_verified_by = now, staff.id
    session.add(request)
    session.add(RequestEvent(request_id=request.id, kind="consent", actor_id=staff.id, by_staff=True,
                             text=f"{case.receipt_number} {party_role}", at=now))
    session.commit()


def expedite_due(request: PrivacyRequest) -> date | None:
    """When the expedite decision is due (10 calendar days), while it is still to be made."""
    if not request.expedite or request.expedite_decision or request.status in CLOSED:
        return None
    return clocks.expedite_decision_due(request.received_on)


def decide_expedite(session: Session, request: PrivacyRequest, staff: User, granted: bool, reason: str,
                    now: datetime) -> None:
    """Granted, the request goes to the front of the queue; denied, it keeps its place (the reason
    is told to the requester, who may appeal the denial)."""
    if expedite_due(request) is None or (not granted and not reason.strip()):
        raise TransitionRefused()
    begin_write(session)
    request.expedite_decision, request.expedite_decided_at = ("granted" if granted else "denied"), now
    session.add(request)
    session.add(RequestEvent(request_id=request.id, kind="expedite", actor_id=staff.id, by_staff=True,
                             text=reason, to_status=request.expedite_decision, at=now))
    session.commit()


def fee_pending(request: PrivacyRequest) -> bool:
    """A fee is due and the requester has not agreed to it yet: the work waits."""
    return bool(request.fee_charged_cents) and request.fee_accepted_at is None


def accept_fee(session: Session, request: PrivacyRequest, requester: User, now: datetime) -> None:
    if not fee_pending(request) or request.status not in OPEN:
        raise TransitionRefused()
    begin_write(session)
    request.fee_accepted_at = now
    session.add(request)
    session.add(RequestEvent(request_id=request.id, kind="fee_accepted", actor_id=requester.id,
                             text=f"{request.fee_charged_cents}", at=now))
    session.commit()


def assign(session: Session, request: PrivacyRequest, staff: User, assignee: User | None, now: datetime) -> None:
    """Give the request to a member of staff (or to nobody)."""
    if assignee is not None and assignee.role not in ("privacy_officer", *APPROVERS):
        raise TransitionRefused()
    begin_write(session)
    request.assignee_id = assignee.id if assignee else None
    session.add(request)
    session.add(RequestEvent(request_id=request.id, kind="assigned", actor_id=staff.id, by_staff=True,
                             text=assignee.email if assignee else "", at=now))
    session.commit()
