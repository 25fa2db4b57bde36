"""Batch completion of external tasks: one request and one transaction, each task reported on its own."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from civicflow.runtime.models import ProcessInstance

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FETCH = "/api/v1/external-tasks/fetch-and-lock"
COMPLETE = "/api/v1/external-tasks/complete"


def _fetch(client: APIClient, worker: str = "w1", lock: int = 10_000, **extra: object) -> list[dict[str, object]]:
    payload = {"workerId": worker, "topics": [{"name": "registry-lookup", "lockDuration": lock}], **extra}
    response = client.post(FETCH, payload, format="json")
    assert response.status_code == 200, response.content
    found: list[dict[str, object]] = response.json()
    return found


def _start(client: APIClient, **variables: object) -> str:
    response = client.post(
        "/api/v1/process-instances", {"processId": "registry", "variables": variables}, format="json"
    )
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def test_a_fetched_batch_completes_in_one_request(
    client_for: Callable[..., APIClient], admin: APIClient, deployed: object
) -> None:
    instances = [_start(admin, n=n) for n in range(3)]
    worker = client_for("work:registry-lookup")
    tasks = _fetch(worker, maxTasks=10)
    assert sorted(t["instanceId"] for t in tasks) == sorted(instances)  # type: ignore[type-var]
    assert {t["variables"]["n"] for t in tasks} == {0, 1, 2}  # type: ignore[index]
    items = [{"id": t["id"], "variables": {"name": f"n{t['variables']['n']}"}} for t in tasks]  # type: ignore[index]
    done = worker.post(COMPLETE, {"workerId": "w1", "tasks": items}, format="json")
    assert done.status_code == 200, done.content
    assert done.json() == {"results": [{"id": t["id"], "status": 204} for t in tasks]}
    for instance in instances:
        assert admin.get(f"/api/v1/process-instances/{instance}").json()["status"] == "completed"
        values = admin.get(f"/api/v1/process-instances/{instance}/variables").json()["variables"]
        assert values["name"] == f"n{values['n']}"
    # exactly once: the same batch again changes nothing and says why per task
    again = worker.post(COMPLETE, {"workerId": "w1", "tasks": items}, format="json").json()["results"]
    assert [r["status"] for r in again] == [404, 404, 404]
    assert again[0]["problem"]["type"].endswith("/not-found")
    assert {p.version for p in ProcessInstance.objects.filter(pk__in=instances)} == {2}


def test_each_task_is_checked_on_its_own(
    client_for: Callable[..., APIClient], admin: APIClient, deployed: object
) -> None:
    for _ in range(3):
        _start(admin)
    worker = client_for("work:registry-lookup")
    theirs = _fetch(worker, "w2", maxTasks=1)
    mine, expiring = _fetch(worker, maxTasks=1), _fetch(worker, lock=1, maxTasks=1)
    time.sleep(0.05)
    items = [{"id": t[0]["id"]} for t in (mine, expiring, theirs)] + [{"id": 999_999_999}]
    answer = worker.post(COMPLETE, {"workerId": "w1", "tasks": items}, format="json")
    assert answer.status_code == 200, answer.content
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [204, 410, 409, 404]
    assert results[1]["problem"]["type"].endswith("/lock-expired")
    assert results[2]["problem"]["type"].endswith("/lock-lost")
    other = client_for("work:payments")
    refused = other.post(COMPLETE, {"workerId": "w2", "tasks": [{"id": theirs[0]["id"]}]}, format="json")
    assert refused.json()["results"][0]["status"] == 403
    assert client_for("read").post(COMPLETE, {"workerId": "w2", "tasks": [{"id": 1}]}, format="json").status_code == 403


def test_batch_validation(client_for: Callable[..., APIClient]) -> None:
    worker = client_for("work:*")
    for payload in (
        {"workerId": "w", "tasks": []},
        {"workerId": "w", "tasks": [{"id": 1}, {"id": 1}]},
        {"tasks": [{"id": 1}]},
    ):
        response = worker.post(COMPLETE, payload, format="json")
        assert response.status_code == 400, payload
        assert response["Content-Type"] == "application/problem+json"
