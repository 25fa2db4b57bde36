"""The staff workbench in Chromium: axe-core on every page (both languages, error states
included) and a caseworker working a building-permit task end to end.

Accounts and cases are seeded with a script run against the served platform's own database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e


SEED = """
import json, django
django.setup()
from django.contrib.auth.models import Group, User
from civicflow.runtime import services
from civicflow.runtime.models import UserTask

user = User.objects.create_user("ingrid", password=PASSWORD, is_staff=True)
user.groups.add(Group.objects.get_or_create(name="intake")[0])
# incidents and deploy are process administrators' pages (civicflow.security.policy)
user.groups.add(Group.objects.get_or_create(name="process-admins")[0])
ids = {}
for key in ("BP-E2E-1", "BP-E2E-2"):
    case = services.start_instance(
        "building_permit", business_key=key, variables={"caseNumber": key, "applicantId": "citizen-1",
        "typeOfWork": "extension", "floorArea": 40, "heritageZone": False, "commercial": False},
    )
    ids[key] = {"case": str(case.pk), "task": UserTask.objects.get(instance=case, element_id="check_completeness").pk}
services.claim_task(ids["BP-E2E-1"]["task"], "ingrid")
print(json.dumps(ids))
"""


@pytest.fixture(scope="session")
def seeded(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A caseworker of Intake and two building-permit cases (the first task already claimed)."""
    # base_url serves from a "platform<n>" folder of this session's temporary directory; its log names the port
    (folder,) = {
        p.resolve()
        for p in tmp_path_factory.getbasetemp().glob("platform*")
        if (p / "serve.log").exists() and f"{base_url}/" in (p / "serve.log").read_text()
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env["CIVICFLOW_INSTANCE_DIR"] = str(folder / "instance")
    env["DJANGO_SETTINGS_MODULE"] = "civicflow.site.settings"
    script = f"PASSWORD = {PASSWORD!r}\n{SEED}"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seeded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeded


def _sign_in(page: Any) -> None:
    page.goto("/workbench/sign-in")
    page.fill("#id_username", "ingrid")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/workbench/")


def _submit(page: Any) -> None:
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_workbench_pages(
    new_page: Any, axe_source: str, seeded: dict[str, Any], language: str
) -> None:
    # axe is injected inline, which the CSP forbids: these contexts alone bypass it
    page = new_page(language, bypass_csp=True)
    case, task = seeded["BP-E2E-1"]["case"], seeded["BP-E2E-1"]["task"]
    page.goto("/workbench/sign-in")
    assert_no_violations(page, axe_source)
    page.fill("#id_username", "ingrid")
    page.fill("#id_password", "wrong")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)  # sign-in error state
    _sign_in(page)
    checked = 2
    for path in [
        "/workbench/",
        "/workbench/?due_before=someday",  # error state
        "/workbench/?status=mine&sort=priority",
        f"/workbench/tasks/{task}",
        f"/workbench/cases/{case}",
        "/workbench/incidents",
        "/workbench/deploy",
    ]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert_no_violations(page, axe_source)
        checked += 1
    # the task form's error state: complete without answering
    page.goto(f"/workbench/tasks/{task}")
    page.get_by_role("button", name={"en": "Complete task", "nl": "Taak afronden"}[language]).click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)
    # the comment's error state
    page.goto(f"/workbench/cases/{case}")
    page.get_by_role("button", name={"en": "Add comment", "nl": "Opmerking plaatsen"}[language]).click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)
    # the deploy page's validation report
    page.goto("/workbench/deploy")
    page.set_input_files("#files", files=[{"name": "broken.bpmn", "mimeType": "application/xml", "buffer": b"<x>"}])
    page.get_by_role("button", name={"en": "Deploy", "nl": "Publiceren"}[language], exact=True).last.click()
    page.wait_for_load_state()
    assert page.locator("#report").count() == 1
    assert_no_violations(page, axe_source)
    assert checked == 9


def test_caseworker_works_a_building_permit_task(new_page: Any, seeded: dict[str, Any]) -> None:
    # the CSP is enforced here: the diagram must draw with no inline script or style refused
    page = new_page("en")
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    case, task = seeded["BP-E2E-2"]["case"], seeded["BP-E2E-2"]["task"]
    _sign_in(page)
    row = page.locator("tr", has=page.locator(f"a[href='/workbench/tasks/{task}']"))
    row.get_by_role("button", name="Claim").click()
    page.wait_for_url(f"**/workbench/tasks/{task}")
    assert "You claimed the task" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url("**/workbench/")
    assert "completed" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator(f"a[href='/workbench/tasks/{task}']").count() == 0
    page.goto(f"/workbench/cases/{case}")
    timeline = page.locator("table").first.inner_text()
    assert "Task completed" in timeline
    assert "ingrid" in timeline
    page.wait_for_selector(".workbench-diagram--ready", timeout=15000)
    assert page.locator(".workbench-active").count() >= 1
    assert refused == []


def test_task_page_works_without_javascript(new_page: Any, seeded: dict[str, Any]) -> None:
    page = new_page("nl", javascript=False)
    _sign_in(page)
    page.goto(f"/workbench/tasks/{seeded['BP-E2E-1']['task']}")
    assert page.locator("h1").inner_text() == "Check completeness"  # task names come from the model
    assert page.get_by_role("button", name="Taak afronden").count() == 1
