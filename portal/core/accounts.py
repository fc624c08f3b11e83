"""Accounts: passwords, sign-in with throttling, server-side sessions, e-mailed tokens, and
linking a case with a party's access code. security.md "Authentication" and "Sessions"."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, select, update
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from portal.core.cases import hash_access_code
from portal.core.errors import (
    EmailNotConfirmed,
    InvalidToken,
    LinkFailed,
    LoginFailed,
    PasswordRejected,
    Throttled,
)
from portal.core.identifiers import normalize_receipt_number
from portal.core.models import (
    STAFF_ROLES,
    AuthFailure,
    AuthSession,
    Case,
    CaseAlert,
    CaseLink,
    CaseParty,
    EmailToken,
    RecoveryCode,
    User,
)
from portal.core.transactions import begin_write

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256  # long passphrases welcome; a megabyte password would tie up hashing
# 30,000 most common passwords (the list zxcvbn ships), compared case-insensitively.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])

ACCOUNT_FAILURES_PER_MINUTE = 5
SOURCE_FAILURES_PER_MINUTE = 50
THROTTLE_WINDOW = timedelta(minutes=1)

TOKEN_LIFETIMES = {"confirm": timedelta(days=2), "reset": timedelta(hours=1), "email": timedelta(days=2)}
SESSION_LIMITS = {  # (idle, absolute): security.md "Sessions"
    "applicant": (timedelta(minutes=30), timedelta(hours=12)),
    "privileged": (timedelta(minutes=15), timedelta(hours=8)),
}


def production_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)


def test_hasher() -> PasswordHasher:
    """Cheap parameters for the test suite only (create_app uses it when settings.testing)."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def email_key(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, email: str = "") -> None:
    """ASVS 6.2: length only, no composition rules, and not a common or obvious password."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordRejected("too_short")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordRejected("too_long")
    if password.lower() in COMMON_PASSWORDS:
        raise PasswordRejected("common")
    local_part = email_key(email).split("@")[0]
    if local_part and len(local_part) >= 4 and local_part in password.lower():
        raise PasswordRejected("like_email")


# --- throttling --------------------------------------------------------------------------------


def _throttle_keys(account: str | None, source: str) -> list[tuple[str, int]]:
    keys = [(_digest(f"source:{source}"), SOURCE_FAILURES_PER_MINUTE)]
    if account:
        keys.append((_digest(f"account:{account}"), ACCOUNT_FAILURES_PER_MINUTE))
    return keys


def _check_throttle(session: Session, keys: list[tuple[str, int]], now: datetime) -> None:
    since = now - THROTTLE_WINDOW
    for key, limit in keys:
        count = session.exec(
            select(func.count()).select_from(AuthFailure).where(
                AuthFailure.key == key, AuthFailure.at > since)
        ).one()
        if count >= limit:
            raise Throttled()


def _record_failure(session: Session, keys: list[tuple[str, int]], now: datetime) -> None:
    for key, _limit in keys:
        session.add(AuthFailure(key=key, at=now))
    # Old rows are useless for a one-minute window: drop them as we go.
    session.exec(AuthFailure.__table__.delete().where(AuthFailure.at < now - 10 * THROTTLE_WINDOW))
    session.commit()


# --- registration and e-mailed tokens ---------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """What to mail: a confirmation link for a new account, or, when the address already has an
    account, a notice to that address instead (so the page never reveals who has an account)."""

    user: User
    confirm_token: str | None  # None: the address was already registered


def register(session: Session, email: str, password: str, language: str, hasher: PasswordHasher,
             now: datetime) -> Registration:
    check_password_rules(password, email)
    existing = session.exec(select(User).where(User.email_key == email_key(email))).first()
    password_hash = hasher.hash(password)  # done either way, so timing tells nothing
    if existing is not None:
        return Registration(existing, None)
    user = User(email=email.strip(), email_key=email_key(email), password_hash=password_hash,
                preferred_language=language, created_at=now, password_changed_at=now)
    session.add(user)
    session.flush()
    token = issue_token(session, user, "confirm", now)
    session.commit()
    return Registration(user, token)


def create_confirmed_user(session: Session, email: str, password: str, role: str,
                          hasher: PasswordHasher, now: datetime, language: str = "en") -> User:
    """For `portal user create`: operators' accounts are confirmed on creation."""
    check_password_rules(password, email)
    if session.exec(select(User).where(User.email_key == email_key(email))).first():
        raise ValueError("an account with this e-mail address exists")
    user = User(email=email.strip(), email_key=email_key(email), password_hash=hasher.hash(password),
                role=role, preferred_language=language, confirmed_at=now, created_at=now,
                password_changed_at=now)
    session.add(user)
    session.commit()
    return user


def issue_token(session: Session, user: User, purpose: str, now: datetime,
                new_email: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    session.add(EmailToken(user_id=user.id, purpose=purpose, token_hash=_digest(token),
                           created_at=now, expires_at=now + TOKEN_LIFETIMES[purpose],
                           new_email=new_email))
    return token


def _take_token(session: Session, token: str, purpose: str, now: datetime) -> tuple[EmailToken, User]:
    row = session.exec(select(EmailToken).where(EmailToken.token_hash == _digest(token or ""))).first()
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at < now:
        raise InvalidToken()
    return row, session.get(User, row.user_id)


def peek_token(session: Session, token: str, purpose: str, now: datetime) -> None:
    """Raise InvalidToken unless the link is usable (the page behind a link checks first)."""
    _take_token(session, token, purpose, now)


def confirm_email(session: Session, token: str, now: datetime) -> User:
    row, user = _take_token(session, token, "confirm", now)
    row.used_at = now
    user.confirmed_at = user.confirmed_at or now
    session.add_all([row, user])
    session.commit()
    return user


def request_password_reset(session: Session, email: str, now: datetime) -> tuple[User, str] | None:
    """A reset link for a confirmed account, or None; the page answers the same either way."""
    user = session.exec(select(User).where(User.email_key == email_key(email))).first()
    if user is None:
        return None
    token = issue_token(session, user, "reset", now)
    session.commit()
    return user, token


def reset_password(session: Session, token: str, password: str, hasher: PasswordHasher,
                   now: datetime) -> User:
    row, user = _take_token(session, token, "reset", now)
    check_password_rules(password, user.email)
    row.used_at = now
    user.password_hash = hasher.hash(password)
    user.password_changed_at = now
    user.confirmed_at = user.confirmed_at or now  # the link proved the address
    session.add_all([row, user])
    end_all_sessions(session, user, now)
    session.commit()
    return user


# --- signing in --------------------------------------------------------------------------------

_DUMMY_HASHES: dict[tuple, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[key]


def authenticate(session: Session, email: str, password: str, source: str, hasher: PasswordHasher,
                 now: datetime) -> User:
    """The account, or LoginFailed (same for unknown e-mail and wrong password, and the same
    argon2 work either way), or Throttled after too many failures for the account or source."""
    keys = _throttle_keys(email_key(email), source)
    _check_throttle(session, keys, now)
    user = session.exec(select(User).where(User.email_key == email_key(email))).first()
    try:
        hasher.verify(user.password_hash if user else _dummy_hash(hasher), password[:PASSWORD_MAX_LENGTH])
        if user is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        _record_failure(session, keys, now)
        raise LoginFailed() from None
    if user.confirmed_at is None:
        raise EmailNotConfirmed()
    if hasher.check_needs_rehash(user.password_hash):  # parameters changed since (ASVS 11.4.2)
        user.password_hash = hasher.hash(password)
        session.add(user)
        session.commit()
    return user


def start_session(session: Session, user: User, now: datetime) -> str:
    """A new random session token (a new id at every sign-in); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                            last_seen_at=now))
    session.commit()
    return token


def session_limits(user: User) -> tuple[timedelta, timedelta]:
    privileged = user.role in STAFF_ROLES or user.role == "representative"
    return SESSION_LIMITS["privileged" if privileged else "applicant"]


def resume_session(session: Session, token: str, now: datetime) -> User | None:
    """The signed-in user, or None when the session ended, idled out or reached its age limit."""
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    idle, absolute = session_limits(user)
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        begin_write(session)
        session.exec(update(AuthSession).where(AuthSession.id == row.id).values(ended_at=now))
        session.commit()
        return None
    if now - row.last_seen_at > timedelta(seconds=60):  # one write a minute at most
        begin_write(session)
        session.exec(update(AuthSession).where(AuthSession.id == row.id).values(last_seen_at=now))
        session.commit()
    return user


def end_session(session: Session, token: str, now: datetime) -> None:
    session.exec(update(AuthSession).where(AuthSession.token_hash == _digest(token),
                                           AuthSession.ended_at.is_(None)).values(ended_at=now))
    session.commit()


def end_all_sessions(session: Session, user: User, now: datetime) -> None:
    session.exec(update(AuthSession).where(AuthSession.user_id == user.id,
                                           AuthSession.ended_at.is_(None)).values(ended_at=now))


# --- linking a case ----------------------------------------------------------------------------


def link_case(session: Session, user: User, typed_receipt: str, access_code: str, source: str,
              now: datetime) -> CaseLink:
    """Link the account to a case as the party whose access code this is.

    Every failure is the same LinkFailed (wrong code, unknown case, or a protected case asked for
    by its petitioner), and failures are throttled like sign-in attempts (ASVS 6.3.8).
    """
    keys = _throttle_keys(f"link:{user.id}", source)
    _check_throttle(session, keys, now)
    # A malformed number raises InvalidReceiptNumber: a typing mistake, shown as a format hint.
    receipt = normalize_receipt_number(typed_receipt)
    case = session.exec(select(Case).where(Case.receipt_number == receipt)).first()
    party = None
    if case is not None and access_code:
        party = session.exec(select(CaseParty).where(
            CaseParty.case_id == case.id,
            CaseParty.access_code_hash == hash_access_code(receipt, access_code.strip()))).first()
    # 8 U.S.C. 1367: a protected case goes to nobody but the protected person.
    if party is None or (case.protected and party.role == "petitioner"):
        _record_failure(session, keys, now)
        raise LinkFailed()
    link = session.exec(select(CaseLink).where(CaseLink.user_id == user.id,
                                               CaseLink.case_id == case.id)).first()
    if link is None:
        link = CaseLink(user_id=user.id, case_id=case.id, party_role=party.role, created_at=now)
        session.add(link)
        session.commit()
    return link


# --- changes to the account (each one re-checks the password: ASVS 7.5.1) ------------------------


def reauthenticate(session: Session, user: User, password: str, hasher: PasswordHasher, now: datetime) -> None:
    """LoginFailed unless `password` is the account's; failures count towards the throttle."""
    keys = _throttle_keys(user.email_key, f"reauth:{user.id}")
    _check_throttle(session, keys, now)
    try:
        hasher.verify(user.password_hash, password[:PASSWORD_MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        _record_failure(session, keys, now)
        raise LoginFailed() from None


def change_password(session: Session, user: User, current: str, new: str, hasher: PasswordHasher,
                    now: datetime) -> None:
    """New password; every session of the account ends (the caller starts a fresh one)."""
    reauthenticate(session, user, current, hasher, now)
    check_password_rules(new, user.email)
    user.password_hash = hasher.hash(new)
    user.password_changed_at = now
    session.add(user)
    end_all_sessions(session, user, now)
    session.commit()


def request_email_change(session: Session, user: User, current: str, new_email: str,
                         hasher: PasswordHasher, now: datetime) -> str | None:
    """A confirmation token for the new address, or None when that address already has an
    account (the page answers the same; the address's owner is not revealed)."""
    reauthenticate(session, user, current, hasher, now)
    if session.exec(select(User).where(User.email_key == email_key(new_email))).first():
        return None
    token = issue_token(session, user, "email", now, new_email=new_email.strip())
    session.commit()
    return token


def confirm_email_change(session: Session, token: str, now: datetime) -> tuple[User, str]:
    """Apply a confirmed change of address; returns the account and its old address."""
    row, user = _take_token(session, token, "email", now)
    if session.exec(select(User).where(User.email_key == email_key(row.new_email))).first():
        raise InvalidToken()  # taken meanwhile
    old = user.email
    row.used_at = now
    user.email, user.email_key = row.new_email, email_key(row.new_email)
    session.add_all([row, user])
    session.commit()
    return user, old


def set_language(session: Session, user: User, language: str) -> None:
    user.preferred_language = language
    session.add(user)
    session.commit()


def delete_account(session: Session, user: User, current: str, hasher: PasswordHasher, now: datetime) -> None:
    """The account, its links, sessions, tokens and pending alerts go. The agencies' records about
    the person (cases, events, parties) are not the account's and stay."""
    reauthenticate(session, user, current, hasher, now)
    link_ids = [link.id for link in session.exec(select(CaseLink).where(CaseLink.user_id == user.id))]
    if link_ids:
        session.exec(CaseAlert.__table__.delete().where(CaseAlert.case_link_id.in_(link_ids)))
    for table in (CaseLink, AuthSession, EmailToken, RecoveryCode):
        session.exec(table.__table__.delete().where(table.user_id == user.id))
    session.delete(user)
    session.commit()


# --- two-step sign-in (TOTP) -------------------------------------------------------------------

RECOVERY_CODES = 10
TOTP_ISSUER = "Case Transparency Portal"


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def _totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step `code` belongs to (this one or one either side, for clock drift), or None."""
    code = "".join(code.split())
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        moment = now + drift * timedelta(seconds=totp.interval)
        if secrets.compare_digest(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def enable_totp(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Turn two-step sign-in on once the app shows a right code; returns the recovery codes,
    shown once and stored only as hashes."""
    step = _totp_step(secret, code, now)
    if step is None:
        raise LoginFailed()
    user.totp_secret, user.totp_last_step = secret, step
    session.exec(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    codes = ["-".join(secrets.token_hex(3) for _ in range(2)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    session.add(user)
    session.commit()
    return codes


def disable_totp(session: Session, user: User, current: str, hasher: PasswordHasher, now: datetime) -> None:
    reauthenticate(session, user, current, hasher, now)
    user.totp_secret, user.totp_last_step = None, None
    session.exec(RecoveryCode.__table__.delete().where(RecoveryCode.user_id == user.id))
    session.add(user)
    session.commit()


def verify_second_factor(session: Session, user: User, code: str, source: str, now: datetime) -> None:
    """Accept a TOTP code not used before, or an unused recovery code; else LoginFailed.
    Failures count towards the same throttle as passwords."""
    keys = _throttle_keys(user.email_key, source)
    _check_throttle(session, keys, now)
    step = _totp_step(user.totp_secret, code, now) if user.totp_secret else None
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        session.add(user)
        session.commit()
        return
    recovery = session.exec(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code.strip().lower()),
        RecoveryCode.used_at.is_(None))).first()
    if recovery is not None:
        recovery.used_at = now
        session.add(recovery)
        session.commit()
        return
    _record_failure(session, keys, now)
    raise LoginFailed()


def recovery_codes_left(session: Session, user: User) -> int:
    return session.exec(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).one()
