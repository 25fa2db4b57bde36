"""OpenID Connect sign-in in Chromium against the real loopback provider (npm oidc-provider).

A citizen signs in with the "eID broker" and lands on their applications; a caseworker of Intake
signs in with the "organisation's provider", lands on the workbench inbox and sees the tasks of
Intake only. axe-core finds no WCAG 2.2 AA violations on our sign-in pages and on the page that
explains a cancelled sign-in, in English and Dutch. This module serves its own platform: the
session's one (tests/e2e/web/conftest.py) has no OIDC configuration.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.oidc_provider import CITIZEN, STAFF_CASEWORKER, loopback_provider, oidc_env
from support.served import Platform, free_port, serve

pytestmark = pytest.mark.e2e

TEXT = {
    "en": {
        "staff_button": "Sign in with Agency Login",
        "citizen_button": "Sign in with eID Broker",
        "mine": "Your applications",
        "cancelled": "eID Broker did not sign you in",
    },
    "nl": {
        "staff_button": "Inloggen met Agency Login",
        "citizen_button": "Inloggen met eID Broker",
        "mine": "Uw aanvragen",
        "cancelled": "eID Broker heeft u niet ingelogd",
    },
}

SEED = """
import json
from civicflow.runtime import services
from civicflow.runtime.models import UserTask

def start(key):
    variables = {"caseNumber": key, "applicantId": "citizen-1", "typeOfWork": "extension", "floorArea": 40,
                 "heritageZone": False, "commercial": False}
    return services.start_instance("building_permit", business_key=key, variables=variables)

ours, theirs = start("BP-OIDC-1"), start("BP-OIDC-2")
# the second case moves on past Intake: its open tasks belong to the review departments
check = UserTask.objects.get(instance=theirs, element_id="check_completeness")
services.complete_task(check.pk, {"documentsComplete": True}, user="someone")
open_tasks = UserTask.objects.filter(completed__isnull=True)
print(json.dumps({
    "intake": [t.pk for t in open_tasks.filter(candidates__name="intake")],
    "others": [t.pk for t in open_tasks.exclude(candidates__name="intake")],
}))
"""


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, mailbox: Any) -> Iterator[Platform]:
    """A platform whose staff and citizen sign-in use the loopback provider."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    callbacks = [f"{url}/workbench/sign-in/oidc/callback", f"{url}/portal/sign-in/eid/callback/"]
    with (
        loopback_provider(callbacks) as provider,
        serve(tmp_path_factory.mktemp("oidc-platform"), mailbox, port=port, extra_env=oidc_env(provider.issuer)) as up,
    ):
        yield up


@pytest.fixture(scope="module")
def base_url(platform: Platform) -> str:
    return platform.url


@pytest.fixture(scope="module")
def tasks(platform: Platform) -> dict[str, list[int]]:
    found: dict[str, list[int]] = json.loads(platform.django(SEED).strip().splitlines()[-1])
    assert found["intake"], found
    assert found["others"], found
    return found


def at_provider(page: Any, account: str) -> None:
    """The provider's own login form (not ours: axe is not run on it)."""
    page.wait_for_selector("#login")
    page.fill("#login", account)
    page.click("#sign-in")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_citizen_signs_in_with_eid_and_sees_their_applications(new_page: Any, axe_source: str, language: str) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    page.goto("/portal/sign-in/")
    button = page.locator("#oidc-sign-in")
    assert button.inner_text().strip() == TEXT[language]["citizen_button"]
    assert page.locator("#email").count() == 1  # the email link stays
    assert_no_violations(page, axe_source)
    button.click()
    at_provider(page, CITIZEN)
    page.wait_for_url("**/portal/my/")
    assert page.locator("h1").inner_text() == TEXT[language]["mine"]
    assert page.locator("html").get_attribute("lang") == language
    assert_no_violations(page, axe_source)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_cancelled_eid_sign_in_is_explained(new_page: Any, axe_source: str, language: str) -> None:
    page = new_page(language, bypass_csp=True)
    page.goto("/portal/sign-in/")
    page.locator("#oidc-sign-in").click()
    page.wait_for_selector("#cancel")
    page.click("#cancel")
    page.wait_for_url("**/portal/sign-in/eid/callback/**")
    assert page.locator("#sign-in-failed-reason").get_attribute("data-reason") == "access-denied"
    assert TEXT[language]["cancelled"] in page.locator("main").inner_text()
    assert page.locator("#portal-navigation a[href='/portal/my/']").count() == 0
    assert_no_violations(page, axe_source)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_caseworker_signs_in_and_sees_the_tasks_of_their_department_only(
    new_page: Any, axe_source: str, tasks: dict[str, list[int]], language: str
) -> None:
    page = new_page(language, bypass_csp=True)
    page.goto("/workbench/sign-in")
    button = page.locator("#oidc-sign-in")
    assert button.inner_text().strip() == TEXT[language]["staff_button"]
    assert page.locator("#id_username").count() == 1  # local accounts stay
    assert_no_violations(page, axe_source)
    button.click()
    at_provider(page, STAFF_CASEWORKER)
    page.wait_for_url("**/workbench/")
    assert page.locator("#workbench-navigation").count() == 1
    assert_no_violations(page, axe_source)
    links = {page.locator(f"main a[href='/workbench/tasks/{task}']").count() > 0 for task in tasks["intake"]}
    assert links == {True}, "an Intake task is missing from the Intake caseworker's inbox"
    for task in tasks["others"]:
        assert page.locator(f"main a[href='/workbench/tasks/{task}']").count() == 0, f"task {task} is not Intake's"
        assert page.goto(f"/workbench/tasks/{task}").status in (403, 404)
