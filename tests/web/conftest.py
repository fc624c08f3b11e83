"""Accounts for the web tests: applicants, representatives, staff, each signed in."""

from datetime import UTC, datetime

import pyotp
import pytest

from portal.core import representatives
from portal.core.accounts import create_confirmed_user
from tests.factories import case_event
from tests.helpers import PASSWORD, second_step, sign_in


def _signed_in(app, session, user, two_step: bool):
    """A test client signed in as `user`; with two_step, via a fresh authenticator key."""
    secret = None
    if two_step:
        secret = user.totp_secret = pyotp.random_base32()
        session.add(user)
        session.commit()
    client = app.test_client()
    assert sign_in(client, email=user.email).status_code == 302
    if secret:
        assert second_step(client, pyotp.TOTP(secret).now()).status_code == 302
    return client


@pytest.fixture
def make_account(app, session):
    """make_account(email, role="applicant") -> a signed-in test client (staff get two-step)."""

    def make(email, role="applicant"):
        user = create_confirmed_user(session, email, PASSWORD, role, app.extensions["portal.hasher"],
                                     datetime.now(UTC))
        return _signed_in(app, session, user, two_step=role != "applicant")

    return make


@pytest.fixture
def make_representative(app, session):
    def make(email, organization=None, verified=True, two_step=True):
        user = create_confirmed_user(session, email, PASSWORD, "applicant", app.extensions["portal.hasher"],
                                     datetime.now(UTC))
        representatives.save_profile(session, user, "Rita Rep", "12345", "CA", None, organization)
        if verified:
            admin = create_confirmed_user(session, f"admin-{email}", PASSWORD, "admin",
                                          app.extensions["portal.hasher"], datetime.now(UTC))
            representatives.verify_profile(session, user.public_id, admin, datetime.now(UTC))
        return _signed_in(app, session, user, two_step)

    return make


@pytest.fixture
def i130(post_events):
    """A petition: the petitioner and the beneficiary each have their own access code."""
    post_events([case_event(receipt_number="WAC2190000130", form_type="I-130", office="CSC",
                            status="rfe_sent", parties=[
                                {"role": "petitioner", "access_code": "PETITIONER-1"},
                                {"role": "beneficiary", "access_code": "BENEFICIARY-1"}])])
    return "WAC2190000130"
