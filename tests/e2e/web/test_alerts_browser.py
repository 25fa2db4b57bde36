"""The workbench's Alerts page in Chromium: axe-core in English and Dutch, open and resolved alerts,
the link to the task, reached from the menu by keyboard and without JavaScript.

A task alert, a stage SLA alert and a resolved alert are raised by a script run against the served
platform's own database (the alert pass itself, at a moment when the task is nearly due).
"""

from __future__ import annotations

from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

SEED = f"""
import uuid
from datetime import UTC, datetime, timedelta
from django.contrib.auth.models import Group, User
from civicflow.runtime import services
from civicflow.runtime.models import KpiCase, KpiStage, UserTask
from civicflow.workbench import check_alerts
from civicflow.workbench.models import Alert

user = User.objects.create_user("hilde", password={PASSWORD!r}, is_staff=True)
user.groups.set([Group.objects.get_or_create(name=name)[0] for name in ("intake", "zoning-head")])
case = services.start_instance(
    "building_permit", business_key="BP-AL-1", variables={{"caseNumber": "BP-AL-1", "applicantId": "citizen-1",
    "typeOfWork": "extension", "floorArea": 40, "heritageZone": False, "commercial": False}},
)
task = UserTask.objects.get(instance=case, element_id="check_completeness")
check_alerts(now=task.due - timedelta(hours=3))
now = datetime.now(UTC)
for n in range(10):
    key = uuid.uuid4()
    took = timedelta(days=12 if n < 4 else 3)
    KpiCase.objects.create(instance_id=key, service="building_permit", started=now - took - timedelta(days=2))
    ended = now - timedelta(days=1)
    KpiStage.objects.create(instance_id=key, key=1, case_id=key, service="building_permit",
                            element="zoning_review", started=ended - took, ended=ended)
check_alerts(now=now)
Alert.objects.create(kind="task_due", key="task_due:seeded-resolved:intake", department="intake",
                     service="building_permit", element="check_completeness", case="BP-AL-0",
                     title="Check completeness", due=now - timedelta(days=1), message="seeded",
                     created=now - timedelta(days=2), resolved=now - timedelta(hours=1))
print(task.pk)
"""


@pytest.fixture(scope="module")
def alerted(platform: Any) -> dict[str, Any]:
    task_id = int(platform.django(SEED).strip().splitlines()[-1])
    return {"user": "hilde", "task": task_id}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_alerts_page(
    new_page: Any, sign_in: Any, axe_source: str, alerted: dict[str, Any], language: str
) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    sign_in(page, alerted["user"])
    page.goto("/workbench/alerts")
    assert page.locator("html").get_attribute("lang") == language
    # the task nearing its due date and the zoning review below 80% (other tests sharing the platform
    # may have raised alerts of their own for the same departments, so only these rows are counted)
    rows = page.locator("#open-alerts tbody tr")
    assert rows.filter(has_text="BP-AL-1").count() == 1
    assert rows.filter(has_text={"en": "Zoning review", "nl": "Toets ruimtelijke ordening"}[language]).count() == 1
    text = page.locator("#open-alerts").inner_text()
    assert {"en": "Zoning review (Building permit): 60%", "nl": "Toets ruimtelijke ordening (Omgevingsvergunning"}[
        language
    ] in text
    assert {"en": "is due on", "nl": "moet klaar zijn op"}[language] in text
    assert page.locator("#resolved-alerts tbody tr").count() == 1
    assert (
        page.locator("#workbench-navigation [aria-current=page]").inner_text()
        == {
            "en": "Alerts",
            "nl": "Signaleringen",
        }[language]
    )
    assert_no_violations(page, axe_source)


def test_the_alerts_page_by_keyboard_without_javascript(new_page: Any, sign_in: Any, alerted: dict[str, Any]) -> None:
    page = new_page("en", javascript=False)
    sign_in(page, alerted["user"])
    page.get_by_role("link", name="Alerts").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/workbench/alerts")
    link = page.locator("#open-alerts a", has_text="BP-AL-1")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/workbench/tasks/{alerted['task']}")
