"""Case alerts: an e-mail to every account linked to a case whenever the case changes, including
the changes USCIS leaves silent (the same wording again, a transfer, an action-required status).
The core records what is owed; the web layer renders and queues the mails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal.catalog import load_catalog
from portal.core.models import Case, CaseAlert, CaseLink, User

CATALOG = load_catalog()


def alert_kind(status: str, office: str, previous_office: str | None) -> str:
    if CATALOG.statuses[status].action_required:
        return "action"
    if previous_office is not None and office != previous_office:
        return "transfer"
    return "status"


def record_alerts(session: Session, case: Case, ingested_event_id: int, kind: str, now: datetime) -> None:
    """One alert per linked account allowed to see the case (8 U.S.C. 1367: never a petitioner
    of a protected case)."""
    links = session.exec(select(CaseLink).where(CaseLink.case_id == case.id)).all()
    for link in links:
        if case.protected and link.party_role == "petitioner":
            continue
        session.add(CaseAlert(case_link_id=link.id, ingested_event_id=ingested_event_id, kind=kind,
                              created_at=now))


@dataclass(frozen=True)
class PendingAlert:
    alert_id: int
    kind: str
    link_id: str  # opaque: the mail links to the case without naming it
    email: str
    language: str


def pending_alerts(session: Session, limit: int = 500) -> list[PendingAlert]:
    rows = session.exec(
        select(CaseAlert.id, CaseAlert.kind, CaseLink.public_id, User.email, User.preferred_language)
        .join(CaseLink, CaseLink.id == CaseAlert.case_link_id)
        .join(User, User.id == CaseLink.user_id)
        .where(CaseAlert.sent_at.is_(None))
        .order_by(CaseAlert.id)
        .limit(limit)
    ).all()
    return [PendingAlert(*row) for row in rows]


def mark_sent(session: Session, alert_id: int, now: datetime) -> None:
    alert = session.get(CaseAlert, alert_id)
    alert.sent_at = now
    session.add(alert)
