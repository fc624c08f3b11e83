"""Back-office operations, each one recorded as a StaffAction (who, what, why, when)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal.core.accounts import create_confirmed_user, issue_token
from portal.core.errors import CaseNotFound
from portal.core.ingest import create_api_client
from portal.core.models import ApiClient, AuthSession, RecoveryCode, RejectedEvent, StaffAction, User


def record(session: Session, actor: User, action: str, target: str, note: str, now: datetime) -> None:
    session.add(StaffAction(actor_id=actor.id, action=action, target=target, note=note, at=now))


def api_clients(session: Session) -> list[ApiClient]:
    return list(session.exec(select(ApiClient).order_by(ApiClient.id)))


def new_api_client(session: Session, actor: User, agency: str, name: str, now: datetime) -> tuple[ApiClient, str]:
    client, token = create_api_client(session, agency, name)
    record(session, actor, "api_client_created", str(client.id), name, now)
    session.commit()
    return client, token


def revoke_api_client(session: Session, actor: User, client_id: int, now: datetime) -> None:
    client = session.get(ApiClient, client_id)
    if client is None or client.revoked_at is not None:
        raise CaseNotFound()
    client.revoked_at = now
    session.add(client)
    record(session, actor, "api_client_revoked", str(client_id), client.name, now)
    session.commit()


@dataclass(frozen=True)
class RejectedView:
    id: int
    endpoint: str
    agency: str
    event_id: str | None
    received_at: datetime
    errors: list[dict]
    payload: str  # pretty-printed JSON, shown as text
    raw_payload: str


def rejected_events(session: Session, include_resolved: bool = False) -> list[RejectedView]:
    query = select(RejectedEvent).order_by(RejectedEvent.id.desc()).limit(200)
    if not include_resolved:
        query = query.where(RejectedEvent.resolved_at.is_(None))
    return [_view(row) for row in session.exec(query)]


def rejected_event(session: Session, event_id: int) -> RejectedView:
    row = session.get(RejectedEvent, event_id)
    if row is None:
        raise CaseNotFound()
    return _view(row)


def _view(row: RejectedEvent) -> RejectedView:
    try:
        payload = json.dumps(json.loads(row.payload), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        payload = row.payload
    return RejectedView(row.id, row.endpoint, row.agency, row.event_id, row.received_at, json.loads(row.errors),
                        payload, row.payload)


def resolve_rejected(session: Session, actor: User, event_id: int, note: str, now: datetime) -> None:
    row = session.get(RejectedEvent, event_id)
    if row is None or row.resolved_at is not None:
        raise CaseNotFound()
    row.resolved_at = now
    session.add(row)
    record(session, actor, "rejected_event_resolved", str(event_id), note, now)
    session.commit()


def reset_two_step(session: Session, actor: User, email: str, identity_check: str, now: datetime) -> None:
    """Lost device: after staff re-checked the person's identity (recorded), turn two-step sign-in
    off so they can set it up again at their next sign-in; their sessions end."""
    user = session.exec(select(User).where(User.email_key == email.strip().lower())).first()
    if user is None:
        raise CaseNotFound()
    user.totp_secret, user.totp_last_step = None, None
    session.exec(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    session.exec(AuthSession.__table__.update().where(AuthSession.user_id == user.id,
                                                      AuthSession.ended_at.is_(None)).values(ended_at=now))
    session.add(user)
    record(session, actor, "two_step_reset", user.public_id, identity_check, now)
    session.commit()


def actions(session: Session, limit: int = 100) -> list[tuple[StaffAction, str]]:
    rows = session.exec(select(StaffAction, User.email).join(User, User.id == StaffAction.actor_id)
                        .order_by(StaffAction.id.desc()).limit(limit)).all()
    return list(rows)


def staff_accounts(session: Session) -> list[User]:
    return list(session.exec(select(User).where(User.role.in_(("privacy_officer", "supervisor", "admin")))
                             .order_by(User.role, User.email_key)))


def invite_staff(session: Session, actor: User, email: str, role: str, hasher, now: datetime) -> tuple[User, str]:
    """A confirmed staff account with an unusable random password, and a reset token so that the
    person chooses their own (the admin never knows it). Two-step sign-in is set up at first use."""
    user = create_confirmed_user(session, email, secrets.token_urlsafe(32), role, hasher, now)
    token = issue_token(session, user, "reset", now)
    record(session, actor, "staff_created", user.public_id, role, now)
    session.commit()
    return user, token
