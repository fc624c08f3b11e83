"""Optional two-step sign-in (TOTP) with recovery codes; each code works once (ASVS 6.5.1)."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine

from tests.helpers import PASSWORD, csrf, second_step, sign_in

SETTINGS = "/en/account/settings/"


def enable(client):
    page = client.get(SETTINGS + "two-step").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<bdi dir="ltr" class="portal-id">([A-Z2-7]{32})</bdi>', page).group(1)
    token = csrf(client, SETTINGS + "two-step")
    done = client.post(SETTINGS + "two-step", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r'class="portal-id">([0-9a-f]{6}-[0-9a-f]{6})</bdi>', done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_sign_in_asks_for_a_code_and_refuses_reuse(make_account, app):
    owner = make_account("ana@example.org")
    secret, _codes = enable(owner)
    client = app.test_client()
    first = sign_in(client, email="ana@example.org")
    assert first.headers["Location"].endswith("/en/account/login/code")
    assert client.get("/en/cases/").status_code == 302  # not signed in after the password alone
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=60)):
        code = pyotp.TOTP(secret).now()
        assert second_step(client, "000000" if code != "000000" else "111111").status_code == 400
        assert second_step(client, code).status_code == 302
        assert client.get("/en/cases/").status_code == 200
        again = app.test_client()
        sign_in(again, email="ana@example.org")
        assert second_step(again, code).status_code == 400  # the same code, a second time


def test_a_recovery_code_works_once(make_account, app):
    owner = make_account("ana@example.org")
    _secret, codes = enable(owner)
    client = app.test_client()
    sign_in(client, email="ana@example.org")
    assert second_step(client, codes[0]).status_code == 302
    other = app.test_client()
    sign_in(other, email="ana@example.org")
    assert second_step(other, codes[0]).status_code == 400
    assert "9 recovery codes left" in owner.get(SETTINGS).get_data(as_text=True)


def test_turning_it_off_needs_the_password(make_account, app):
    owner = make_account("ana@example.org")
    enable(owner)
    token = csrf(owner, SETTINGS)
    assert owner.post(SETTINGS + "two-step/off", data={"csrf_token": token, "current": "wrong one"}).status_code == 400
    assert owner.post(SETTINGS + "two-step/off", data={"csrf_token": token, "current": PASSWORD}).status_code == 302
    client = app.test_client()
    assert sign_in(client, email="ana@example.org").headers["Location"].endswith("/en/cases/")


def test_the_second_step_expires(make_account, app):
    owner = make_account("ana@example.org")
    secret, _ = enable(owner)
    client = app.test_client()
    sign_in(client, email="ana@example.org")
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6)):
        assert client.get("/en/account/login/code").status_code == 302
