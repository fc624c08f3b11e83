"""Who is signed in: the server-side session behind the cookie, and the guard for pages that
need an account. Anything not marked public needs one (deny by default)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from email.message import EmailMessage

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

from portal import jobs
from portal.core import accounts
from portal.core.models import User
from portal.db import get_session
from portal.logs import get_logger
from portal.mail import build_message

log = get_logger("auth")
SESSION_KEY = "auth"


def now() -> datetime:
    return datetime.now(UTC)


def client_address() -> str:
    return request.remote_addr or "unknown"


def load_user() -> None:
    """Before every request: the signed-in user, or None (ended or expired sessions drop out)."""
    g.user = None
    token = session.get(SESSION_KEY)
    if token:
        g.user = accounts.resume_session(get_session(), token, now())
        if g.user is None:
            session.pop(SESSION_KEY, None)


# Representatives and staff must use two-step sign-in (security.md); until they set it up, these
# are the only pages they can reach.
SETUP_ALLOWED = frozenset({"settings.two_step", "account.logout", "static"})


def require_two_step_for_privileged():
    user = g.get("user")
    if (user is not None and user.totp_secret is None and user.role != "applicant"
            and request.endpoint not in SETUP_ALLOWED and not (request.endpoint or "").startswith("public.")):
        flash(_l("Representatives and staff must set up two-step sign-in first."), "info")
        return redirect(url_for("settings.two_step"))
    return None


def current_user() -> User | None:
    return g.get("user")


def sign_in(user: User) -> None:
    """A fresh session at every sign-in: new server record, new cookie contents, new CSRF token."""
    session.clear()
    session[SESSION_KEY] = accounts.start_session(get_session(), user, now())
    session.permanent = False
    log.info("sign-in", extra={"user": user.public_id})


def sign_out() -> None:
    token = session.pop(SESSION_KEY, None)
    if token:
        accounts.end_session(get_session(), token, now())
    session.clear()


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            log.info("anonymous request refused", extra={"endpoint": request.endpoint})
            return redirect(url_for("account.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    wrapped.login_required = True
    return wrapped


def role_required(*roles: str):
    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if current_user().role not in roles:
                log.warning("role refused", extra={"endpoint": request.endpoint})
                abort(404)  # do not confirm that the page exists
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def send_mail(to: str, language: str, template: str, subject: str, **context) -> None:
    """Render templates/emails/<template>.txt in the recipient's language and queue it."""
    settings = current_app.config["PORTAL_SETTINGS"]
    with force_locale(language):
        body = render_template(f"emails/{template}.txt", base_url=settings.base_url, **context)
        message: EmailMessage = build_message(to, gettext(subject), body, language)
    jobs.send_mail(bytes(message), settings.smtp_url, str(settings.instance_dir / "outbox"))
    log.info("mail queued", extra={"template": template})


def init_app(app: Flask) -> None:
    app.before_request(load_user)
    app.before_request(require_two_step_for_privileged)
    app.context_processor(lambda: {"current_user": current_user()})
