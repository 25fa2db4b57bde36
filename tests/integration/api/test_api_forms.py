"""Completing a user task validates the submission against the task's deployed form."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def task_id(admin: APIClient, models: Path) -> int:
    files = [(models / name).open("rb") for name in ("permit.bpmn", "review-form.form")]
    try:
        response = admin.post("/api/v1/deployments", {"name": "forms", "files": files}, format="multipart")
    finally:
        for handle in files:
            handle.close()
    assert response.status_code == 201, response.content
    admin.post("/api/v1/process-instances", {"processId": "permit"}, format="json")
    [task] = admin.get("/api/v1/tasks").json()
    assert task["formKey"] == "review-form"
    return int(task["id"])


def test_a_submission_breaking_the_form_is_refused_per_field(admin: APIClient, task_id: int) -> None:
    response = admin.post(f"/api/v1/tasks/{task_id}/complete", {"variables": {"fee": -5}}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert set(errors) == {"reason", "fee"}
    [task] = admin.get("/api/v1/tasks").json()  # nothing was lost: the task still waits
    assert task["id"] == task_id


def test_dutch_messages_follow_the_request_language(admin: APIClient, task_id: int) -> None:
    response = admin.post(
        f"/api/v1/tasks/{task_id}/complete", {"variables": {}}, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    english = admin.post(f"/api/v1/tasks/{task_id}/complete", {"variables": {}}, format="json")
    assert response.json()["errors"]["reason"] != english.json()["errors"]["reason"]


def test_a_valid_submission_completes_with_coerced_values_and_no_forged_fields(admin: APIClient, task_id: int) -> None:
    variables = {"reason": "fits the zoning plan", "fee": "12.50", "ok": True, "isAdmin": True}
    response = admin.post(f"/api/v1/tasks/{task_id}/complete", {"variables": variables}, format="json")
    assert response.status_code == 200, response.content
    instance_id = response.json()["id"]
    stored = admin.get(f"/api/v1/process-instances/{instance_id}/variables").json()["variables"]
    assert stored["reason"] == "fits the zoning plan"
    assert Decimal(str(stored["fee"])) == Decimal("12.50")
    assert stored["ok"] is True
    assert "isAdmin" not in stored
