"""What each document states, as plain data: a case status summary with the full history, the
accounting of disclosures over a period, and "my record" (both, for all of the person's cases).

Built here, without Flask or WeasyPrint, so that the same data fills the PDF, its archival JSON
attachment and the hash that decides whether a finished file can be reused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from portal.core import access_log, requests
from portal.core.access_log import LogEntry, LogFilter, WithheldGroup
from portal.core.cases import PublicCaseStatus, linked_case_status
from portal.core.errors import CaseNotFound
from portal.core.models import CaseLink, CaseParty, User

KINDS = ("case_summary", "accounting", "my_record")
MAX_PERIOD_DAYS = 366 * 10 + 3  # ten years: a longer period is refused with a clear message


class PeriodTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Person:
    name: str  # as the agency sent it; may be empty


@dataclass(frozen=True)
class RecordData:
    kind: str
    person: Person
    cases: list[tuple[str, PublicCaseStatus]]  # (party role, status)
    accounting: list[LogEntry] | None
    withheld: list[WithheldGroup]
    period_start: date | None
    period_end: date | None
    disagreement_at: datetime | None = None  # a statement of disagreement flags later disclosures

    def flagged(self, entry: LogEntry) -> bool:
        """Whether this disclosure came after the person's statement of disagreement."""
        return bool(self.disagreement_at and entry.action.code == "disclosed"
                    and entry.occurred_at > self.disagreement_at)

    @property
    def entries(self) -> int:
        return len(self.accounting or ()) + sum(len(case.history) for _role, case in self.cases)

    def as_json(self) -> dict:
        """The machine-readable form: attached to archival PDFs, and hashed for reuse."""
        return {
            "kind": self.kind, "person": self.person.name,
            "period": [d.isoformat() if d else None for d in (self.period_start, self.period_end)],
            "cases": [{
                "receipt_number": case.receipt_number, "party_role": role, "form": case.form.code,
                "status": case.status.code, "office": case.office.code, "status_at": case.status_at.isoformat(),
                "history": [{"occurred_at": h.occurred_at.isoformat(), "status": h.status.code,
                             "office": h.office.code,
                             "retracted_at": h.retracted_at.isoformat() if h.retracted_at else None}
                            for h in case.history],
            } for role, case in self.cases],
            "accounting": None if self.accounting is None else [e.export_row() for e in self.accounting],
            "withheld": [{"exemption": g.exemption.code, "until": g.until.isoformat() if g.until else None,
                          "count": g.count} for g in self.withheld],
            "disagreement_at": self.disagreement_at.isoformat() if self.disagreement_at else None,
        }

    def data_hash(self) -> str:
        canonical = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _person(session: Session, user: User) -> Person:
    """The name on the person's applicant or beneficiary party, as the agency sent it."""
    row = session.exec(
        select(CaseParty.given_name, CaseParty.family_name)
        .join(CaseLink, (CaseLink.case_id == CaseParty.case_id) & (CaseLink.party_role == CaseParty.role))
        .where(CaseLink.user_id == user.id, CaseParty.role.in_(access_log.SUBJECT_ROLES))
        .order_by(CaseLink.id)
    ).first()
    name = " ".join(part for part in (row or ()) if part) if row else ""
    return Person(name)


def _cases(session: Session, user: User, today: date) -> list[tuple[str, PublicCaseStatus]]:
    links = session.exec(select(CaseLink.public_id).where(CaseLink.user_id == user.id).order_by(CaseLink.id)).all()
    cases = []
    for link_id in links:
        try:
            cases.append(linked_case_status(session, user.id, link_id, today))
        except CaseNotFound:
            continue  # a petitioner's link to a protected case: not theirs to see
    return cases


def build_record(session: Session, user: User, kind: str, today: date,
                 period_start: date | None = None, period_end: date | None = None) -> RecordData:
    if kind not in KINDS:
        raise ValueError(kind)
    if period_start and period_end and (period_end - period_start).days > MAX_PERIOD_DAYS:
        raise PeriodTooLong()
    cases = _cases(session, user, today) if kind in ("case_summary", "my_record") else []
    accounting, withheld = None, []
    if kind in ("accounting", "my_record"):
        subjects = access_log.subjects_of_user(session, user.id)
        log_filter = LogFilter(since=period_start, until=period_end)
        accounting = list(access_log.iter_log(session, subjects, log_filter, today))
        withheld = access_log.withheld_groups(session, subjects, today)
    return RecordData(kind, _person(session, user), cases, accounting, withheld, period_start, period_end,
                      requests.disagreement_since(session, user.id))
