"""What a response to a privacy request holds besides the released files: the records withheld,
each with the exemption applied, and the parts referred to another agency, each answered there
under its own tracking number and status. Both are shown to the requester, printed on the closing
letter, and counted in the annual FOIA report ("exemptions used")."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session, col, select

from portal.core.models import PrivacyRequest, RequestEvent, RequestReferral, User, WithheldItem
from portal.core.requests import CLOSED, REPORT_GROUPS, TransitionRefused, fiscal_year, report_group
from portal.core.transactions import begin_write

# The exemptions a DHS component applies, by the code staff pick (the citation is what is shown).
EXEMPTIONS = {
    "b3": "5 U.S.C. 552(b)(3)",
    "b5": "5 U.S.C. 552(b)(5)",
    "b6": "5 U.S.C. 552(b)(6)",
    "b7A": "5 U.S.C. 552(b)(7)(A)",
    "b7C": "5 U.S.C. 552(b)(7)(C)",
    "b7E": "5 U.S.C. 552(b)(7)(E)",
    "j2": "5 U.S.C. 552a(j)(2)",
    "k2": "5 U.S.C. 552a(k)(2)",
}
REFERRAL_AGENCIES = ("ICE", "CBP", "DOS", "FBI", "EOIR")
REFERRAL_STATUSES = ("referred", "in_process", "completed", "closed")


def _open(request: PrivacyRequest) -> None:
    if request.status in CLOSED or request.kind == "amendment":
        raise TransitionRefused()


def withhold(session: Session, request: PrivacyRequest, staff: User, description: str, pages: int,
             exemption: str, now: datetime) -> WithheldItem:
    """Record that a record (or some of its pages) is withheld under an exemption."""
    _open(request)
    if exemption not in EXEMPTIONS or not description.strip() or not 0 <= pages <= 100_000:
        raise TransitionRefused()
    begin_write(session)
    item = WithheldItem(request_id=request.id, description=description.strip(), pages=pages, exemption=exemption,
                        added_by=staff.id, added_at=now)
    session.add(item)
    session.add(RequestEvent(request_id=request.id, kind="withheld", actor_id=staff.id, by_staff=True,
                             text=f"{EXEMPTIONS[exemption]}: {description.strip()}", at=now))
    session.commit()
    return item


def withheld_items(session: Session, request: PrivacyRequest) -> list[WithheldItem]:
    return list(session.exec(select(WithheldItem).where(WithheldItem.request_id == request.id)
                             .order_by(WithheldItem.id)))


def refer(session: Session, request: PrivacyRequest, staff: User, agency: str, tracking_number: str, scope: str,
          now: datetime) -> RequestReferral:
    """Part of the request goes to another agency, which gives it its own tracking number."""
    _open(request)
    tracking_number = tracking_number.strip()
    if agency not in REFERRAL_AGENCIES or not tracking_number or len(tracking_number) > 40:
        raise TransitionRefused()
    begin_write(session)
    referral = RequestReferral(request_id=request.id, agency=agency, tracking_number=tracking_number,
                               scope=scope.strip()[:500], referred_at=now, updated_at=now)
    session.add(referral)
    session.add(RequestEvent(request_id=request.id, kind="referral", actor_id=staff.id, by_staff=True,
                             text=f"{agency} {tracking_number}", at=now))
    session.commit()
    return referral


def update_referral(session: Session, request: PrivacyRequest, referral_id: int, status: str, staff: User,
                    now: datetime) -> None:
    """The other agency's progress, as it reports it."""
    referral = session.get(RequestReferral, referral_id)
    if referral is None or referral.request_id != request.id or status not in REFERRAL_STATUSES:
        raise TransitionRefused()
    begin_write(session)
    referral.status, referral.updated_at = status, now
    session.add(referral)
    session.add(RequestEvent(request_id=request.id, kind="referral", actor_id=staff.id, by_staff=True,
                             text=f"{referral.agency} {referral.tracking_number}: {status}", at=now))
    session.commit()


def referrals(session: Session, request: PrivacyRequest) -> list[RequestReferral]:
    return list(session.exec(select(RequestReferral).where(RequestReferral.request_id == request.id)
                             .order_by(RequestReferral.id)))


def exemptions_used(session: Session, year: int) -> dict[str, dict[str, int]]:
    """Per report group (track 1-3, accounting, amendment) and exemption, how many requests
    processed in the fiscal year applied it (a request counts once per exemption)."""
    start, end = fiscal_year(year)
    rows = session.exec(select(WithheldItem.exemption, PrivacyRequest).join(
        PrivacyRequest, PrivacyRequest.id == WithheldItem.request_id).where(
        col(PrivacyRequest.closed_at).is_not(None), PrivacyRequest.status != "withdrawn")).all()
    counts = Counter((report_group(request), exemption) for exemption, request in
                     {(exemption, request.id): (exemption, request) for exemption, request in rows}.values()
                     if start <= request.closed_at.date() <= end)
    return {group: {code: counts.get((group, code), 0) for code in EXEMPTIONS} for group in REPORT_GROUPS}
