"""Every error is RFC 9457 problem+json from the one exception handler: each 4xx case here."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert str(body["type"]).startswith("https://")
    assert body["title"]
    assert body["detail"]
    assert str(body["instance"]).startswith("/api/v1/")
    return body


def test_invalid_json_is_400(admin: APIClient) -> None:
    response = admin.generic("POST", "/api/v1/process-instances", "{not json", content_type="application/json")
    body = problem(response, 400)
    assert body["type"].endswith("/invalid-json")  # type: ignore[union-attr]


def test_a_json_body_that_is_not_an_object_is_400(admin: APIClient) -> None:
    body = problem(admin.post("/api/v1/process-instances", [1, 2], format="json"), 400)
    assert "errors" in body


def test_field_validation_lists_errors_per_field(admin: APIClient) -> None:
    body = problem(admin.post("/api/v1/process-instances", {"variables": "x"}, format="json"), 400)
    errors = body["errors"]
    assert isinstance(errors, dict)
    assert set(errors) == {"processId", "variables"}


def test_bad_query_parameters_are_400(admin: APIClient) -> None:
    body = problem(admin.get("/api/v1/process-instances?status=sleeping&limit=0"), 400)
    assert set(body["errors"]) == {"status", "limit"}  # type: ignore[arg-type]


def test_unknown_ids_are_404(admin: APIClient) -> None:
    missing = UUID(int=7)
    for path in (
        f"/api/v1/process-instances/{missing}",
        f"/api/v1/process-instances/{missing}/variables",
        "/api/v1/deployments/999",
        "/api/v1/process-definitions/999",
        "/api/v1/process-definitions/999/xml",
        "/api/v1/deployments/999/resources/1/content",
    ):
        problem(admin.get(path), 404)
    problem(admin.post("/api/v1/process-instances", {"processId": "nope"}, format="json"), 404)


def test_unknown_paths_are_404_problems_even_without_a_token() -> None:
    problem(APIClient().get("/api/v1/nothing-here"), 404)
    problem(APIClient().get("/api/v1/process-instances/not-a-uuid"), 404)


def test_method_not_allowed_is_405_with_allow(admin: APIClient) -> None:
    response = admin.delete("/api/v1/process-definitions")
    problem(response, 405)
    assert "GET" in response["Allow"]


@override_settings(CIVICFLOW_API_MAX_BODY_BYTES=1000)
def test_oversize_bodies_are_413(admin: APIClient) -> None:
    big = {"processId": "permit", "variables": {"text": "x" * 2000}}
    body = problem(admin.post("/api/v1/process-instances", big, format="json"), 413)
    assert "1000" in str(body["detail"])
    upload = SimpleUploadedFile("big.bpmn", b"<x/>" * 1000)
    problem(admin.post("/api/v1/deployments", {"files": [upload]}, format="multipart"), 413)


def test_a_second_start_with_the_business_key_is_409(admin: APIClient, deployed: object) -> None:
    start = {"processId": "permit", "businessKey": "P-1"}
    assert admin.post("/api/v1/process-instances", start, format="json").status_code == 201
    body = problem(admin.post("/api/v1/process-instances", start, format="json"), 409)
    assert "P-1" in str(body["detail"])


def test_an_invalid_deployment_is_422_with_diagnostics(admin: APIClient) -> None:
    upload = SimpleUploadedFile("broken.bpmn", b"<definitions>not bpmn")
    body = problem(admin.post("/api/v1/deployments", {"files": [upload]}, format="multipart"), 422)
    assert body["detail"]


def test_a_json_body_to_a_multipart_endpoint_is_415(admin: APIClient) -> None:
    problem(admin.post("/api/v1/deployments", {"files": []}, format="json"), 415)


def test_server_errors_are_problems_too(admin: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicflow.runtime import services

    def boom(**kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "instances", boom)
    body = problem(admin.get("/api/v1/process-instances"), 500)
    assert "secret" not in str(body)


def test_tokens_are_checked_before_anything_else(client_for: Callable[..., APIClient]) -> None:
    reader = client_for("read")
    problem(reader.put(f"/api/v1/process-instances/{UUID(int=1)}/variables", {"variables": {}}, format="json"), 403)
