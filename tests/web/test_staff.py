"""Staff pages: API clients, rejected events, lost-authenticator resets; each change recorded."""

from sqlmodel import select

from portal.core.models import StaffAction, User
from tests.factories import case_event
from tests.helpers import PASSWORD, csrf, sign_in


def test_staff_pages_are_hidden_from_applicants(make_account):
    applicant = make_account("a@example.org")
    for path in ("/en/staff/", "/en/staff/rejected", "/en/staff/api-clients", "/en/staff/two-step-reset"):
        assert applicant.get(path).status_code == 404


def test_admins_create_and_revoke_api_clients(make_account, client, session):
    admin = make_account("admin@example.org", role="admin")
    officer = make_account("po@example.org", role="privacy_officer")
    assert officer.get("/en/staff/api-clients").status_code == 404
    page = admin.post("/en/staff/api-clients", data={"csrf_token": csrf(admin, "/en/staff/api-clients"),
                                                      "agency": "USCIS", "name": "CLAIMS 3"})
    token = page.get_data(as_text=True).split('class="portal-id">')[1].split("<")[0]
    post = client.post("/api/v1/case-events", json={"events": [case_event()]},
                       headers={"Authorization": f"Bearer {token}"})
    assert post.status_code == 200 and post.json["accepted"]
    client_id = session.exec(select(StaffAction)).one().target
    admin.post(f"/en/staff/api-clients/{client_id}/revoke",
               data={"csrf_token": csrf(admin, "/en/staff/api-clients")})
    assert client.post("/api/v1/case-events", json={"events": []},
                       headers={"Authorization": f"Bearer {token}"}).status_code == 401
    session.rollback()
    assert [a.action for a in session.exec(select(StaffAction))] == ["api_client_created", "api_client_revoked"]


def test_rejected_events_are_inspected_and_marked_resolved(make_account, post_events, session):
    post_events([case_event(event_id="bad-office", office="NOWHERE")])
    officer = make_account("po@example.org", role="privacy_officer")
    listing = officer.get("/en/staff/rejected").get_data(as_text=True)
    assert "bad-office" in listing
    path = next(p for p in listing.split('"') if p.startswith("/en/staff/rejected/"))
    detail = officer.get(path).get_data(as_text=True)
    assert "NOWHERE" in detail and "office" in detail
    done = officer.post(path, data={"csrf_token": csrf(officer, path), "note": "agency told; test data"})
    assert done.status_code == 302
    assert "bad-office" not in officer.get("/en/staff/rejected").get_data(as_text=True)
    session.rollback()
    assert session.exec(select(StaffAction)).one().note == "agency told; test data"


def test_a_lost_authenticator_is_reset_after_a_recorded_identity_check(make_account, app, session):
    make_account("po@example.org", role="privacy_officer")
    admin = make_account("admin@example.org", role="admin")
    token = csrf(admin, "/en/staff/two-step-reset")
    too_short = admin.post("/en/staff/two-step-reset", data={"csrf_token": token, "email": "po@example.org",
                                                             "identity_check": "ok"})
    assert too_short.status_code == 400
    done = admin.post("/en/staff/two-step-reset", data={
        "csrf_token": token, "email": "po@example.org",
        "identity_check": "Video call, badge and HR record matched"})
    assert done.status_code == 302
    session.rollback()
    assert session.exec(select(User).where(User.email_key == "po@example.org")).one().totp_secret is None
    action = session.exec(select(StaffAction)).one()
    assert action.action == "two_step_reset" and "HR record" in action.note
    officer = app.test_client()
    sign_in(officer, email="po@example.org", password=PASSWORD)
    assert officer.get("/en/staff/").headers["Location"].endswith("/account/settings/two-step")


def test_admins_create_staff_accounts_that_choose_their_own_password(make_account, app, outbox, session):
    from tests.helpers import link_in

    admin = make_account("admin@example.org", role="admin")
    response = admin.post("/en/staff/users", data={"csrf_token": csrf(admin, "/en/staff/users"),
                                                   "email": "new.officer@example.org", "role": "privacy_officer"})
    assert response.status_code == 302
    invite = outbox()[-1]
    assert invite["To"] == "new.officer@example.org" and invite["Subject"] == "Your staff account"
    path = link_in(invite).replace("http://127.0.0.1:5000", "")
    newcomer = app.test_client()
    newcomer.post(path, data={"csrf_token": csrf(newcomer, path), "password": "officer chosen passphrase",
                              "confirm": "officer chosen passphrase"})
    assert sign_in(newcomer, email="new.officer@example.org",
                   password="officer chosen passphrase").status_code == 302
    assert newcomer.get("/en/staff/").headers["Location"].endswith("/account/settings/two-step")
    session.rollback()
    assert "staff_created" in [a.action for a in session.exec(select(StaffAction))]
    assert "new.officer@example.org" in admin.get("/en/staff/users").get_data(as_text=True)
