"""Predictions on the inbox and the case page in Chromium: axe-core in English and Dutch, risk in words.

A case and its stored prediction are seeded by a script run against the served platform's database
(the worker writes these rows in production; docs/prediction.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from support.axe import assert_no_violations
from support.workbench import PASSWORD

pytestmark = pytest.mark.e2e

SEED = f"""
from datetime import UTC, datetime, timedelta
from django.contrib.auth.models import Group, User
from civicflow.runtime import services
from civicflow.runtime.models import CasePrediction

user = User.objects.create_user("pia", password={PASSWORD!r}, is_staff=True)
user.groups.set([Group.objects.get_or_create(name="intake")[0]])
case = services.start_instance(
    "building_permit", business_key="BP-PR-1", variables={{"caseNumber": "BP-PR-1", "applicantId": "citizen-1",
    "typeOfWork": "extension", "floorArea": 40, "heritageZone": True, "commercial": False}},
)
now = datetime.now(UTC)
CasePrediction.objects.create(
    instance_id=case.pk, service="building_permit", model_version=2, predicted_at=now,
    remaining_seconds=20 * 86400, expected_end=now + timedelta(days=20), sla_risk=0.81, overdue=False,
    reasons=[{{"kind": "open", "subject": "check_completeness", "value": 30.0, "effect_hours": 90.0}},
             {{"kind": "attribute", "subject": "heritageZone", "value": 1.0, "effect_hours": 40.0}}],
)
print(case.pk)
"""


@pytest.fixture(scope="module")
def predicted(platform: Any) -> dict[str, Any]:
    case_id = platform.django(SEED).strip().splitlines()[-1]
    return {"user": "pia", "case": case_id}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_violations_on_the_forecast_in_inbox_and_case_page(
    new_page: Any, sign_in: Any, axe_source: str, predicted: dict[str, Any], language: str
) -> None:
    page = new_page(language, bypass_csp=True)  # axe is injected inline, which the CSP forbids
    sign_in(page, predicted["user"])
    page.goto("/workbench/")
    row = page.locator("tbody tr").filter(has_text="BP-PR-1")
    assert row.count() == 1
    risk = {"en": "High risk of missing the deadline (81%)", "nl": "Grote kans dat de termijn niet wordt gehaald (81%)"}
    assert risk[language] in row.inner_text()
    assert_no_violations(page, axe_source)
    page.goto(f"/workbench/cases/{predicted['case']}")
    forecast = page.locator("#forecast")
    assert forecast.inner_text() == {"en": "Forecast", "nl": "Verwachting"}[language]
    text = page.locator("main").inner_text()
    assert risk[language] in text
    assert {"en": "Main reasons", "nl": "Belangrijkste redenen"}[language] in text
    assert_no_violations(page, axe_source)
