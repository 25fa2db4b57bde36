"""Staff sign-in against the real database: Argon2 hashes, lockout per account and per address,
the generic message, forgiveness on success, the staff session's cookie and age.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.test import Client

from civicflow.workbench.models import SignInThrottle
from support.workbench import PASSWORD, staff

SIGN_IN = "/workbench/sign-in"
GENERIC = "Enter a correct username and password"


def attempt(username: str, password: str, address: str = "192.0.2.1", client: Client | None = None) -> Any:
    client = client or Client()
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response: Any) -> bool:
    return "_auth_user_id" in response.wsgi_request.session


def test_new_passwords_are_hashed_with_argon2(caseworker: User) -> None:
    assert caseworker.password.startswith("argon2$argon2id$")


def test_a_pbkdf2_hash_still_signs_in_and_is_rehashed_with_argon2(caseworker: User) -> None:
    User.objects.filter(pk=caseworker.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    response = attempt("ingrid", PASSWORD)
    assert response.status_code == 302
    assert signed_in(response)
    caseworker.refresh_from_db()
    assert caseworker.password.startswith("argon2$")


def test_five_failures_lock_the_account_with_the_same_message(caseworker: User) -> None:
    wrong = None
    for n in range(5):  # from five addresses: only the account's counter reaches the limit
        wrong = attempt("ingrid", "wrong password", address=f"192.0.2.{n + 10}")
        assert wrong.status_code == 200
        assert not signed_in(wrong)
    refused = attempt("ingrid", PASSWORD, address="198.51.100.7")
    assert not signed_in(refused)
    assert GENERIC in refused.content.decode()
    assert refused.content.decode().count(GENERIC) == wrong.content.decode().count(GENERIC)
    assert SignInThrottle.objects.get(key="account:ingrid").locked_until is not None


def test_the_lock_ends_after_its_period(caseworker: User) -> None:
    for _ in range(5):
        attempt("ingrid", "wrong password")
    from datetime import timedelta

    from django.utils import timezone

    SignInThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert signed_in(attempt("ingrid", PASSWORD))


def test_four_failures_do_not_lock(caseworker: User) -> None:
    for _ in range(4):
        attempt("ingrid", "wrong password")
    assert signed_in(attempt("ingrid", PASSWORD))


def test_an_unknown_name_locks_like_a_real_one(db: Any) -> None:
    responses = [attempt("nobody", "wrong password", address=f"192.0.2.{n}") for n in range(6)]
    assert all(GENERIC in r.content.decode() for r in responses)
    assert SignInThrottle.objects.get(key="account:nobody").locked_until is not None


def test_five_failures_from_one_address_lock_that_address(caseworker: User) -> None:
    for n in range(5):  # five different names, one address
        attempt(f"guess{n}", "wrong password", address="203.0.113.9")
    refused = attempt("ingrid", PASSWORD, address="203.0.113.9")
    assert not signed_in(refused)
    assert GENERIC in refused.content.decode()
    assert signed_in(attempt("ingrid", PASSWORD, address="203.0.113.10"))


def test_a_successful_sign_in_forgives_the_account(caseworker: User) -> None:
    for n in range(4):
        attempt("ingrid", "wrong password", address=f"192.0.2.{n + 20}")
    assert signed_in(attempt("ingrid", PASSWORD, address="192.0.2.30"))
    assert not SignInThrottle.objects.filter(key="account:ingrid").exists()
    for n in range(4):
        attempt("ingrid", "wrong password", address=f"192.0.2.{n + 40}")
    assert signed_in(attempt("ingrid", PASSWORD, address="192.0.2.50"))


def test_failures_outside_the_window_start_a_new_count(caseworker: User, settings: Any) -> None:
    settings.CIVICFLOW_SIGNIN_WINDOW = 60
    for n in range(4):
        attempt("ingrid", "wrong password", address=f"192.0.2.{n + 60}")
    from datetime import timedelta

    from django.utils import timezone

    SignInThrottle.objects.update(window_start=timezone.now() - timedelta(seconds=61))
    attempt("ingrid", "wrong password", address="192.0.2.70")
    assert SignInThrottle.objects.get(key="account:ingrid").failures == 1
    assert signed_in(attempt("ingrid", PASSWORD, address="192.0.2.71"))


def test_a_staff_session_lasts_a_working_day_and_the_key_rotates(caseworker: User) -> None:
    client = Client()
    client.get(SIGN_IN)
    before = client.session.session_key
    response = attempt("ingrid", PASSWORD, client=client)
    assert signed_in(response)
    assert client.session.session_key != before
    assert client.session.get_expiry_age() == 8 * 60 * 60
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize(("public_url", "secure"), [("https://civicflow.example.org", "True"), ("", "False")])
def test_cookies_are_secure_when_the_site_is_served_over_https(public_url: str, secure: str, tmp_path: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICFLOW_")}
    env |= {"CIVICFLOW_PUBLIC_URL": public_url, "CIVICFLOW_INSTANCE_DIR": str(tmp_path)}
    code = "from civicflow.site import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == [secure, secure]


def test_a_bad_lockout_setting_stops_start_up_with_one_line(tmp_path: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICFLOW_")}
    env |= {"CIVICFLOW_SIGNIN_MAX_FAILURES": "0", "CIVICFLOW_INSTANCE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import civicflow.site.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "CIVICFLOW_SIGNIN_MAX_FAILURES must be a positive whole number" in done.stderr


def test_non_staff_accounts_use_the_same_lockout(db: Any) -> None:
    staff("citizen-ish", is_staff=False)
    for n in range(5):
        attempt("citizen-ish", "wrong", address=f"192.0.2.{n + 80}")
    assert not signed_in(attempt("citizen-ish", PASSWORD, address="192.0.2.90"))


def test_the_admin_login_form_is_replaced_by_the_workbench_sign_in(caseworker: User) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "ingrid", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/sign-in?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    chain = client.get("/admin/", follow=True).redirect_chain
    assert chain[-1] == ("/workbench/sign-in?next=%2Fadmin%2F", 302)


def test_a_sign_in_from_the_admin_goes_back_to_the_admin(caseworker: User) -> None:
    response = Client().post("/workbench/sign-in?next=/admin/", {"username": "ingrid", "password": PASSWORD})
    assert response["Location"] == "/admin/"
