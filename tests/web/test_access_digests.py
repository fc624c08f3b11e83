"""Access-log digests: off, daily or weekly as chosen; in the person's language; naming nothing;
a withheld entry is news only on the day it is released. Delivered through a real SMTP server."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal import create_app
from portal.core.accounts import create_confirmed_user, link_case
from portal.core.ingest import create_api_client
from portal.core.models import User
from tests.factories import access_event, case_history
from tests.helpers import PASSWORD, csrf

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def smtp_app(settings, smtp_sink):
    sink, url = smtp_sink
    return create_app(settings.with_overrides(smtp_url=url)), sink


@pytest.fixture
def person(app, session, post_events):
    """Luz, Spanish-speaking, linked as the applicant of case_history's case, created at T0."""
    post_events(case_history())
    with time_machine.travel(T0, tick=False):
        user = create_confirmed_user(session, "luz@example.org", PASSWORD, "applicant",
                                     app.extensions["portal.hasher"], T0)
        user.preferred_language = "es"
        session.add(user)
        session.commit()
        link_case(session, user, "MSC2190000001", "LINK-CODE-1", "test", T0)
    return user


@pytest.fixture
def ice(client, session):
    token = create_api_client(session, "ICE", "ICE feed")[1]

    def send(moment, **changes):
        with time_machine.travel(moment, tick=False):
            response = client.post("/api/v1/access-events", json={"events": [
                access_event(occurred_at=(moment - timedelta(hours=1)).isoformat(), **changes)]},
                headers={"Authorization": f"Bearer {token}"})
        assert response.json["accepted"], response.json
        session.commit()
    return send


def run_digests(smtp_app, moment):
    from portal.web.digests import deliver_access_digests

    app, _sink = smtp_app
    with time_machine.travel(moment, tick=False), app.test_request_context("/"):
        return deliver_access_digests()


def test_a_weekly_digest_in_the_persons_language_names_nothing(smtp_app, person, ice):
    _app, sink = smtp_app
    ice(T0 + timedelta(days=2))
    assert run_digests(smtp_app, T0 + timedelta(days=6)) == 0  # the week is not over
    assert run_digests(smtp_app, T0 + timedelta(days=7, minutes=1)) == 1
    ((recipients, message),) = sink.messages
    assert recipients == ["luz@example.org"] and message["Content-Language"] == "es"
    body = message.get_content()
    assert "/es/log/" in body and re.search(r"[áéíóúñ]", body)
    for secret in ("ICE", "Inmigración", "EID", "MSC2190000001", "012345678", "law"):
        assert secret not in body and secret not in message["Subject"]
    # Nothing new since: no second mail, even weeks later.
    assert run_digests(smtp_app, T0 + timedelta(days=21)) == 0


def test_daily_and_off(smtp_app, person, ice, session):
    _app, sink = smtp_app
    person.access_digest = "daily"
    session.add(person)
    session.commit()
    ice(T0 + timedelta(hours=5))
    assert run_digests(smtp_app, T0 + timedelta(days=1, minutes=1)) == 1
    person = session.exec(select(User).where(User.email_key == "luz@example.org")).one()
    session.refresh(person)
    person.access_digest = "off"
    session.add(person)
    session.commit()
    ice(T0 + timedelta(days=2))
    assert run_digests(smtp_app, T0 + timedelta(days=30)) == 0
    assert len(sink.messages) == 1


def test_a_withheld_entry_sends_nothing_until_its_release_day(smtp_app, person, ice, session):
    _app, sink = smtp_app
    person.access_digest = "daily"
    session.add(person)
    session.commit()
    ice(T0 + timedelta(hours=2), withheld={"exemption": "(j)(2)", "until": "2026-03-10"})
    for day in range(1, 8):  # 3 to 9 March: withheld, no mail
        assert run_digests(smtp_app, T0 + timedelta(days=day, minutes=1)) == 0, day
    assert run_digests(smtp_app, datetime(2026, 3, 10, 10, tzinfo=UTC)) == 1
    assert run_digests(smtp_app, datetime(2026, 3, 11, 10, tzinfo=UTC)) == 0
    assert len(sink.messages) == 1


def test_someone_elses_entries_send_nothing(smtp_app, person, ice):
    ice(T0 + timedelta(days=1), subject={"a_number": "A099999999"})
    assert run_digests(smtp_app, T0 + timedelta(days=8)) == 0


def test_the_choice_is_saved_from_the_settings_page(make_account, session):
    client = make_account("ana@example.org")
    page = "/en/account/settings/"
    assert re.search(r'<input checked[^>]*value="weekly"', client.get(page).get_data(as_text=True))
    response = client.post("/en/account/settings/digest", data={"csrf_token": csrf(client, page), "digest": "daily"})
    assert response.status_code == 302
    assert session.exec(select(User.access_digest).where(User.email_key == "ana@example.org")).one() == "daily"
    bad = client.post("/en/account/settings/digest", data={"csrf_token": csrf(client, page), "digest": "hourly"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    no_token = client.post("/en/account/settings/digest", data={"digest": "off"})
    assert no_token.status_code == 400
    assert session.exec(select(User.access_digest).where(User.email_key == "ana@example.org")).one() == "daily"
