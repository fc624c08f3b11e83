"""Account settings: language, password, e-mail address, deletion (re-authentication first)."""

import re

from sqlmodel import select

from portal import i18n
from portal.core.models import Case, CaseLink, User
from tests.helpers import PASSWORD, csrf, link, link_in, sign_in

SETTINGS = "/en/account/settings/"


def post(client, action, **data):
    return client.post(f"{SETTINGS}{action}", data={"csrf_token": csrf(client, SETTINGS), **data})


def test_settings_need_sign_in(client):
    assert client.get(SETTINGS).status_code == 302


def test_change_password_needs_the_current_one_and_ends_other_sessions(make_account, app, outbox):
    client = make_account("ana@example.org")
    other = app.test_client()
    sign_in(other, email="ana@example.org")
    wrong = post(client, "password", current="not my password", password="new good passphrase",
                 confirm="new good passphrase")
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    done = post(client, "password", current=PASSWORD, password="new good passphrase",
                confirm="new good passphrase")
    assert done.status_code == 302
    assert client.get(SETTINGS).status_code == 200  # this session goes on
    assert other.get(SETTINGS).status_code == 302  # the other one ended
    assert outbox()[-1]["Subject"] == "Your password was changed"


def test_change_email_is_confirmed_from_the_new_address_and_told_to_the_old(make_account, outbox, session):
    client = make_account("ana@example.org")
    before = len(outbox())
    response = post(client, "email", email="ana.new@example.org", current=PASSWORD)
    assert response.status_code == 302
    new_mail, old_notice = outbox()[before:]
    assert new_mail["To"] == "ana.new@example.org" and old_notice["To"] == "ana@example.org"
    assert session.exec(select(User)).one().email == "ana@example.org"  # not yet
    path = link_in(new_mail).replace("http://127.0.0.1:5000", "")
    client.post(path, data={"csrf_token": csrf(client, path)})
    session.rollback()  # a fresh read, not the earlier snapshot
    assert session.exec(select(User)).one().email == "ana.new@example.org"
    assert outbox()[-1]["To"] == "ana@example.org"  # "your address was changed"


def test_change_to_an_address_with_an_account_reveals_nothing(make_account, outbox):
    make_account("taken@example.org")
    client = make_account("ana@example.org")
    before = len(outbox())
    response = post(client, "email", email="taken@example.org", current=PASSWORD)
    assert response.status_code == 302
    assert [m["To"] for m in outbox()[before:]] == ["ana@example.org"]  # only the notice


def test_language_preference_is_saved(make_account, session):
    client = make_account("ana@example.org")
    response = post(client, "language", language="ar")
    assert response.headers["Location"].endswith("/ar/account/settings/")
    assert session.exec(select(User)).one().preferred_language == "ar"


def test_the_saved_language_leads_the_bare_address_and_the_mails(make_account, session, outbox):
    """Saved Traditional Chinese beats the browser's Spanish; the URL's choice beats both."""
    client = make_account("ana@example.org")
    assert post(client, "language", language="zh_Hant").status_code == 302
    entry = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert entry.headers["Location"].endswith("/zh_Hant/")
    assert 'lang="es"' in client.get("/es/").get_data(as_text=True)
    before = len(outbox())
    assert post(client, "password", current=PASSWORD, password="new good passphrase",
                confirm="new good passphrase").status_code == 302
    assert outbox()[before]["Subject"] == i18n.translations_for("zh_Hant").ugettext("Your password was changed")
    assert outbox()[before]["Subject"] != "Your password was changed"


def test_delete_account_keeps_the_agencies_records(make_account, i130, session, outbox):
    client = make_account("ben@example.org")
    link(client, i130, "BENEFICIARY-1")
    refused = post(client, "delete", current=PASSWORD)  # the box is not ticked
    assert refused.status_code == 400
    response = post(client, "delete", current=PASSWORD, understood="y")
    assert response.headers["Location"].endswith("/en/account/deleted")
    session.rollback()  # a fresh read, not the earlier snapshot
    assert session.exec(select(User)).all() == []
    assert session.exec(select(CaseLink)).all() == []
    assert session.exec(select(Case)).one().receipt_number == i130  # the case stays
    assert client.get("/en/cases/").status_code == 302
    assert outbox()[-1]["Subject"] == "Your account was deleted"
    assert re.search(r"records about you stay", client.get("/en/account/deleted").get_data(as_text=True))
