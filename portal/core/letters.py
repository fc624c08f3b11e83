"""What a privacy request's letters state (acknowledgement, extension, closing), as plain data.

Built here, without Flask or WeasyPrint, like core.records: the same data fills the PDF (in the
requester's language and in English) and the hash recorded with the document.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import Session, col, select

from portal.core import releases, requests
from portal.core.models import PrivacyRequest, RequestEvent

LETTERS = ("acknowledgement", "extension", "closing")


@dataclass(frozen=True)
class LetterData:
    letter: str
    tracking_number: str
    kind: str  # access | accounting | amendment
    track: int | None
    requester_name: str  # as typed under the declaration
    received_on: date
    due_on: date
    status: str
    note: str  # the extension's unusual circumstances, or the decision's reasons
    withheld: list[tuple[str, int, str]]  # (what, pages, exemption cited)
    referrals: list[tuple[str, str, str]]  # (agency, its tracking number, its status)
    appeal_until: date | None
    fee_charged_cents: int | None

    def as_json(self) -> dict:
        data = asdict(self)
        for name in ("received_on", "due_on", "appeal_until"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    def data_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.as_json(), sort_keys=True).encode()).hexdigest()


def letter_for(status: str) -> str | None:
    """The letter a request's new status calls for, if any."""
    if status == "acknowledged":
        return "acknowledgement"
    if status == "extended":
        return "extension"
    if status in requests.CLOSED:
        return "closing"
    return None


def build_letter(session: Session, request: PrivacyRequest, letter: str) -> LetterData:
    if letter not in LETTERS:
        raise ValueError(letter)
    last_status = session.exec(select(RequestEvent).where(
        RequestEvent.request_id == request.id, RequestEvent.kind == "status",
        RequestEvent.to_status == request.status).order_by(col(RequestEvent.id).desc())).first()
    withheld = [(w.description, w.pages, releases.EXEMPTIONS[w.exemption])
                for w in releases.withheld_items(session, request)]
    referred = [(r.agency, r.tracking_number, r.status) for r in releases.referrals(session, request)]
    return LetterData(
        letter=letter, tracking_number=request.tracking_number, kind=request.kind, track=request.track,
        requester_name=request.declaration_name, received_on=request.received_on, due_on=request.due_on,
        status=request.status, note=last_status.text if last_status else "",
        withheld=withheld if letter == "closing" else [], referrals=referred,
        appeal_until=requests.appeal_deadline(request) if letter == "closing" else None,
        fee_charged_cents=request.fee_charged_cents if letter == "closing" else None)
