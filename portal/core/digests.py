"""Access-log digests: an e-mail, daily or weekly as the person chose, when new entries reached
their log. The mail names nothing (no agency, no count): it asks them to sign in and look.

A withheld entry is news on the day it is released, not the day it arrived.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from portal.core.access_log import subjects_of_user
from portal.core.models import AccessEvent, IngestedEvent, User

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
CHOICES = ("off", "daily", "weekly")


def set_digest(session: Session, user: User, choice: str, now: datetime) -> None:
    if choice not in CHOICES:
        raise ValueError(choice)
    if choice != user.access_digest:
        user.access_digest = choice
        user.access_digest_through = user.access_digest_through or now  # news from now on
        session.add(user)
    session.commit()


def due_digests(session: Session, now: datetime) -> list[User]:
    """Confirmed accounts whose period has passed since their last digest."""
    told = sa.func.coalesce(User.access_digest_through, User.created_at)
    due = sa.or_(*[(User.access_digest == name) & (told <= now - period) for name, period in PERIODS.items()])
    return list(session.exec(select(User).where(User.confirmed_at.is_not(None), due).order_by(User.id)))


def has_news(session: Session, user: User, now: datetime) -> bool:
    """Whether an entry the person can see reached their log (or was released) since the last digest."""
    subjects = subjects_of_user(session, user.id)
    if not subjects:
        return False
    since = user.access_digest_through or user.created_at
    today = now.date()
    arrived_shown = (IngestedEvent.received_at > since) & sa.or_(
        AccessEvent.withheld_exemption.is_(None), AccessEvent.withheld_until <= today)
    released = (AccessEvent.withheld_until > since.date()) & (AccessEvent.withheld_until <= today)
    row = session.exec(
        select(AccessEvent.id).join(IngestedEvent, IngestedEvent.id == AccessEvent.ingested_event_id)
        .where(subjects.clause(), sa.or_(arrived_shown, released)).limit(1)
    ).first()
    return row is not None


def mark_told(session: Session, user: User, now: datetime) -> None:
    user.access_digest_through = now
    session.add(user)
    session.commit()
