"""External tasks: fetch-and-lock (long polling), locks (extend, expiry, other workers), outcomes,
topic scopes, and the worker leaving external topics alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from civicflow.runtime.models import Incident, Job

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FETCH = "/api/v1/external-tasks/fetch-and-lock"


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


def test_fetch_lock_and_complete(client_for: Callable[..., APIClient], admin: APIClient, deployed: object) -> None:
    worker = client_for("work:registry-lookup")
    instance = _start(admin, bsn="123")
    [task] = _fetch(worker)
    assert (task["topic"], task["workerId"], task["instanceId"], task["variables"]) == (
        "registry-lookup",
        "w1",
        instance,
        {"bsn": "123"},
    )
    assert _fetch(worker, "w2") == []  # locked: nobody else gets it
    done = worker.post(
        f"/api/v1/external-tasks/{task['id']}/complete", {"workerId": "w1", "variables": {"name": "Ada"}}, format="json"
    )
    assert done.status_code == 204
    assert admin.get(f"/api/v1/process-instances/{instance}").json()["status"] == "completed"
    assert admin.get(f"/api/v1/process-instances/{instance}/variables").json()["variables"]["name"] == "Ada"
    gone = worker.post(f"/api/v1/external-tasks/{task['id']}/complete", {"workerId": "w1"}, format="json")
    assert gone.status_code == 404


def test_long_polling_waits_up_to_the_timeout(client_for: Callable[..., APIClient], deployed: object) -> None:
    worker = client_for("work:*")
    began = time.monotonic()
    assert _fetch(worker, asyncResponseTimeout=300) == []
    assert 0.3 <= time.monotonic() - began < 5


def test_max_tasks_bounds_the_batch(client_for: Callable[..., APIClient], admin: APIClient, deployed: object) -> None:
    for _ in range(3):
        _start(admin)
    worker = client_for("work:registry-lookup")
    assert len(_fetch(worker, maxTasks=2)) == 2
    assert len(_fetch(worker, maxTasks=2)) == 1


def test_expired_locks_are_refused_with_410_and_others_locks_with_409(
    client_for: Callable[..., APIClient], admin: APIClient, deployed: object
) -> None:
    worker = client_for("work:registry-lookup")
    _start(admin)
    [task] = _fetch(worker, lock=1)
    time.sleep(0.05)
    expired = worker.post(f"/api/v1/external-tasks/{task['id']}/complete", {"workerId": "w1"}, format="json")
    assert expired.status_code == 410
    assert expired["Content-Type"] == "application/problem+json"
    assert expired.json()["type"].endswith("/lock-expired")
    [again] = _fetch(worker, "w2")  # an expired lock makes the task fetchable again
    assert again["id"] == task["id"]
    stolen = worker.post(f"/api/v1/external-tasks/{task['id']}/complete", {"workerId": "w1"}, format="json")
    assert stolen.status_code == 409
    extend = worker.post(
        f"/api/v1/external-tasks/{task['id']}/extend-lock", {"workerId": "w1", "newDuration": 1000}, format="json"
    )
    assert extend.status_code == 409


def test_extend_lock(client_for: Callable[..., APIClient], admin: APIClient, deployed: object) -> None:
    worker = client_for("work:registry-lookup")
    _start(admin)
    [task] = _fetch(worker, lock=1000)
    before = Job.objects.get(pk=task["id"]).lock_expires_at
    extended = worker.post(
        f"/api/v1/external-tasks/{task['id']}/extend-lock", {"workerId": "w1", "newDuration": 600_000}, format="json"
    )
    assert extended.status_code == 204
    after = Job.objects.get(pk=task["id"]).lock_expires_at
    assert after is not None
    assert before is not None
    assert after - before > timedelta(minutes=9)


def test_failure_with_retries_then_incident(
    client_for: Callable[..., APIClient], admin: APIClient, deployed: object
) -> None:
    worker = client_for("work:registry-lookup")
    instance = _start(admin)
    [task] = _fetch(worker)
    failed = worker.post(
        f"/api/v1/external-tasks/{task['id']}/failure",
        {"workerId": "w1", "errorMessage": "registry down", "retries": 2, "retryTimeout": 0},
        format="json",
    )
    assert failed.status_code == 204
    job = Job.objects.get(pk=task["id"])
    assert (job.retries, job.lock_owner, job.last_error) == (2, None, "registry down")
    [task] = _fetch(worker)
    worker.post(
        f"/api/v1/external-tasks/{task['id']}/failure",
        {"workerId": "w1", "errorMessage": "still", "retries": 0},
        format="json",
    )
    assert Incident.objects.filter(instance_id=instance, state="open").count() == 1


def test_bpmn_error_takes_the_boundary_event(
    client_for: Callable[..., APIClient], admin: APIClient, deployed: object
) -> None:
    worker = client_for("work:registry-lookup")
    instance = _start(admin)
    [task] = _fetch(worker)
    thrown = worker.post(
        f"/api/v1/external-tasks/{task['id']}/bpmn-error",
        {"workerId": "w1", "errorCode": "UNKNOWN_PERSON", "variables": {"reason": "no match"}},
        format="json",
    )
    assert thrown.status_code == 204
    events = admin.get(f"/api/v1/process-instances/{instance}/history").json()
    assert "end_unknown" in {e["elementId"] for e in events}
    assert admin.get(f"/api/v1/process-instances/{instance}").json()["status"] == "completed"


def test_topic_scopes(client_for: Callable[..., APIClient], admin: APIClient, deployed: object) -> None:
    _start(admin)
    other = client_for("work:payments")
    denied = other.post(
        FETCH, {"workerId": "w", "topics": [{"name": "registry-lookup", "lockDuration": 1000}]}, format="json"
    )
    assert denied.status_code == 403
    [task] = _fetch(client_for("work:registry-lookup"))
    refused = other.post(f"/api/v1/external-tasks/{task['id']}/complete", {"workerId": "w1"}, format="json")
    assert refused.status_code == 403
    assert client_for("read").post(FETCH, {"workerId": "w", "topics": []}, format="json").status_code == 403


def test_fetch_validation(client_for: Callable[..., APIClient]) -> None:
    worker = client_for("work:*")
    bad = worker.post(
        FETCH, {"workerId": "w", "topics": [{"name": "x", "lockDuration": 0}], "maxTasks": 0}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"topics.0.lockDuration", "maxTasks"} or "maxTasks" in bad.json()["errors"]


@override_settings(CIVICFLOW_EXTERNAL_TOPICS=("registry-lookup",))
def test_the_worker_leaves_external_topics_to_fetch_and_lock(
    client_for: Callable[..., APIClient], admin: APIClient, deployed: object
) -> None:
    from civicflow.runtime.clock import current_clock
    from civicflow.runtime.worker import claim, next_due

    instance = _start(admin)
    now = current_clock().now()
    assert claim("in-process", 10, now, timedelta(minutes=5)) == []
    assert next_due(now) is None  # nothing the worker could run: it sleeps instead of spinning
    assert not Incident.objects.filter(instance_id=instance).exists()
    [task] = _fetch(client_for("work:registry-lookup"))
    assert task["instanceId"] == instance


def test_without_the_setting_an_unhandled_topic_is_still_claimed_by_the_worker(
    admin: APIClient, deployed: object
) -> None:
    from civicflow.runtime.clock import current_clock
    from civicflow.runtime.worker import claim

    _start(admin)
    [job] = claim("in-process", 10, current_clock().now(), timedelta(minutes=5))
    assert job.type == "registry-lookup"
