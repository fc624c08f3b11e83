"""Applicant accounts: register, confirm the address, sign in and out, reset the password."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlmodel import select

from portal.core import accounts
from portal.core.errors import EmailNotConfirmed, InvalidToken, LoginFailed, PasswordRejected, Throttled
from portal.core.models import User
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import client_address, current_user, now, safe_next, send_mail, sign_in, sign_out
from portal.web.forms import (
    ConfirmForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    ResetRequestForm,
    SecondFactorForm,
)
from portal.web.localized import localized_blueprint
from portal.web.messages import N_, PASSWORD_REJECTED

bp = localized_blueprint("account", __name__, "/account")
log = get_logger("account")
PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 300



def _hasher():
    return current_app.extensions["portal.hasher"]


def _link(endpoint: str, language: str, **values) -> str:
    base = current_app.config["PORTAL_SETTINGS"].base_url
    return base + url_for(endpoint, lang_code=language, **values)


def _status(form, error=None) -> int:
    return 400 if (form.errors or error) and request.method == "POST" else 200


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user():
        return redirect(url_for("cases.index"))
    form = RegisterForm(language=str(get_locale()))
    if form.validate_on_submit():
        try:
            result = accounts.register(get_session(), form.email.data, form.password.data,
                                       form.language.data, _hasher(), now())
        except PasswordRejected as rejection:
            form.password.errors.append(PASSWORD_REJECTED[rejection.reason])
        else:
            user = result.user
            if result.confirm_token:
                send_mail(user.email, user.preferred_language, "confirm",
                          N_("Confirm your e-mail address"),
                          link=_link("account.confirm", user.preferred_language, token=result.confirm_token))
            else:  # the address has an account: tell its owner, show the same page as always
                send_mail(user.email, user.preferred_language, "already_registered",
                          N_("Someone tried to register with your e-mail address"),
                          sign_in_link=_link("account.login", user.preferred_language),
                          reset_link=_link("account.reset_request", user.preferred_language))
            log.info("registration", extra={"new": result.confirm_token is not None})
            return redirect(url_for("account.check_email"))
    return render_template("account/register.html", form=form), _status(form)


@bp.get("/check-email")
def check_email():
    return render_template("account/check_email.html")


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            accounts.confirm_email(get_session(), token, now())
            flash(_("Your e-mail address is confirmed. You can sign in now."), "success")
            return redirect(url_for("account.login"))
        accounts.peek_token(get_session(), token, "confirm", now())
    except InvalidToken:
        return render_template("account/invalid_link.html"), 404
    return render_template("account/confirm.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(get_session(), form.email.data, form.password.data,
                                         client_address(), _hasher(), now())
        except LoginFailed:
            log.warning("sign-in failed")
            error, status = _("The e-mail address or the password is not right."), 400
        except Throttled:
            log.warning("sign-in throttled")
            error, status = _("Too many attempts. Wait a minute, then try again."), 429
        except EmailNotConfirmed:
            error, status = _("Confirm your e-mail address first: open the link we sent you."), 400
        else:
            target = safe_next(request.args.get("next")) or url_for("cases.index")
            if user.totp_secret:
                session.clear()
                session[PENDING_KEY] = {"user": user.public_id, "at": now().timestamp(), "next": target}
                return redirect(url_for("account.second_factor"))
            sign_in(user)
            return redirect(target)
    elif form.errors:
        status = 400
    return render_template("account/login.html", form=form, error=error), status


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """The second step of signing in, for accounts with an authenticator app."""
    pending = session.get(PENDING_KEY)
    if not pending or now().timestamp() - pending["at"] > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return redirect(url_for("account.login"))
    form = SecondFactorForm()
    error, status = None, 200
    if form.validate_on_submit():
        user = get_session().exec(select(User).where(User.public_id == pending["user"])).first()
        try:
            if user is None:
                raise LoginFailed()
            accounts.verify_second_factor(get_session(), user, form.code.data, client_address(), now())
        except LoginFailed:
            log.warning("second factor failed")
            error, status = _("This code is not right, or it was used already."), 400
        except Throttled:
            error, status = _("Too many attempts. Wait a minute, then try again."), 429
        else:
            sign_in(user)
            return redirect(safe_next(pending.get("next")) or url_for("cases.index"))
    elif form.errors:
        status = 400
    return render_template("account/second_factor.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    ConfirmForm().validate_on_submit()  # CSRFProtect has already refused a POST without a token
    sign_out()
    response = redirect(url_for("public.home"))
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        found = accounts.request_password_reset(get_session(), form.email.data, now())
        if found:
            user, token = found
            send_mail(user.email, user.preferred_language, "reset", N_("Reset your password"),
                      link=_link("account.reset", user.preferred_language, token=token))
        return redirect(url_for("account.check_email"))  # the same page whether found or not
    return render_template("account/reset_request.html", form=form), _status(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    form = NewPasswordForm()
    try:
        if form.validate_on_submit():
            try:
                accounts.reset_password(get_session(), token, form.password.data, _hasher(), now())
            except PasswordRejected as rejection:
                form.password.errors.append(PASSWORD_REJECTED[rejection.reason])
            else:
                sign_out()
                flash(_("Your password is changed and every other session is signed out. Sign in now."),
                      "success")
                return redirect(url_for("account.login"))
        else:
            accounts.peek_token(get_session(), token, "reset", now())
    except InvalidToken:
        return render_template("account/invalid_link.html"), 404
    return render_template("account/reset.html", form=form), _status(form)


@bp.get("/deleted")
def deleted():
    return render_template("account/deleted.html")
