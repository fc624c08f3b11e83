"""Applicant accounts: register, confirm, sign in and out, reset; throttling; sessions; CSRF."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from portal.core.models import AuthSession, User
from tests.helpers import PASSWORD, csrf, link_in, sign_in


def register(client, email="ana@example.org", password=PASSWORD, language="en"):
    return client.post("/en/account/register", data={
        "csrf_token": csrf(client, "/en/account/register"), "email": email,
        "password": password, "confirm": password, "language": language})


def confirm_from_mail(client, message):
    path = link_in(message).replace("http://127.0.0.1:5000", "")
    assert client.get(path).status_code == 200  # the page behind the link changes nothing
    return client.post(path, data={"csrf_token": csrf(client, path)})


@pytest.fixture
def confirmed(client, outbox):
    register(client)
    confirm_from_mail(client, outbox()[-1])
    return "ana@example.org"


def test_register_confirm_and_sign_in(client, outbox, session):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/en/account/check-email")
    (message,) = outbox()
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Confirm your e-mail address"
    assert sign_in(client).status_code == 400  # not confirmed yet
    confirmed = confirm_from_mail(client, message)
    assert confirmed.headers["Location"].endswith("/en/account/login")
    signed_in = sign_in(client)
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/en/cases/")
    assert client.get("/en/cases/").status_code == 200


def test_confirmation_mail_is_in_the_accounts_language(client, outbox):
    register(client, email="sara@example.org", language="ar")
    (message,) = outbox()
    assert message["Content-Language"] == "ar"
    assert re.search(r"[\u0600-\u06FF]", message.get_content())
    assert "/ar/account/confirm/" in link_in(message)


def test_registering_a_taken_address_looks_the_same_and_tells_its_owner(client, outbox, confirmed):
    again = register(client, email="ANA@example.org", password="another good passphrase")
    assert again.status_code == 302 and again.headers["Location"].endswith("/en/account/check-email")
    notice = outbox()[-1]
    assert notice["Subject"] == "Someone tried to register with your e-mail address"
    assert "/account/confirm/" not in notice.get_content()


@pytest.mark.parametrize("password, message", [
    ("short", "at least 8 characters"), ("password1", "too common"),
    ("ana-example-2026", "e-mail address"),
])
def test_weak_passwords_are_refused_with_a_reason_and_the_form_kept(client, password, message):
    response = register(client, email="ana-example@example.org", password=password)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert 'value="ana-example@example.org"' in body


def test_a_long_passphrase_is_fine(client, outbox):
    assert register(client, password="a" * 40 + " long passphrase " + "b" * 40).status_code == 302


def test_unknown_email_and_wrong_password_answer_alike(client, confirmed):
    unknown = sign_in(client, email="nobody@example.org")
    wrong = sign_in(client, password="not the password at all")
    assert unknown.status_code == wrong.status_code == 400

    def visible(response):
        return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))

    assert visible(unknown).replace("nobody@example.org", "X") == visible(wrong).replace("ana@example.org", "X")


def test_sixth_bad_attempt_is_refused_while_another_account_signs_in(client, app, outbox, confirmed):
    other = app.test_client()
    register(other, email="ben@example.org")
    confirm_from_mail(other, outbox()[-1])
    for _ in range(5):
        assert sign_in(client, password="wrong password here").status_code == 400
    assert sign_in(client).status_code == 429  # even the right password, for a minute
    assert sign_in(other, email="ben@example.org").status_code == 302
    with time_machine.travel(timedelta(minutes=2)):
        assert sign_in(client).status_code == 302


def test_many_failures_from_one_source_are_throttled_across_accounts(client, confirmed):
    for n in range(50):
        sign_in(client, email=f"guess{n}@example.org", password="whatever guess")
    assert sign_in(client).status_code == 429


def test_sign_in_gives_a_new_session_and_sign_out_ends_it_on_the_server(client, app, confirmed, session):
    sign_in(client)
    cookie = client.get_cookie("session").value
    assert client.get("/en/cases/").status_code == 200
    response = client.post("/en/account/logout", data={"csrf_token": csrf(client, "/en/cases/")})
    assert response.status_code == 302
    assert "cookies" in response.headers["Clear-Site-Data"]
    replay = app.test_client()
    replay.set_cookie("session", cookie)  # the old cookie, replayed
    assert replay.get("/en/cases/").status_code == 302
    assert all(row.ended_at for row in session.exec(select(AuthSession)))


def test_logout_needs_a_csrf_token(client, confirmed):
    sign_in(client)
    assert client.post("/en/account/logout").status_code == 400
    assert client.get("/en/cases/").status_code == 200


def test_sign_in_without_csrf_token_is_refused(client, confirmed):
    response = client.post("/en/account/login", data={"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/en/cases/").status_code == 302


def test_idle_session_expires_after_30_minutes(client, confirmed):
    sign_in(client)
    with time_machine.travel(timedelta(minutes=31)):
        assert client.get("/en/cases/").status_code == 302


def test_session_lasts_while_used_until_the_absolute_limit(client, confirmed):
    sign_in(client)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(timedelta(minutes=minutes)):
            assert client.get("/en/cases/").status_code == 200
    with time_machine.travel(timedelta(hours=12, minutes=5)):
        assert client.get("/en/cases/").status_code == 302


def test_password_reset_ends_every_other_session(client, app, outbox, confirmed):
    sign_in(client)
    other_device = app.test_client()
    other = other_device.post("/en/account/reset", data={
        "csrf_token": csrf(other_device, "/en/account/reset"), "email": "ana@example.org"})
    assert other.headers["Location"].endswith("/en/account/check-email")
    path = link_in(outbox()[-1]).replace("http://127.0.0.1:5000", "")
    new = "a brand new passphrase"
    done = other_device.post(path, data={"csrf_token": csrf(other_device, path), "password": new,
                                         "confirm": new})
    assert done.headers["Location"].endswith("/en/account/login")
    assert client.get("/en/cases/").status_code == 302  # the first device is signed out
    assert sign_in(other_device, password=new).status_code == 302
    assert other_device.get(path).status_code == 404  # the link worked once


def test_reset_for_an_unknown_address_looks_the_same(client, outbox):
    response = client.post("/en/account/reset", data={
        "csrf_token": csrf(client, "/en/account/reset"), "email": "ghost@example.org"})
    assert response.headers["Location"].endswith("/en/account/check-email")
    assert outbox() == []


def test_open_redirects_are_refused(client, confirmed):
    response = client.post("/en/account/login?next=//evil.example/x", data={
        "csrf_token": csrf(client, "/en/account/login"), "email": "ana@example.org", "password": PASSWORD})
    assert response.headers["Location"].endswith("/en/cases/")


def test_extra_form_fields_are_never_assigned(client, outbox, session):
    client.post("/en/account/register", data={
        "csrf_token": csrf(client, "/en/account/register"), "email": "eve@example.org",
        "password": PASSWORD, "confirm": PASSWORD, "language": "en", "role": "admin"})
    assert session.exec(select(User).where(User.email_key == "eve@example.org")).one().role == "applicant"


def test_password_is_hashed_with_argon2id(client, outbox, session):
    register(client)
    stored = session.exec(select(User)).one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_password_hashed_with_old_parameters_is_rehashed_at_sign_in(app, session):
    from datetime import UTC, datetime

    from argon2 import PasswordHasher

    from portal.core.accounts import create_confirmed_user

    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)
    create_confirmed_user(session, "old@example.org", PASSWORD, "applicant", old, datetime.now(UTC))
    assert sign_in(app.test_client(), email="old@example.org").status_code == 302
    session.rollback()
    stored = session.exec(select(User)).one().password_hash
    assert app.extensions["portal.hasher"].check_needs_rehash(stored) is False
    assert "m=16," not in stored


def test_session_cookie_is_host_prefixed_secure_httponly_and_lax(settings, confirmed):
    from portal import create_app

    secure = create_app(settings.with_overrides(secure_cookies=True)).test_client()
    page = secure.get("/en/account/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = secure.post("/en/account/login", base_url="https://localhost", data={
        "csrf_token": token, "email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302  # an HTTPS form post works without a Referer
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain=" not in cookie


def test_htmx_requests_carry_the_csrf_token_in_a_header(client, confirmed):
    sign_in(client)
    page = client.get("/en/cases/").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    response = client.post("/en/account/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302
    assert client.get("/en/cases/").status_code == 302  # signed out


def test_an_overlong_password_is_refused_before_hashing(client):
    response = register(client, password="x" * 257)
    assert response.status_code == 400 and "at most 256" in response.get_data(as_text=True)


def test_staff_sessions_idle_out_after_15_minutes(make_account):
    officer = make_account("po@example.org", role="privacy_officer")
    with time_machine.travel(timedelta(minutes=14)):
        assert officer.get("/en/staff/").status_code == 200
    with time_machine.travel(timedelta(minutes=30)):
        assert officer.get("/en/staff/").status_code == 302


def test_recovery_codes_are_stored_hashed(make_account, session):
    from datetime import UTC, datetime

    import pyotp

    from portal.core.accounts import enable_totp, new_totp_secret
    from portal.core.models import RecoveryCode

    make_account("ana@example.org")
    user = session.exec(select(User)).one()
    secret = new_totp_secret()
    codes = enable_totp(session, user, secret, pyotp.TOTP(secret).now(), datetime.now(UTC))
    stored = [row.code_hash for row in session.exec(select(RecoveryCode))]
    assert len(stored) == 10 and not set(codes) & set(stored)
