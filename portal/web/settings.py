"""The signed-in account's settings: language, access-log e-mails, password, e-mail address,
deletion. Every change but the language and the e-mails asks for the current password again
(ASVS 7.5.1) and is told to the account."""

from __future__ import annotations

import segno
from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from portal.core import accounts, digests
from portal.core.errors import InvalidToken, LoginFailed, PasswordRejected, Throttled
from portal.db import get_session
from portal.logs import get_logger
from portal.web.auth import current_user, login_required, now, send_mail, sign_in, sign_out
from portal.web.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    DeleteAccountForm,
    DigestForm,
    DisableTotpForm,
    EnableTotpForm,
    LanguageForm,
)
from portal.web.localized import localized_blueprint
from portal.web.messages import N_, PASSWORD_REJECTED

bp = localized_blueprint("settings", __name__, "/account/settings")
log = get_logger("settings")
TOTP_SETUP_KEY = "totp_setup"  # the secret being set up, until a code proves the app has it



def _hasher():
    return current_app.extensions["portal.hasher"]


def _page(status: int = 200, **forms):
    user = current_user()
    context = {
        "totp_enabled": user.totp_secret is not None,
        "recovery_left": accounts.recovery_codes_left(get_session(), user) if user.totp_secret else 0,
        "disable_totp_form": DisableTotpForm(formdata=None),
        "language_form": LanguageForm(language=user.preferred_language, formdata=None),
        "digest_form": DigestForm(digest=user.access_digest, formdata=None),
        "password_form": ChangePasswordForm(formdata=None),
        "email_form": ChangeEmailForm(formdata=None),
        "delete_form": DeleteAccountForm(formdata=None),
    }
    context.update(forms)
    return render_template("account/settings.html", **context), status


def _wrong_password(form) -> None:
    form.current.errors.append(_("This is not your current password."))


@bp.get("/")
@login_required
def index():
    return _page()


@bp.post("/language")
@login_required
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return _page(400, language_form=form)
    accounts.set_language(get_session(), current_user(), form.language.data)
    flash(_("Saved."), "success")
    return redirect(url_for("settings.index", lang_code=form.language.data))


@bp.post("/digest")
@login_required
def digest():
    form = DigestForm()
    if not form.validate_on_submit():
        return _page(400, digest_form=form)
    digests.set_digest(get_session(), current_user(), form.digest.data, now())
    log.info("access digest set", extra={"digest": form.digest.data})
    flash(_("Saved."), "success")
    return redirect(url_for("settings.index"))


@bp.post("/password")
@login_required
def password():
    form = ChangePasswordForm()
    user = current_user()
    if form.validate_on_submit():
        try:
            accounts.change_password(get_session(), user, form.current.data, form.password.data,
                                     _hasher(), now())
        except (LoginFailed, Throttled):
            _wrong_password(form)
        except PasswordRejected as rejection:
            form.password.errors.append(PASSWORD_REJECTED[rejection.reason])
        else:
            sign_in(user)  # every other session ended; this one starts afresh
            send_mail(user.email, user.preferred_language, "password_changed",
                      N_("Your password was changed"))
            log.info("password changed")
            flash(_("Your password is changed. You were signed out everywhere else."), "success")
            return redirect(url_for("settings.index"))
    return _page(400, password_form=form)


@bp.post("/email")
@login_required
def email():
    form = ChangeEmailForm()
    user = current_user()
    if form.validate_on_submit():
        try:
            token = accounts.request_email_change(get_session(), user, form.current.data, form.email.data,
                                                  _hasher(), now())
        except (LoginFailed, Throttled):
            _wrong_password(form)
        else:
            base = current_app.config["PORTAL_SETTINGS"].base_url
            if token:
                send_mail(form.email.data, user.preferred_language, "confirm_new_email",
                          N_("Confirm your new e-mail address"),
                          link=base + url_for("settings.confirm_email", token=token,
                                              lang_code=user.preferred_language))
            send_mail(user.email, user.preferred_language, "email_change_requested",
                      N_("A new e-mail address was requested for your account"))
            flash(_("We sent a link to the new address. The change happens when you open it."), "success")
            return redirect(url_for("settings.index"))
    return _page(400, email_form=form)


@bp.route("/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            user, old = accounts.confirm_email_change(get_session(), token, now())
            send_mail(old, user.preferred_language, "email_changed", N_("Your e-mail address was changed"))
            flash(_("Your e-mail address is changed."), "success")
            return redirect(url_for("settings.index") if current_user() else url_for("account.login"))
        accounts.peek_token(get_session(), token, "email", now())
    except InvalidToken:
        return render_template("account/invalid_link.html"), 404
    return render_template("account/confirm.html", form=form)


@bp.post("/delete")
@login_required
def delete():
    form = DeleteAccountForm()
    user = current_user()
    if form.validate_on_submit():
        try:
            address, language = user.email, user.preferred_language
            accounts.delete_account(get_session(), user, form.current.data, _hasher(), now())
        except (LoginFailed, Throttled):
            _wrong_password(form)
        else:
            sign_out()
            send_mail(address, language, "account_deleted", N_("Your account was deleted"))
            log.info("account deleted")
            return redirect(url_for("account.deleted", lang_code=language))
    return _page(400, delete_form=form)


@bp.route("/two-step", methods=["GET", "POST"])
@login_required
def two_step():
    """Set up an authenticator app: scan the QR code (or type the key), then prove it works."""
    user = current_user()
    if user.totp_secret:
        return redirect(url_for("settings.index"))
    secret = session.get(TOTP_SETUP_KEY) or accounts.new_totp_secret()
    session[TOTP_SETUP_KEY] = secret
    form = EnableTotpForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = accounts.enable_totp(get_session(), user, secret, form.code.data, now())
        except LoginFailed:
            form.code.errors.append(_("This code is not right. Check the time on your phone and try again."))
        else:
            session.pop(TOTP_SETUP_KEY, None)
            send_mail(user.email, user.preferred_language, "two_step_enabled",
                      N_("Two-step sign-in is on for your account"))
            log.info("two-step sign-in enabled")
            return render_template("account/recovery_codes.html", codes=codes)
    if form.errors:
        status = 400
    uri = accounts.totp_uri(secret, user.email)
    return render_template("account/two_step.html", form=form, secret=secret,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=4)), status


@bp.post("/two-step/off")
@login_required
def two_step_off():
    form = DisableTotpForm()
    user = current_user()
    if form.validate_on_submit():
        try:
            accounts.disable_totp(get_session(), user, form.current.data, _hasher(), now())
        except (LoginFailed, Throttled):
            _wrong_password(form)
        else:
            send_mail(user.email, user.preferred_language, "two_step_disabled",
                      N_("Two-step sign-in was turned off for your account"))
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("settings.index"))
    return _page(400, disable_totp_form=form)
