"""Representatives (attorneys, accredited representatives), their organizations, and
representations: G-28/EOIR-28 filings from agencies and appointments by applicants.

A representation lets a verified representative (or every verified member of the represented
organization) see what the represented party's own link shows, and no more. Access is decided on
every request from the rows here, so a withdrawal or revocation bites on the very next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import StringConstraints
from sqlalchemy import or_
from sqlmodel import Session, col, select

from portal.catalog import load_catalog
from portal.core.accounts import email_key
from portal.core.cases import PublicCaseStatus, _case_status, _visible
from portal.core.errors import CaseNotFound, EventRejected, LinkFailed
from portal.core.ingest import AgencyCode, Endpoint, EventId, IngestModel, IsoDate, StoreContext
from portal.core.models import (
    Case,
    CaseLink,
    IngestedEvent,
    Organization,
    Representation,
    RepresentativeProfile,
    User,
)

CATALOG = load_catalog()


# --- profiles and organizations ----------------------------------------------------------------


def organization_named(session: Session, name: str) -> Organization:
    key = " ".join(name.split()).lower()
    organization = session.exec(select(Organization).where(Organization.name_key == key)).first()
    if organization is None:
        organization = Organization(name=" ".join(name.split()), name_key=key)
        session.add(organization)
        session.flush()
    return organization


def save_profile(session: Session, user: User, full_name: str, bar_number: str | None, bar_state: str | None,
                 eoir_id: str | None, organization: str | None) -> RepresentativeProfile:
    """Create or update the profile; any change needs a new verification by staff."""
    profile = session.exec(select(RepresentativeProfile).where(RepresentativeProfile.user_id == user.id)).first()
    profile = profile or RepresentativeProfile(user_id=user.id, full_name=full_name)
    profile.full_name = full_name
    profile.bar_number, profile.bar_state, profile.eoir_id = bar_number or None, bar_state or None, eoir_id or None
    profile.organization_id = organization_named(session, organization).id if organization else None
    profile.verified_at, profile.verified_by = None, None
    user.role = "representative"
    session.add_all([profile, user])
    session.commit()
    return profile


def profile_of(session: Session, user: User) -> RepresentativeProfile | None:
    return session.exec(select(RepresentativeProfile).where(RepresentativeProfile.user_id == user.id)).first()


def is_verified(session: Session, user: User) -> bool:
    profile = profile_of(session, user)
    return profile is not None and profile.verified_at is not None


def unverified_profiles(session: Session) -> list[tuple[RepresentativeProfile, User, Organization | None]]:
    return list(session.exec(
        select(RepresentativeProfile, User, Organization)
        .join(User, User.id == RepresentativeProfile.user_id)
        .outerjoin(Organization, Organization.id == RepresentativeProfile.organization_id)
        .where(RepresentativeProfile.verified_at.is_(None))
        .order_by(RepresentativeProfile.id)
    ).all())


def verify_profile(session: Session, user_public_id: str, staff: User, now: datetime) -> None:
    row = session.exec(select(RepresentativeProfile).join(User, User.id == RepresentativeProfile.user_id)
                       .where(User.public_id == user_public_id)).first()
    if row is None:
        raise CaseNotFound()
    row.verified_at, row.verified_by = now, staff.id
    session.add(row)
    session.commit()


# --- what a representative may see -------------------------------------------------------------


def _active_for(session: Session, user: User):
    """Active representations this user may use: their own, or their organization's; none at all
    until their profile is verified."""
    profile = profile_of(session, user)
    if profile is None or profile.verified_at is None:
        return None
    mine = Representation.representative_email_key == user.email_key
    if profile.organization_id is not None:
        mine = or_(mine, Representation.organization_id == profile.organization_id)
    return select(Representation, Case).join(Case, Case.id == Representation.case_id).where(
        Representation.ended_at.is_(None), mine)


@dataclass(frozen=True)
class ClientCase:
    representation_id: str
    party_role: str
    receipt_number: str
    form_code: str
    form_title: str
    status_code: str
    status_wording: str
    action_required: bool
    status_at: datetime


PAGE_SIZE = 25


def client_cases(session: Session, user: User, search: str = "", status: str = "", action_only: bool = False,
                 after: int | None = None, limit: int = PAGE_SIZE) -> tuple[list[ClientCase], int | None]:
    """One page of the representative's clients' cases (keyset pagination on the representation
    id) and the key of the next page, or None on the last one."""
    query = _active_for(session, user)
    if query is None:
        return [], None
    if search:
        query = query.where(col(Case.receipt_number).contains("".join(search.split()).replace("-", "").upper()))
    if status:
        query = query.where(Case.status == status)
    if action_only:
        codes = [code for code, s in CATALOG.statuses.items() if s.action_required]
        query = query.where(col(Case.status).in_(codes))
    if after:
        query = query.where(Representation.id > after)
    rows = session.exec(query.order_by(Representation.id).limit(limit + 1)).all()
    visible = [(r, c) for r, c in rows[:limit] if _visible(c.protected, r.party_role)]
    page = [
        ClientCase(r.public_id, r.party_role, c.receipt_number, c.form_type, CATALOG.forms[c.form_type].title,
                   c.status, CATALOG.statuses[c.status].wording, CATALOG.statuses[c.status].action_required,
                   c.status_at)
        for r, c in visible
    ]
    next_key = rows[limit - 1][0].id if len(rows) > limit else None
    return page, next_key


def active_representation(session: Session, user: User, representation_id: str) -> tuple[Representation, Case]:
    """One of the user's active representations and its case, or CaseNotFound (the same answer
    for an id that is someone else's, ended, or unknown)."""
    query = _active_for(session, user)
    row = None
    if query is not None:
        row = session.exec(query.where(Representation.public_id == representation_id)).first()
    if row is None or not _visible(row[1].protected, row[0].party_role):
        raise CaseNotFound()
    return row


def client_case_status(session: Session, user: User, representation_id: str, today: date
                       ) -> tuple[str, PublicCaseStatus]:
    representation, case = active_representation(session, user, representation_id)
    return representation.party_role, _case_status(session, case.receipt_number, today, include_protected=True)


# --- appointments by the applicant, and "who can see my data" -----------------------------------


@dataclass(frozen=True)
class Access:
    representation_id: str
    link_id: str
    receipt_number: str
    representative_email: str
    organization: str | None
    source: str
    since: date


def who_can_see(session: Session, user: User) -> list[Access]:
    """Every active representation on the parties this account is linked as."""
    rows = session.exec(
        select(Representation, CaseLink, Case, Organization)
        .join(CaseLink, (CaseLink.case_id == Representation.case_id)
              & (CaseLink.party_role == Representation.party_role))
        .join(Case, Case.id == Representation.case_id)
        .outerjoin(Organization, Organization.id == Representation.organization_id)
        .where(CaseLink.user_id == user.id, Representation.ended_at.is_(None))
        .order_by(Representation.id)
    ).all()
    return [Access(r.public_id, link.public_id, case.receipt_number, r.representative_email_key,
                   org.name if org else None, r.source, r.effective_on) for r, link, case, org in rows]


def appoint(session: Session, user: User, link_id: str, representative_email: str, now: datetime) -> Representation:
    """The applicant names a verified representative for one linked case (consent given in the form)."""
    link = session.exec(select(CaseLink).where(CaseLink.public_id == link_id, CaseLink.user_id == user.id)).first()
    if link is None:
        raise CaseNotFound()
    representative = session.exec(select(User).where(User.email_key == email_key(representative_email))).first()
    profile = profile_of(session, representative) if representative else None
    if profile is None or profile.verified_at is None:
        raise LinkFailed()
    existing = session.exec(select(Representation).where(
        Representation.case_id == link.case_id, Representation.party_role == link.party_role,
        Representation.representative_email_key == representative.email_key,
        Representation.ended_at.is_(None))).first()
    if existing:
        return existing
    representation = Representation(case_id=link.case_id, party_role=link.party_role,
                                    representative_email_key=representative.email_key, source="applicant",
                                    appointed_by=user.id, effective_on=now.date(), created_at=now)
    session.add(representation)
    session.commit()
    return representation


def revoke(session: Session, user: User, representation_id: str, now: datetime) -> None:
    """The applicant ends a representative's access to their part of a case, whoever filed it."""
    row = session.exec(
        select(Representation).join(CaseLink, (CaseLink.case_id == Representation.case_id)
                                    & (CaseLink.party_role == Representation.party_role))
        .where(Representation.public_id == representation_id, CaseLink.user_id == user.id,
               Representation.ended_at.is_(None))).first()
    if row is None:
        raise CaseNotFound()
    row.ended_at, row.end_reason = now, "revoked"
    session.add(row)
    session.commit()


def untold_access(session: Session, now: datetime) -> list[tuple[str, str, str]]:
    """(e-mail, language, representative e-mail) for every new access not yet told to the accounts
    linked as the represented party; marks them told (ASVS: the list of who can see grows)."""
    news = session.exec(select(Representation).where(Representation.notified_at.is_(None))).all()
    result = []
    for representation in news:
        rows = session.exec(select(User.email, User.preferred_language).join(CaseLink, CaseLink.user_id == User.id)
                            .where(CaseLink.case_id == representation.case_id,
                                   CaseLink.party_role == representation.party_role)).all()
        result += [(email, language, representation.representative_email_key) for email, language in rows]
        representation.notified_at = now
        session.add(representation)
    session.commit()
    return result


# --- POST /api/v1/representations --------------------------------------------------------------


class RepresentativeIn(IngestModel):
    email: Annotated[str, StringConstraints(strict=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    bar_number: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=32)] | None = None
    bar_state: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2}$")] | None = None
    eoir_id: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=32)] | None = None
    organization: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)] | None = None


class RepresentationIn(IngestModel):
    """A G-28 or EOIR-28 filed or withdrawn for one party of a case."""

    event_id: EventId
    agency: AgencyCode | None = None
    receipt_number: Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{3}[0-9]{10}$")]
    party_role: Literal["applicant", "beneficiary", "petitioner"]
    representative: RepresentativeIn
    action: Literal["filed", "withdrawn"]
    effective_on: IsoDate


def store_representation(session: Session, ctx: StoreContext, event: RepresentationIn) -> None:
    case = session.exec(select(Case).where(Case.receipt_number == event.receipt_number)).first()
    if case is None:
        raise EventRejected([("receipt_number", "names no case known to the portal; send its case events first")])
    key = email_key(event.representative.email)
    active = session.exec(select(Representation).where(
        Representation.case_id == case.id, Representation.party_role == event.party_role,
        Representation.representative_email_key == key, Representation.ended_at.is_(None))).all()
    if event.action == "withdrawn":
        if not active:
            raise EventRejected([("action", "no filed representation of this party by this representative")])
        for row in active:
            row.ended_at, row.end_reason, row.ended_by_event_id = ctx.now, "withdrawn", ctx.ingested.id
            session.add(row)
        return
    if active:
        return  # already on file: the new filing changes nothing
    named = event.representative.organization
    organization = organization_named(session, named) if named else None
    session.add(Representation(case_id=case.id, party_role=event.party_role, representative_email_key=key,
                               organization_id=organization.id if organization else None, source="agency",
                               ingested_event_id=ctx.ingested.id, effective_on=event.effective_on,
                               created_at=ctx.now))


def on_representation_retracted(session: Session, target: IngestedEvent) -> None:
    """A retracted filing ends the access it gave; a retracted withdrawal gives it back."""
    for row in session.exec(select(Representation).where(Representation.ingested_event_id == target.id,
                                                         Representation.ended_at.is_(None))):
        row.ended_at, row.end_reason = target.received_at, "retracted"
        session.add(row)
    for row in session.exec(select(Representation).where(Representation.ended_by_event_id == target.id)):
        row.ended_at, row.end_reason, row.ended_by_event_id = None, None, None
        session.add(row)


REPRESENTATIONS = Endpoint(
    name="representations",
    summary="G-28 and EOIR-28 filings and withdrawals",
    event_model=RepresentationIn,
    store=store_representation,
    on_retracted=on_representation_retracted,
    agencies=frozenset({"USCIS", "EOIR"}),
)
