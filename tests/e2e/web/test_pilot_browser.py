"""The pilot pages in Chromium (issue #14): axe-core finds no violation on the list (with the start
form and its error summary) and on the dashboard, in English and Dutch.

A candidate version, a pilot and some of its cases are seeded by a script run against the served
platform's database.
"""

from __future__ import annotations

from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

SEED = f"""
from django.contrib.auth.models import Group, User
from civicflow.pilots import service as pilots
from civicflow.runtime import services
from civicflow.services import service

user = User.objects.create_user("pam", password={PASSWORD!r}, is_staff=True)
user.groups.set([Group.objects.get_or_create(name="process-admins")[0]])
bpmn = service("building_permit").folder / "building_permit.bpmn"
text = bpmn.read_text(encoding="utf-8").replace("?>", "?>\\n<!-- browser candidate -->", 1)
services.deploy([("building_permit.bpmn", text)], name="browser candidate")
candidate = services.definition_for("building_permit").version
pilot = pilots.start("building_permit", candidate=candidate, share="0.5", actor=f"user:{{user.pk}}", note="trial")
started = [services.start_instance("building_permit", business_key=f"BP-PILOT-{{i}}") for i in range(12)]
for instance in started[:8]:
    services.cancel_instance(instance.pk)
print(pilot.pk)
"""


@pytest.fixture(scope="module")
def pilot_id(platform: Any) -> str:
    return str(platform.django(SEED).strip().splitlines()[-1])


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_pilot_pages(
    new_page: Any, sign_in: Any, axe_source: str, pilot_id: str, language: str
) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    sign_in(page, "pam")
    page.goto("/workbench/pilots/")
    assert page.locator(f'a[href="/workbench/pilots/{pilot_id}/"]').count() == 1
    assert_no_violations(page, axe_source)
    page.fill("#share", "150")
    page.click("form[action='/workbench/pilots/start'] button[type=submit]")
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator("#share-error").count() == 1
    assert_no_violations(page, axe_source)
    page.goto(f"/workbench/pilots/{pilot_id}/")
    heading = page.locator("h1").inner_text()
    assert {"en": "Pilot of building_permit", "nl": "Pilot van building_permit"}[language] in heading
    assert page.locator("#pilot-measures tbody tr").count() >= 5
    assert page.locator("figure svg").count() == 1
    adopt = {"en": "Adopt the candidate", "nl": "De kandidaat overnemen"}[language]
    assert page.get_by_role("button", name=adopt).count() == 1
    assert_no_violations(page, axe_source)
