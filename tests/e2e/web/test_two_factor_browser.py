"""Two-factor sign-in in Chromium: a member of staff turns TOTP on, signs out, and signs in again
with password and code; axe-core finds no WCAG 2.2 AA violations on the enrolment page and the
code page (also showing an error) in English and Dutch.
"""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

TEXT = {
    "en": {
        "code": "Enter your sign-in code",
        "wrong": "Enter a correct code from your authenticator app",
        "menu": "Two-factor sign-in",
    },
    "nl": {
        "code": "Vul uw inlogcode in",
        "wrong": "Vul een juiste code uit uw authenticator-app in",
        "menu": "Inloggen in twee stappen",
    },
}


def make_staff(platform: Any, username: str) -> None:
    platform.django(
        "from django.contrib.auth.models import Group, User\n"
        f"user = User.objects.create_user({username!r}, password={PASSWORD!r}, is_staff=True)\n"
        # a caseworker: staff without a department or role group are refused (civicflow.security.policy)
        "user.groups.add(Group.objects.get_or_create(name='intake')[0])\n"
    )


def password_step(page: Any, username: str) -> None:
    page.goto("/workbench/sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_turn_on_two_factor_and_sign_in_with_a_code(
    platform: Any, new_page: Any, sign_in: Any, axe_source: str, language: str
) -> None:
    username = f"totp-{language}"
    make_staff(platform, username)
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    sign_in(page, username)
    page.locator("#workbench-navigation a[href='/workbench/account/two-factor']").click()
    page.wait_for_url("**/workbench/account/two-factor")
    assert page.locator("#workbench-navigation [aria-current=page]").inner_text() == TEXT[language]["menu"]
    assert page.locator("html").get_attribute("lang") == language
    assert_no_violations(page, axe_source)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert page.locator("#totp-uri").text_content().startswith("otpauth://totp/")
    totp = pyotp.TOTP(secret)
    page.fill("#id_code", totp.now())
    page.locator("main button[type=submit]").click()
    assert page.locator("#two-factor-status").is_visible()
    assert_no_violations(page, axe_source)

    page.locator("#workbench-navigation button[type=submit]").click()  # sign out
    page.wait_for_url("**/workbench/sign-in")
    password_step(page, username)
    page.wait_for_url("**/workbench/sign-in/code")
    assert page.locator("h1").inner_text() == TEXT[language]["code"]
    assert page.locator("#workbench-navigation").count() == 0  # not signed in yet
    assert_no_violations(page, axe_source)

    page.fill("#id_code", "000000" if totp.now() != "000000" else "111111")
    page.locator("main button[type=submit]").click()
    assert TEXT[language]["wrong"] in page.locator(".govuk-error-summary").inner_text()
    assert_no_violations(page, axe_source)

    page.fill("#id_code", totp.at(time.time() + 30))  # the current step's code was spent on enrolment
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/workbench/")
    assert page.locator("#workbench-navigation").is_visible()


def test_the_code_page_by_keyboard_without_javascript(platform: Any, new_page: Any) -> None:
    username = "totp-keyboard"
    make_staff(platform, username)
    secret = pyotp.random_base32()
    platform.django(
        "from django.utils import timezone\n"
        "from django.contrib.auth.models import User\n"
        "from civicflow.workbench.models import StaffTOTP\n"
        f"StaffTOTP.objects.create(user=User.objects.get(username={username!r}), secret={secret!r},"
        " confirmed=timezone.now())\n"
    )
    page = new_page("en", javascript=False)
    password_step(page, username)
    page.wait_for_url("**/workbench/sign-in/code")
    page.locator("#id_code").focus()
    page.keyboard.type(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/workbench/")
