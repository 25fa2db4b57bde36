"""The OpenAPI document validates, and schemathesis finds no server error and no answer that breaks
the schema on any endpoint (called in-process through the WSGI app with a token of every scope)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# transaction=True: the raw WSGI app closes a connection found inside a transaction at each
# request start (Django's close_old_connections), which the test client's wrapping would hide
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

MAX_EXAMPLES = 6  # per operation: the whole run stays well under a minute


def _schema() -> schemathesis.schemas.BaseSchema:
    from civicflow.site.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema", application)


def test_the_openapi_document_validates() -> None:
    from openapi_spec_validator import validate

    from civicflow.site.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", application)
    raw = schema.raw_schema
    validate(raw)
    assert raw["openapi"].startswith("3.")
    paths = set(raw["paths"])
    for expected in (
        "/api/v1/deployments",
        "/api/v1/process-instances",
        "/api/v1/messages",
        "/api/v1/signals",
        "/api/v1/tasks/{id}/complete",
        "/api/v1/external-tasks/fetch-and-lock",
        "/api/v1/incidents/{id}/retry",
        "/api/v1/process-instances/{id}/history/ocel",
        "/api/v1/decision-definitions/{ref}/evaluate",
    ):
        assert expected in paths
    assert raw["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@override_settings(CIVICFLOW_API_MAX_LONG_POLL_MS=0, CIVICFLOW_API_THROTTLE_RATE="1000000/min")
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    token: Callable[..., str], deployed: object, models: Path
) -> None:
    from rest_framework.test import APIClient

    bearer = {"Authorization": f"Bearer {token('admin', 'work:*')}"}
    starter = APIClient()
    starter.credentials(HTTP_AUTHORIZATION=bearer["Authorization"])
    for process in ("permit", "registry", "wait"):  # something for the id-taking endpoints to find
        starter.post("/api/v1/process-instances", {"processId": process, "variables": {"caseId": "C"}}, format="json")
    checks = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
    began = time.monotonic()
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert len(operations) >= 30
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=bearer)
            case.validate_response(response, checks=checks)

        try:
            run()
        except Exception as exc:  # every operation is checked; the failures are reported together
            failures.append(f"{operation.label}: {exc}")
    assert failures == []
    assert time.monotonic() - began < 60
