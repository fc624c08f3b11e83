"""Every table, in one module (SQLModel's advice: relationships resolve in one place).

Times are stored in UTC and come back timezone-aware on SQLite and PostgreSQL alike (UTCDateTime).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; SQLite would otherwise drop the offset."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware values only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_public_id() -> str:
    return uuid.uuid4().hex


# Naming convention so Alembic's autogenerate and `alembic check` agree on constraint names.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ApiClient(SQLModel, table=True):
    """An agency system allowed to push events; the bearer token is stored only as a SHA-256."""

    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    agency: str = Field(max_length=8, index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IngestedEvent(SQLModel, table=True):
    """One stored event of any ingest endpoint: the idempotency ledger.

    The unique constraint makes (endpoint, agency, event_id) idempotent even for two identical
    posts racing each other: the loser's insert fails and is answered as a duplicate.
    """

    __tablename__ = "ingested_event"
    __table_args__ = (sa.UniqueConstraint("endpoint", "agency", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint: str = Field(max_length=32)
    agency: str = Field(max_length=8)
    event_id: str = Field(max_length=128)
    content_hash: str = Field(max_length=64)
    api_client_id: int = Field(foreign_key="api_client.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class RejectedEvent(SQLModel, table=True):
    """An event the API refused, kept with its errors for staff review (never lost)."""

    __tablename__ = "rejected_event"

    id: int | None = Field(default=None, primary_key=True)
    endpoint: str = Field(max_length=32, index=True)
    agency: str = Field(max_length=8)
    api_client_id: int = Field(foreign_key="api_client.id", index=True)
    batch_index: int
    event_id: str | None = Field(default=None, max_length=128)
    payload: str = Field(sa_type=sa.Text)
    errors: str = Field(sa_type=sa.Text)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Set when the agency later sends an event with the same id that is stored.
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EventRetraction(SQLModel, table=True):
    """An agency's correction: the earlier event stays, marked retracted (append-only)."""

    __tablename__ = "event_retraction"

    id: int | None = Field(default=None, primary_key=True)
    ingested_event_id: int = Field(foreign_key="ingested_event.id", unique=True)
    retracted_event_id: int = Field(foreign_key="ingested_event.id", unique=True)
    reason: str = Field(max_length=500)
    retracted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Case(SQLModel, table=True):
    """A benefit request known by its receipt number; its status columns are a projection of the
    latest non-retracted CaseEvent, recomputed on every change."""

    __tablename__ = "case"
    # "Cases like mine" counts a form's cases by filing month.
    __table_args__ = (sa.Index("ix_case_form_type_received_at", "form_type", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    receipt_number: str = Field(max_length=13, unique=True)
    form_type: str = Field(max_length=16)
    status: str = Field(max_length=48)
    office: str = Field(max_length=8)
    status_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # 8 U.S.C. 1367: once any event marks the case protected, it stays protected.
    protected: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CaseEvent(SQLModel, table=True):
    """One status event of a case, kept forever: USCIS overwrites its history, we do not."""

    __tablename__ = "case_event"
    __table_args__ = (sa.Index("ix_case_event_case_id_occurred_at", "case_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    ingested_event_id: int = Field(foreign_key="ingested_event.id", unique=True)
    case_id: int = Field(foreign_key="case.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    form_type: str = Field(max_length=16)
    status: str = Field(max_length=48)
    office: str = Field(max_length=8)
    protected: bool = Field(default=False)


class CaseParty(SQLModel, table=True):
    """A person on a case (applicant, beneficiary or petitioner), as the latest event listed them.

    The online access code is kept only as a keyed hash; linking an account compares hashes.
    """

    __tablename__ = "case_party"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    role: str = Field(max_length=16)
    a_number: str | None = Field(default=None, max_length=9, index=True)
    access_code_hash: str | None = Field(default=None, max_length=64)
    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    email: str | None = Field(default=None, max_length=320)
    preferred_language: str | None = Field(default=None, max_length=16)


# --- accounts ----------------------------------------------------------------------------------

ROLES = ("applicant", "representative", "privacy_officer", "supervisor", "admin")
STAFF_ROLES = frozenset({"privacy_officer", "supervisor", "admin"})


class User(SQLModel, table=True):
    """An account. The e-mail is kept as typed; `email_key` (lower case) is what must be unique."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    email: str = Field(max_length=320)
    email_key: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=256)
    role: str = Field(default="applicant", max_length=24)
    preferred_language: str = Field(default="en", max_length=16)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    password_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Two-step sign-in (TOTP, RFC 6238): the shared secret, and the last time step used, so that
    # no code works twice (ASVS 6.5.1).
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = None
    # E-mail when new entries reach the access log: off | daily | weekly. The digest has told the
    # user about everything received up to `access_digest_through` (None: since the account began).
    access_digest: str = Field(default="weekly", max_length=8, sa_column_kwargs={"server_default": "weekly"})
    access_digest_through: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthSession(SQLModel, table=True):
    """A signed-in session, kept on the server so that logout and a password change end it there.

    The browser holds only a random token (in the signed session cookie); this row holds its hash.
    """

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailToken(SQLModel, table=True):
    """A single-use link sent by e-mail (confirm the address, reset the password); stored hashed."""

    __tablename__ = "email_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    new_email: str | None = Field(default=None, max_length=320)  # for purpose "email"
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthFailure(SQLModel, table=True):
    """One failed attempt (login, case linking), keyed by a hash of the account or the source.

    Counted over a sliding minute by every worker alike (security.md: a shared store).
    """

    __tablename__ = "auth_failure"
    __table_args__ = (sa.Index("ix_auth_failure_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class CaseLink(SQLModel, table=True):
    """An account linked to a case as one of its parties (proved with that party's access code)."""

    __tablename__ = "case_link"
    __table_args__ = (sa.UniqueConstraint("user_id", "case_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    party_role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CaseAlert(SQLModel, table=True):
    """An e-mail owed to a linked account because its case changed (kept, so none is sent twice)."""

    __tablename__ = "case_alert"
    __table_args__ = (sa.UniqueConstraint("case_link_id", "ingested_event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_link_id: int = Field(foreign_key="case_link.id", index=True)
    ingested_event_id: int = Field(foreign_key="ingested_event.id")
    kind: str = Field(max_length=16)  # status | transfer | action
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class RecoveryCode(SQLModel, table=True):
    """A one-time code to sign in without the authenticator app; stored hashed."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- representatives ---------------------------------------------------------------------------


class Organization(SQLModel, table=True):
    """A law firm or a legal-aid office whose members represent clients."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, unique=True)


class RepresentativeProfile(SQLModel, table=True):
    """An attorney (bar number and state) or accredited representative (EOIR id, recognized
    organization). Sees nothing until staff verify it."""

    __tablename__ = "representative_profile"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", unique=True)
    full_name: str = Field(max_length=200)
    bar_number: str | None = Field(default=None, max_length=32)
    bar_state: str | None = Field(default=None, max_length=2)
    eoir_id: str | None = Field(default=None, max_length=32)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by: int | None = Field(default=None, foreign_key="user_account.id")


class Representation(SQLModel, table=True):
    """A G-28 or EOIR-28 (from an agency) or an appointment by the applicant in the portal: the
    representative may see what the represented party's own link shows, no more."""

    __tablename__ = "representation"
    __table_args__ = (sa.Index("ix_representation_email_active", "representative_email_key", "ended_at"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    party_role: str = Field(max_length=16)
    representative_email_key: str = Field(max_length=320)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    source: str = Field(max_length=16)  # agency | applicant
    ingested_event_id: int | None = Field(default=None, foreign_key="ingested_event.id")
    appointed_by: int | None = Field(default=None, foreign_key="user_account.id")
    effective_on: date
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str | None = Field(default=None, max_length=16)  # withdrawn | revoked | retracted
    ended_by_event_id: int | None = Field(default=None, foreign_key="ingested_event.id")
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the party was told


class StaffAction(SQLModel, table=True):
    """What staff did to accounts and clients, and why: kept for audit (never edited)."""

    __tablename__ = "staff_action"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="user_account.id", index=True)
    action: str = Field(max_length=32)
    target: str = Field(max_length=64)  # an opaque id (user public id, API client id, rejected event id)
    note: str = Field(default="", max_length=1000)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class AccessEvent(SQLModel, table=True):
    """One access to a person's data by an agency (or this portal's staff). Append-only: the
    application inserts and never updates or deletes (a retraction is a new event). `canonical`
    is the event's canonical JSON, the form a later ledger will chain."""

    __tablename__ = "access_event"
    # A person's log pages read newest first by subject key (keyset on occurred_at, id); the
    # partial indexes count what is withheld without reading the rest of the log.
    __table_args__ = (
        sa.Index("ix_access_event_a_number_occurred_at_id", "subject_a_number", "occurred_at", "id"),
        sa.Index("ix_access_event_receipt_occurred_at_id", "subject_receipt_number", "occurred_at", "id"),
        sa.Index("ix_access_event_a_number_withheld", "subject_a_number",
                 sqlite_where=sa.text("withheld_exemption IS NOT NULL"),
                 postgresql_where=sa.text("withheld_exemption IS NOT NULL")),
        sa.Index("ix_access_event_receipt_withheld", "subject_receipt_number",
                 sqlite_where=sa.text("withheld_exemption IS NOT NULL"),
                 postgresql_where=sa.text("withheld_exemption IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    ingested_event_id: int = Field(foreign_key="ingested_event.id", unique=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    subject_a_number: str | None = Field(default=None, max_length=9)
    subject_receipt_number: str | None = Field(default=None, max_length=13)
    agency: str = Field(max_length=8)
    component: str | None = Field(default=None, max_length=16)
    system: str = Field(max_length=16)
    action: str = Field(max_length=16)
    purpose: str = Field(max_length=32)
    authority_kind: str = Field(max_length=8)  # sorn | statute | consent
    authority_code: str | None = Field(default=None, max_length=32)
    routine_use: str | None = Field(default=None, max_length=16)
    data_categories: str = Field(max_length=200)  # comma-separated catalog codes
    recipient_agency: str | None = Field(default=None, max_length=8)
    recipient_organization: str | None = Field(default=None, max_length=200)
    accessor_role: str = Field(max_length=24)
    accessor_country: str = Field(max_length=2)
    withheld_exemption: str | None = Field(default=None, max_length=8)
    withheld_until: date | None = None
    justification: str | None = Field(default=None, max_length=500)
    canonical: str = Field(sa_type=sa.Text)


class StatisticsSnapshot(SQLModel, table=True):
    """Published statistics, computed by a job from the whole database (too slow for a request)
    and kept as the JSON the public pages and downloads show."""

    __tablename__ = "statistics_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    computed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    payload: str = Field(sa_type=sa.Text)


class Document(SQLModel, table=True):
    """A PDF made for an account (a case summary, an accounting of disclosures, "my record").

    The file lives outside the web root (instance/documents/); the verification code printed on
    every page is kept only as a SHA-256, and the summary the public verification page shows is
    stored beside it. `data_hash` is the hash of the data the document states: the same request
    with unchanged data reuses the finished file.
    """

    __tablename__ = "document"
    __table_args__ = (sa.Index("ix_document_user_id_data_hash", "user_id", "data_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=24)  # case_summary | accounting | my_record | letter
    # A letter about a privacy request (acknowledgement, extension, closing): which request.
    request_id: int | None = Field(default=None, foreign_key="privacy_request.id", index=True)
    letter: str | None = Field(default=None, max_length=16)  # acknowledgement | extension | closing
    language: str = Field(max_length=16)
    archival: bool = Field(default=False)  # PDF/A-3b with the data attached, else PDF/UA-1
    period_start: date | None = None
    period_end: date | None = None
    data_hash: str = Field(max_length=64)
    status: str = Field(default="queued", max_length=12)  # queued | rendering | done | failed
    error: str | None = Field(default=None, max_length=200)
    code_hash: str = Field(max_length=64, unique=True)
    entries: int = 0
    pages: int = 0
    sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- privacy requests ----------------------------------------------------------------------------


class PrivacyRequest(SQLModel, table=True):
    """A request for records (FOIA / Privacy Act), an accounting of disclosures (552a(c)(3)) or
    an amendment of a record (552a(d)(2)), with its clock. `subject_user_id` is whose records;
    `requester_user_id` who asked (the subject, or their representative)."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        sa.Index("ix_privacy_request_status_due_on", "status", "due_on"),
        sa.UniqueConstraint("requester_user_id", "submission_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    tracking_number: str = Field(max_length=24, unique=True)
    kind: str = Field(max_length=16)  # access | accounting | amendment
    # Whose records: an account, and/or (for a representative's request) a party of a case, who
    # may have no account here.
    subject_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    subject_case_id: int | None = Field(default=None, foreign_key="case.id")
    subject_party_role: str | None = Field(default=None, max_length=16)
    requester_user_id: int = Field(foreign_key="user_account.id", index=True)
    representation_id: int | None = Field(default=None, foreign_key="representation.id")
    # Double submission: the form carries a random key; the same key twice is one request.
    submission_key: str = Field(max_length=64)
    description: str = Field(sa_type=sa.Text)  # what records, or what is wrong
    # Access requests: USCIS's tracks (1 simple, 2 complex, 3 before an immigration judge).
    track: int | None = None
    hearing_on: date | None = None
    # Amendments: the record, what it should say; an access event when "this looks wrong" led here.
    amendment_record: str | None = Field(default=None, max_length=500)
    amendment_correction: str | None = Field(default=None, sa_type=sa.Text)
    access_event_id: int | None = Field(default=None, foreign_key="access_event.id")
    expedite: bool = Field(default=False)
    expedite_statement: str | None = Field(default=None, sa_type=sa.Text)
    fee_category: str = Field(default="other", max_length=16)  # commercial | educational | other
    # The fee estimate staff give before work proceeds (core.fees), in cents; None until given.
    fee_estimate_cents: int | None = None
    fee_charged_cents: int | None = None
    fee_waived: str | None = Field(default=None, max_length=8)  # late | minimum
    declaration_name: str = Field(max_length=200)  # typed under penalty of perjury (28 U.S.C. 1746)
    language: str = Field(max_length=16)
    submitted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    received_on: date
    due_on: date
    paused_on: date | None = None  # while a request for information is open
    paused_working_days: int = 0
    pause_used: bool = Field(default=False)
    extended: bool = Field(default=False)
    status: str = Field(default="submitted", max_length=24)
    assignee_id: int | None = Field(default=None, foreign_key="user_account.id")
    # The last due-date alert staff were sent: "soon" (two working days left) or "overdue".
    staff_alert: str | None = Field(default=None, max_length=8)
    # Two-person rule: an outcome is proposed by one member of staff and approved by a supervisor
    # who is not the proposer before anything is released.
    proposed_outcome: str | None = Field(default=None, max_length=24)
    proposed_by: int | None = Field(default=None, foreign_key="user_account.id")
    # 552a(d)(3)-(4): after a refused correction the person may file a statement of disagreement;
    # every later disclosure of the record is flagged with it.
    disagreement: str | None = Field(default=None, sa_type=sa.Text)
    disagreement_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Filed by a representative with the person's uploaded consent instead of a representation on
    # file: whom the requester named; the subject is set when staff verify the consent.
    consent_subject: str | None = Field(default=None, max_length=300)
    consent_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_verified_by: int | None = Field(default=None, foreign_key="user_account.id")
    # Expedited processing is decided within 10 calendar days: granted | denied.
    expedite_decision: str | None = Field(default=None, max_length=8)
    expedite_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The requester's agreement to pay the estimated fee (work waits for it when fees are due).
    fee_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RequestEvent(SQLModel, table=True):
    """One step in a request's history: a status change, a message, an extension (kept forever)."""

    __tablename__ = "request_event"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="privacy_request.id", index=True)
    kind: str = Field(max_length=16)  # status | message
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    actor_id: int = Field(foreign_key="user_account.id")
    by_staff: bool = Field(default=False)
    text: str = Field(default="", sa_type=sa.Text)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ClosureDay(SQLModel, table=True):
    """A day the office is closed (by executive order, say): not a working day for any clock."""

    __tablename__ = "closure_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    reason: str = Field(max_length=200)
    added_by: int = Field(foreign_key="user_account.id")


class RequestFile(SQLModel, table=True):
    """A file attached to a privacy request: the requester's supporting papers or consent, or the
    agency's response. Stored under instance/request_files/ by its id, never under its own name."""

    __tablename__ = "request_file"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(default_factory=new_public_id, max_length=32, unique=True)
    request_id: int = Field(foreign_key="privacy_request.id", index=True)
    uploaded_by: int = Field(foreign_key="user_account.id")
    by_staff: bool = Field(default=False)
    kind: str = Field(max_length=8)  # pdf | jpeg | png
    purpose: str = Field(default="file", max_length=8)  # file | consent
    size: int
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class CorrectionNotice(SQLModel, table=True):
    """552a(c)(4): after a record is corrected, each earlier recipient of it (from the access log's
    disclosures) is told; staff record when."""

    __tablename__ = "correction_notice"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="privacy_request.id", index=True)
    access_event_id: int = Field(foreign_key="access_event.id")
    recipient: str = Field(max_length=200)  # an agency code or an organization's name
    disclosed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    told_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    told_by: int | None = Field(default=None, foreign_key="user_account.id")


class RequestReferral(SQLModel, table=True):
    """Part of a request referred to another agency (ICE, CBP, ...), which answers it under its
    own tracking number and status."""

    __tablename__ = "request_referral"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="privacy_request.id", index=True)
    agency: str = Field(max_length=16)
    tracking_number: str = Field(max_length=40)
    status: str = Field(default="referred", max_length=16)  # referred | in_process | completed | closed
    scope: str = Field(default="", max_length=500)  # which records went to that agency
    referred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class WithheldItem(SQLModel, table=True):
    """Records withheld (in full or in part) from a release, with the exemption applied: shown
    to the requester, counted in the annual report's "exemptions used"."""

    __tablename__ = "withheld_item"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="privacy_request.id", index=True)
    description: str = Field(max_length=300)
    pages: int = 0
    exemption: str = Field(max_length=16)  # a code from core.requests.EXEMPTIONS, e.g. b6
    added_by: int = Field(foreign_key="user_account.id")
    added_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
