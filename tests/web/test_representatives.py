"""Representatives: G-28s from the API, appointments by the applicant, the clients dashboard,
revocation and withdrawal biting on the very next request, and who-can-see-my-data."""

from datetime import UTC, datetime

import pyotp
from sqlmodel import select

from portal.core.accounts import create_confirmed_user
from portal.core.models import User
from tests.factories import case_event
from tests.helpers import PASSWORD, csrf, link, second_step, sign_in


def g28(receipt, email, action="filed", party_role="beneficiary", organization=None, **extra):
    representative = {"email": email, "bar_number": "12345", "bar_state": "CA"}
    if organization:
        representative["organization"] = organization
    return {"event_id": f"g28-{receipt}-{email}-{action}-{party_role}", "receipt_number": receipt,
            "party_role": party_role, "representative": representative, "action": action,
            "effective_on": "2025-02-01", **extra}


def clients_page(client):
    return client.get("/en/representatives/clients/").get_data(as_text=True)


def test_a_g28_from_the_api_shows_the_case_and_a_withdrawal_ends_it_at_once(
        make_representative, post_events, i130):
    rep = make_representative("rita@lawfirm.example")
    assert i130 not in clients_page(rep)
    response = post_events([g28(i130, "Rita@LawFirm.example")], endpoint="representations")
    assert response.json["accepted"] and not response.json["rejected"]
    page = clients_page(rep)
    assert i130 in page and "Action required" in page
    path = [p for p in page.split('"') if p.startswith("/en/representatives/clients/") and len(p) > 40][0]
    assert rep.get(path).status_code == 200
    post_events([g28(i130, "rita@lawfirm.example", action="withdrawn")], endpoint="representations")
    assert rep.get(path).status_code == 404  # the very next request
    assert i130 not in clients_page(rep)


def test_an_unverified_representative_sees_nothing(make_representative, post_events, i130):
    rep = make_representative("new@lawfirm.example", verified=False)
    post_events([g28(i130, "new@lawfirm.example")], endpoint="representations")
    page = clients_page(rep)
    assert i130 not in page and "not verified your details" in page


def test_a_representation_of_the_organization_reaches_its_verified_members(
        make_representative, post_events, i130):
    member = make_representative("paul@legalaid.example", organization="Legal Aid Society")
    post_events([g28(i130, "intake@legalaid.example", organization="legal aid  society")],
                endpoint="representations")
    assert i130 in clients_page(member)


def test_the_petitioners_representative_sees_the_status_but_not_a_protected_case(
        make_representative, post_events, i130):
    rep = make_representative("pet-rep@example.org")
    post_events([g28(i130, "pet-rep@example.org", party_role="petitioner")], endpoint="representations")
    assert i130 in clients_page(rep)
    post_events([case_event(receipt_number=i130, form_type="I-130", office="CSC", status="actively_reviewed",
                            occurred_at="2025-06-01T00:00:00Z", protected=True)])
    assert i130 not in clients_page(rep)


def test_representations_api_rules(post_events, session, i130):
    from portal.core.ingest import create_api_client

    unknown = post_events([g28("WAC2199999999", "a@example.org")], endpoint="representations")
    assert unknown.json["rejected"][0]["errors"][0]["field"] == "receipt_number"
    nothing = post_events([g28(i130, "a@example.org", action="withdrawn")], endpoint="representations")
    assert nothing.json["rejected"][0]["errors"][0]["field"] == "action"
    _, ice = create_api_client(session, "ICE", "ICE")
    assert post_events([g28(i130, "a@example.org")], endpoint="representations", token=ice).status_code == 403
    _, eoir = create_api_client(session, "EOIR", "EOIR")
    assert post_events([g28(i130, "a@example.org", agency="EOIR")], endpoint="representations",
                       token=eoir).json["accepted"]


def test_the_applicant_is_told_lists_and_revokes(make_account, make_representative, post_events,
                                                 outbox, i130):
    applicant = make_account("ben@example.org")
    link(applicant, i130, "BENEFICIARY-1")
    rep = make_representative("rita@lawfirm.example")
    before = len(outbox())
    post_events([g28(i130, "rita@lawfirm.example")], endpoint="representations")
    told = [m for m in outbox()[before:] if m["To"] == "ben@example.org"]
    assert told and told[0]["Subject"] == "Someone new can see your case"
    page = applicant.get("/en/access/").get_data(as_text=True)
    assert "rita@lawfirm.example" in page and "Filed with the agency" in page
    path = [p for p in clients_page(rep).split('"') if p.startswith("/en/representatives/clients/") and len(p) > 40][0]
    revoke_path = [p for p in page.split('"') if p.endswith("/revoke")][0]
    applicant.post(revoke_path, data={"csrf_token": csrf(applicant, "/en/access/")})
    assert rep.get(path).status_code == 404
    assert "rita@lawfirm.example" not in applicant.get("/en/access/").get_data(as_text=True)


def test_the_applicant_appoints_a_verified_representative_with_consent(make_account, make_representative,
                                                                       i130, session):
    applicant = make_account("ben@example.org")
    link(applicant, i130, "BENEFICIARY-1")
    rep = make_representative("rita@lawfirm.example")
    page = applicant.get("/en/access/").get_data(as_text=True)
    link_id = page.split('<option value="')[1].split('"')[0]
    token = csrf(applicant, "/en/access/")
    no_consent = applicant.post("/en/access/appoint", data={"csrf_token": token, "case": link_id,
                                                            "email": "rita@lawfirm.example", "current": PASSWORD})
    assert no_consent.status_code == 400
    unknown = applicant.post("/en/access/appoint", data={"csrf_token": token, "case": link_id, "consent": "y",
                                                         "email": "nobody@lawfirm.example", "current": PASSWORD})
    assert "No verified representative" in unknown.get_data(as_text=True)
    done = applicant.post("/en/access/appoint", data={"csrf_token": token, "case": link_id, "consent": "y",
                                                      "email": "rita@lawfirm.example", "current": PASSWORD})
    assert done.status_code == 302
    assert i130 in clients_page(rep)


def test_representatives_must_set_up_two_step_sign_in_first(make_representative):
    rep = make_representative("rita@lawfirm.example", two_step=False)
    response = rep.get("/en/representatives/clients/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/settings/two-step")


def test_only_admins_verify_representatives(make_account, make_representative, app, session):
    make_representative("wait@lawfirm.example", verified=False)
    applicant = make_account("ben@example.org")
    assert applicant.get("/en/staff/representatives").status_code == 404
    admin_user = create_confirmed_user(session, "root@example.org", PASSWORD, "admin",
                                       app.extensions["portal.hasher"], datetime.now(UTC))
    secret = pyotp.random_base32()
    admin_user.totp_secret = secret
    session.add(admin_user)
    session.commit()
    admin = app.test_client()
    sign_in(admin, email="root@example.org")
    second_step(admin, pyotp.TOTP(secret).now())
    page = admin.get("/en/staff/representatives").get_data(as_text=True)
    assert "wait@lawfirm.example" in page
    user_id = session.exec(select(User).where(User.email_key == "wait@lawfirm.example")).one().public_id
    token = csrf(admin, "/en/staff/representatives")
    admin.post(f"/en/staff/representatives/{user_id}/verify", data={"csrf_token": token})
    assert "wait@lawfirm.example" not in admin.get("/en/staff/representatives").get_data(as_text=True)


def test_the_dashboard_pages_searches_and_filters(make_representative, post_events):
    rep = make_representative("busy@lawfirm.example")
    cases = [case_event(receipt_number=f"MSC21900{n:05d}", status="rfe_sent" if n % 3 == 0 else "actively_reviewed",
                        parties=[{"role": "applicant", "access_code": f"CODE-{n:05d}"}]) for n in range(30)]
    post_events(cases)
    post_events([g28(c["receipt_number"], "busy@lawfirm.example", party_role="applicant") for c in cases],
                endpoint="representations")
    first = clients_page(rep)
    assert len(re_receipts(first)) == 25
    next_link = first.split('href="/en/representatives/clients/?after=')[1].split('"')[0]
    second = rep.get(f"/en/representatives/clients/?after={next_link}").get_data(as_text=True)
    assert "Next page" not in second
    listed = set(re_receipts(first)) | set(re_receipts(second))
    assert len(listed) == 30
    only_action = rep.get("/en/representatives/clients/?action=1").get_data(as_text=True)
    assert len(re_receipts(only_action)) == 10
    by_status = rep.get("/en/representatives/clients/?status=actively_reviewed").get_data(as_text=True)
    assert len(re_receipts(by_status)) == 20
    search = rep.get("/en/representatives/clients/?q=msc%20219-000-0007").get_data(as_text=True)
    assert re_receipts(search) == ["MSC2190000007"]


def re_receipts(page):
    import re

    return re.findall(r"MSC\d{10}", page)
