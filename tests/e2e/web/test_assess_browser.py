"""The workbench's Assess pages in Chromium: axe-core in both languages (error states included),
keyboard reach, and the pages without JavaScript.

The analyst account and two building-permit cases are seeded with a script run against the
served platform's own database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e


SEED = """
import django
django.setup()
from django.contrib.auth.models import Group, User
from civicflow.runtime import services
from civicflow.runtime.models import UserTask

User.objects.create_user("alex", password=PASSWORD, is_staff=True).groups.add(
    Group.objects.get_or_create(name="intake")[0]
)
cases = [
    services.start_instance(
        "building_permit", business_key=key, variables={"caseNumber": key, "applicantId": "citizen-1",
        "typeOfWork": "extension", "floorArea": 40, "heritageZone": False, "commercial": False},
    )
    for key in ("BP-AS-1", "BP-AS-2")
]
task = UserTask.objects.get(instance=cases[0], element_id="check_completeness")
services.claim_task(task.pk, "alex")
services.complete_task(task.pk, {"documentsComplete": True}, user="alex")
"""

CSV = b"""case,activity,when,who
c1,Register,2025-03-03T09:00:00+01:00,anna
c1,Check,2025-03-03T10:00:00+01:00,bert
c1,Decide,2025-03-04T10:00:00+01:00,carla
c2,Register,2025-03-03T09:30:00+01:00,anna
c2,Check,2025-03-03T11:30:00+01:00,bert
c2,Check,2025-03-05T11:30:00+01:00,bert
c2,Decide,2025-03-06T11:30:00+01:00,carla
"""


@pytest.fixture(scope="module")
def analyst(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Seed the analyst and two cases into the platform serving ``base_url``; return the user name."""
    (folder,) = {
        p.resolve()
        for p in tmp_path_factory.getbasetemp().glob("platform*")
        if (p / "serve.log").exists() and f"{base_url}/" in (p / "serve.log").read_text()
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env["CIVICFLOW_INSTANCE_DIR"] = str(folder / "instance")
    env["DJANGO_SETTINGS_MODULE"] = "civicflow.site.settings"
    done = subprocess.run(
        [sys.executable, "-c", f"PASSWORD = {PASSWORD!r}\n{SEED}"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return "alex"


def _upload(page: Any, language: str, *, case_column: str) -> None:
    page.goto("/workbench/assess/")
    page.set_input_files("#log", files=[{"name": "permits.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.fill("#column-case", case_column)
    page.fill("#column-activity", "activity")
    page.fill("#column-timestamp", "when")
    page.fill("#column-resource", "who")
    page.get_by_role("button", name={"en": "Upload and assess", "nl": "Uploaden en analyseren"}[language]).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_assess_pages(
    new_page: Any, sign_in: Any, axe_source: str, analyst: str, language: str
) -> None:
    # axe is injected inline, which the CSP forbids: these contexts alone bypass it
    page = new_page(language, bypass_csp=True)
    sign_in(page, analyst)
    page.goto("/workbench/assess/")
    assert page.locator("html").get_attribute("lang") == language
    assert_no_violations(page, axe_source)
    # the upload's error state: no case column given
    _upload(page, language, case_column="")
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)
    # an unreadable mapping: the reader's error in the summary
    _upload(page, language, case_column="dossier")
    assert "dossier" in page.locator(".govuk-error-summary").inner_text()
    assert_no_violations(page, axe_source)
    _upload(page, language, case_column="case")
    assert "/workbench/assess/logs/" in page.url
    log_page = page.url
    assert page.locator("#edges tbody tr").count() == 3
    assert_no_violations(page, axe_source)
    page.goto(log_page + "?view=performance&min=2&top=10")
    assert_no_violations(page, axe_source)
    page.goto(log_page + "?min=zero")  # the filters' error state
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)
    page.goto("/workbench/assess/processes/building_permit/")
    assert page.locator("#summary").count() == 1
    assert_no_violations(page, axe_source)
    # conformance: the uploaded log against the deployed model, its error state, the engine's own log
    page.goto(log_page + "conformance?model=building_permit:1")
    assert page.locator("#deviations tbody tr").count() >= 3
    page.wait_for_selector("#case-diagram.workbench-diagram--ready")
    assert page.locator("#case-diagram .workbench-active").count() >= 1
    assert_no_violations(page, axe_source)
    page.goto(log_page + "conformance?model=nothing:9")
    assert page.locator(".govuk-error-summary").count() == 1
    assert_no_violations(page, axe_source)
    page.goto("/workbench/assess/processes/building_permit/conformance")
    # figures when the platform holds finished cases, else the notice that none has finished
    assert page.locator("#unfinished, #figures").count() == 1
    assert_no_violations(page, axe_source)


def test_assess_works_without_javascript_and_by_keyboard(new_page: Any, sign_in: Any, analyst: str) -> None:
    page = new_page("en", javascript=False)
    sign_in(page, analyst)
    page.goto("/workbench/")
    page.get_by_role("link", name="Assess").click()
    page.wait_for_url("**/workbench/assess/")
    _upload(page, "en", case_column="case")
    assert page.locator("#edges tbody tr").count() == 3
    image = page.locator("#map + figure img, figure img").first
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    # the filter form by keyboard: focus the minimum, type, submit with Enter
    page.focus("#min")
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "min=2" in page.url
    assert page.locator("#edges tbody tr").count() == 2
    # the scrollable map region takes focus, so a keyboard user can scroll it
    page.locator("figure.workbench-assess-figure").first.focus()
    assert page.evaluate("document.activeElement.tagName") == "FIGURE"
