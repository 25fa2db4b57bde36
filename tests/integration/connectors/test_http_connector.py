"""The http connector through the runtime against a real HTTP server that fails, then recovers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from civicflow.connectors import idempotency_key
from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.models import Incident, Job
from civicflow.runtime.worker import claim, run_batch
from support.loopback import Receiver, service_model

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def run_due(clock: VirtualClock, rounds: int) -> None:
    """Claim and run what is due, moving the clock past any backoff, ``rounds`` times."""
    for _ in range(rounds):
        claimed = claim("connector-test", 10, clock.now(), timedelta(minutes=5))
        if claimed:
            run_batch(claimed)
        clock.advance(timedelta(hours=1))


def test_http_retries_through_the_job_backoff_then_succeeds(
    clock: VirtualClock, receiver: Callable[..., Receiver]
) -> None:
    def respond(request: dict[str, Any]) -> tuple[int, bytes]:
        if len(server.requests) <= 2:
            return 503, b'{"error": "busy"}'
        return 200, json.dumps({"owner": "Ada", "path": request["path"]}).encode()

    server = receiver(respond)
    model = service_model(
        "lookup",
        "http",
        {
            "url": f'="{server.url}/parcels/" + parcel',
            "method": "GET",
            "headers": '={"X-Case": caseId}',
            "timeout": "5",
            "resultExpression": "={owner: response.body.owner, httpStatus: response.status}",
        },
        retries=3,
    )
    services.deploy([("lookup.bpmn", model)])
    instance = services.start_instance("lookup", variables={"parcel": "A12", "caseId": "C-9"})
    run_due(clock, 4)
    assert services.get_instance(instance.pk).status == "completed"
    assert services.variables(instance.pk)["owner"] == "Ada"
    assert services.variables(instance.pk)["httpStatus"] == 200
    assert [r["path"] for r in server.requests] == ["/parcels/A12"] * 3
    keys = [r["headers"]["Idempotency-Key"] for r in server.requests]
    assert len(set(keys)) == 3  # one key per attempt
    assert all(r["headers"]["X-Case"] == "C-9" for r in server.requests)
    assert keys[-1] == idempotency_key(instance.pk, _element_instance(instance.pk), 3)
    assert not Incident.objects.exists()


def _element_instance(instance_id: object) -> int:
    events = services.history_events(instance_id)  # type: ignore[arg-type]
    return next(e.owner for e in events if type(e).__name__ == "JobCreated")  # type: ignore[attr-defined]


def test_http_that_never_recovers_ends_in_an_incident(clock: VirtualClock, receiver: Callable[..., Receiver]) -> None:
    server = receiver(lambda _r: (500, b"{}"))
    services.deploy([("broken.bpmn", service_model("broken", "http", {"url": server.url}, retries=2))])
    instance = services.start_instance("broken")
    run_due(clock, 4)
    assert len(server.requests) == 2
    [incident] = Incident.objects.filter(instance_id=instance.pk)
    assert "500" in incident.message
    assert Job.objects.get(instance_id=instance.pk).due_at is None
