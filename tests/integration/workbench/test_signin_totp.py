"""TOTP for staff against the real database: enrolment, the second sign-in step, single use,
wrong codes counted toward the lockout, and enrolment forced by CIVICFLOW_STAFF_REQUIRE_TOTP.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from django.contrib.auth.models import User
from django.test import Client

from civicflow.workbench.models import SignInThrottle, StaffTOTP
from support.workbench import PASSWORD, signed_in

SIGN_IN = "/workbench/sign-in"
CODE = "/workbench/sign-in/code"
ENROL = "/workbench/account/two-factor"


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    right = {totp.generate_otp(step) for step in (now - 1, now, now + 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


@pytest.fixture
def enrolled(caseworker: User) -> pyotp.TOTP:
    client = signed_in(caseworker)
    page = client.get(ENROL).content.decode()
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
    response = client.post(ENROL, {"code": totp.now()})
    assert response.status_code == 302
    return totp


def password_step(address: str = "192.0.2.1") -> Client:
    client = Client()
    response = client.post(SIGN_IN, {"username": "ingrid", "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    return client


def test_the_enrolment_page_shows_the_secret_and_an_otpauth_uri(caseworker: User) -> None:
    page = signed_in(caseworker).get(ENROL).content.decode()
    record = StaffTOTP.objects.get(user=caseworker)
    assert record.confirmed is None
    assert " ".join(re.findall("....", record.secret)) in page
    assert f"otpauth://totp/CivicFlow:ingrid?secret={record.secret}&amp;issuer=CivicFlow" in page
    assert "<img" not in page  # no QR code from an outside service


def test_a_wrong_enrolment_code_leaves_two_factor_off(caseworker: User) -> None:
    client = signed_in(caseworker)
    client.get(ENROL)
    record = StaffTOTP.objects.get(user=caseworker)
    response = client.post(ENROL, {"code": wrong_code(record.secret)})
    assert response.status_code == 400
    assert "Enter a correct code" in response.content.decode()
    record.refresh_from_db()
    assert record.confirmed is None
    # the password alone still signs in: two-factor is not on yet
    assert Client().post(SIGN_IN, {"username": "ingrid", "password": PASSWORD})["Location"] == "/workbench/"


def test_enrolment_confirms_and_then_sign_in_asks_for_the_code(enrolled: pyotp.TOTP) -> None:
    assert StaffTOTP.objects.get(user__username="ingrid").confirmed is not None
    client = password_step()
    assert client.get("/workbench/")["Location"].startswith(SIGN_IN)  # not signed in between the steps
    assert "Enter your sign-in code" in client.get(CODE).content.decode()
    next_code = enrolled.at(time.time() + 30)  # the current step's code was used to enrol
    response = client.post(CODE, {"code": next_code})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert client.session["_auth_user_id"] == str(User.objects.get(username="ingrid").pk)
    assert client.get("/workbench/").status_code == 200


def test_a_code_works_once(enrolled: pyotp.TOTP) -> None:
    code = enrolled.at(time.time() + 30)
    assert password_step().post(CODE, {"code": code}).status_code == 302
    replay = password_step("192.0.2.2").post(CODE, {"code": code})
    assert replay.status_code == 400
    assert "_auth_user_id" not in replay.wsgi_request.session


def test_the_enrolment_code_cannot_be_replayed_at_sign_in(caseworker: User) -> None:
    client = signed_in(caseworker)
    client.get(ENROL)
    totp = pyotp.TOTP(StaffTOTP.objects.get(user=caseworker).secret)
    code = totp.now()
    assert client.post(ENROL, {"code": code}).status_code == 302
    assert password_step().post(CODE, {"code": code}).status_code == 400


def test_wrong_codes_count_toward_the_lockout(enrolled: pyotp.TOTP) -> None:
    client = password_step()
    bad = wrong_code(enrolled.secret)
    for n in range(4):
        assert client.post(CODE, {"code": bad}, REMOTE_ADDR="192.0.2.1").status_code == 400
        assert SignInThrottle.objects.get(key="account:ingrid").failures == n + 1
    client.post(CODE, {"code": bad}, REMOTE_ADDR="192.0.2.1")  # the fifth locks
    locked = client.post(CODE, {"code": enrolled.at(time.time() + 30)}, REMOTE_ADDR="192.0.2.1", follow=True)
    assert "_auth_user_id" not in client.session
    assert "Sign-in is not possible right now" in locked.content.decode()
    # the password step from elsewhere is refused too, with the generic message
    again = Client().post(SIGN_IN, {"username": "ingrid", "password": PASSWORD}, REMOTE_ADDR="198.51.100.1")
    assert "Enter a correct username and password" in again.content.decode()
    assert "_auth_user_id" not in again.wsgi_request.session


def test_the_code_page_without_a_password_step_goes_to_sign_in(db: Any) -> None:
    assert Client().get(CODE)["Location"] == SIGN_IN
    assert Client().post(CODE, {"code": "123456"})["Location"] == SIGN_IN


def test_a_stale_password_step_expires(enrolled: pyotp.TOTP) -> None:
    client = password_step()
    session = client.session
    session["workbench_pending_sign_in"]["at"] -= 301
    session.save()
    assert client.post(CODE, {"code": enrolled.at(time.time() + 30)})["Location"] == SIGN_IN


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", "9" * 10_000])
def test_malformed_codes_are_refused(enrolled: pyotp.TOTP, code: str) -> None:
    assert password_step().post(CODE, {"code": code}).status_code == 400


def test_the_next_page_survives_the_code_step(enrolled: pyotp.TOTP) -> None:
    client = Client()
    client.post(f"{SIGN_IN}?next=/workbench/incidents", {"username": "ingrid", "password": PASSWORD})
    assert client.post(CODE, {"code": enrolled.at(time.time() + 30)})["Location"] == "/workbench/incidents"


def test_required_totp_sends_staff_to_enrolment_before_signing_in(caseworker: User, settings: Any) -> None:
    settings.CIVICFLOW_STAFF_REQUIRE_TOTP = True
    client = Client()
    response = client.post(SIGN_IN, {"username": "ingrid", "password": PASSWORD})
    assert response["Location"] == ENROL
    assert "_auth_user_id" not in client.session
    assert client.get("/workbench/")["Location"].startswith(SIGN_IN)
    page = client.get(ENROL)
    assert page.status_code == 200
    secret = StaffTOTP.objects.get(user=caseworker).secret
    assert client.post(ENROL, {"code": wrong_code(secret)}).status_code == 400
    assert SignInThrottle.objects.get(key="account:ingrid").failures == 1
    done = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert done["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200
    assert StaffTOTP.objects.get(user=caseworker).confirmed is not None


def test_the_enrolment_page_needs_a_staff_account(db: Any) -> None:
    from support.workbench import staff

    assert Client().get(ENROL)["Location"] == SIGN_IN
    outsider = staff("visitor", is_staff=False)
    assert signed_in(outsider).get(ENROL).status_code == 403
