"""The inbox's forecast column and the case page's forecast section, in English and Dutch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from civicflow.runtime.models import CasePrediction, ProcessInstance, UserTask
from support.workbench import signed_in

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
REASONS = [
    {"kind": "open", "subject": "check_completeness", "value": 50.0, "effect_hours": 130.0},
    {"kind": "attribute", "subject": "heritageZone", "value": 1.0, "effect_hours": 60.0},
    {"kind": "done", "subject": "zoning_review", "value": 1.0, "effect_hours": -30.0},
]


def _predict(
    case: ProcessInstance,
    *,
    risk: float | None,
    overdue: bool = False,
    days: float = 12,
    reasons: list[dict[str, Any]] = REASONS,
) -> None:
    CasePrediction.objects.create(
        instance_id=case.pk,
        service="building_permit",
        model_version=4,
        predicted_at=NOW,
        remaining_seconds=days * 86400,
        expected_end=NOW + dt.timedelta(days=days),
        sla_risk=risk,
        overdue=overdue,
        reasons=reasons,
    )


def test_inbox_rows_say_the_remaining_time_and_the_risk_in_words(
    permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any
) -> None:
    _predict(permit_case, risk=0.78)
    page = signed_in(caseworker).get("/workbench/").content.decode()
    assert ">Forecast</th>" in page
    assert "About 12 days left" in page
    assert '<strong class="govuk-tag govuk-tag--red">High risk of missing the deadline (78%)</strong>' in page
    dutch = signed_in(caseworker, "nl").get("/workbench/").content.decode()
    assert "Nog ongeveer 12 dagen" in dutch
    assert "Grote kans dat de termijn niet wordt gehaald (78%)" in dutch


def test_low_risk_is_not_a_tag_and_a_case_without_prediction_shows_a_dash(
    permit_case: ProcessInstance, intake_task: UserTask, caseworker: Any
) -> None:
    page = signed_in(caseworker).get("/workbench/").content.decode()
    assert "left" not in page
    _predict(permit_case, risk=0.05, days=1)
    page = signed_in(caseworker).get("/workbench/").content.decode()
    assert "About 24 hours left" in page
    assert '<span class="govuk-body-s">Low risk of missing the deadline (5%)</span>' in page


def test_case_page_shows_the_forecast_with_its_reasons(permit_case: ProcessInstance, caseworker: Any) -> None:
    _predict(permit_case, risk=None, overdue=True)
    url = reverse("workbench:case", args=[permit_case.pk])
    page = signed_in(caseworker).get(url).content.decode()
    assert 'id="forecast"' in page
    assert "Past the deadline" in page
    assert "Waiting at “Check completeness” for 2 days: about 5 days longer than usual" in page
    assert "heritageZone is 1: about 2 days longer than usual" in page
    assert "“Zoning review” done once: about 30 hours shorter than usual" in page
    assert "by model version 4" in page
    dutch = signed_in(caseworker, "nl").get(url).content.decode()
    assert "Verwachting" in dutch
    assert "Termijn verstreken" in dutch
    assert "Belangrijkste redenen" in dutch


def test_queue_and_step_duration_reasons_read_in_english_and_dutch(
    permit_case: ProcessInstance, caseworker: Any
) -> None:
    reasons = [
        {"kind": "queue", "subject": "Zoning", "value": 31.0, "effect_hours": 50.0},
        {"kind": "took", "subject": "check_completeness", "value": 72.0, "effect_hours": -26.0},
    ]
    _predict(permit_case, risk=0.4, reasons=reasons)
    url = reverse("workbench:case", args=[permit_case.pk])
    page = signed_in(caseworker).get(url).content.decode()
    assert "31 tasks are open in Zoning: about 2 days longer than usual" in page
    assert "“Check completeness” took 3 days: about 26 hours shorter than usual" in page
    dutch = signed_in(caseworker, "nl").get(url).content.decode()
    assert "Bij Zoning staan 31 taken open" in dutch
    assert "“Check completeness” duurde 3 dagen" in dutch


def test_ended_cases_show_no_forecast(permit_case: ProcessInstance, caseworker: Any) -> None:
    _predict(permit_case, risk=0.5)
    ProcessInstance.objects.filter(pk=permit_case.pk).update(status="completed")
    page = signed_in(caseworker).get(reverse("workbench:case", args=[permit_case.pk])).content.decode()
    assert 'id="forecast"' not in page
