"""civicflow.client end to end over the WSGI app: deploy, start, user tasks, messages, and the
external-task worker loop completing a service task of topic ``registry-lookup``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from civicflow.client import BpmnError, CivicFlowClient, ExternalTask, ExternalTaskWorker, Failure, ProblemError

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def make_client(token: Callable[..., str]) -> Iterator[Callable[..., CivicFlowClient]]:
    from civicflow.site.wsgi import application

    made: list[CivicFlowClient] = []

    def make(*scopes: str) -> CivicFlowClient:
        client = CivicFlowClient("http://testserver", token(*scopes), transport=httpx.WSGITransport(app=application))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_a_service_task_is_done_by_the_external_worker(
    make_client: Callable[..., CivicFlowClient], models: Path
) -> None:
    admin = make_client("admin")
    deployed = admin.deploy([models / "registry.bpmn"], name="registry")
    assert [p["processId"] for p in deployed["processes"]] == ["registry"]
    instance = admin.start("registry", business_key="R-1", variables={"bsn": "999"})
    assert instance.status == "active"

    worker = ExternalTaskWorker(make_client("work:registry-lookup"), worker_id="registry-1", wait=timedelta(0))
    seen: list[ExternalTask] = []

    @worker.topic("registry-lookup", lock_duration=timedelta(seconds=30))
    def lookup(task: ExternalTask) -> dict[str, object]:
        seen.append(task)
        return {"name": f"person {task.variables['bsn']}"}

    assert worker.run(max_tasks=1) == 1
    assert [t.instance_id for t in seen] == [instance.id]
    assert admin.instance(instance.id).status == "completed"
    assert admin.variables(instance.id) == {"bsn": "999", "name": "person 999"}


def test_handler_outcomes_bpmn_error_and_failure(make_client: Callable[..., CivicFlowClient], models: Path) -> None:
    admin = make_client("admin")
    admin.deploy([models / "registry.bpmn"])
    unknown = admin.start("registry", variables={"bsn": "0"})
    flaky = admin.start("registry", variables={"bsn": "1"})
    worker = ExternalTaskWorker(make_client("work:*"), worker_id="w", wait=timedelta(0))

    @worker.topic("registry-lookup")
    def lookup(task: ExternalTask) -> None:
        if task.variables["bsn"] == "0":
            raise BpmnError("UNKNOWN_PERSON", "no such person")
        raise Failure("registry down", retries=0)

    assert worker.run_once() == 2
    assert admin.instance(unknown.id).status == "completed"
    assert admin.instance(flaky.id).has_incident


def test_client_user_tasks_messages_and_problems(make_client: Callable[..., CivicFlowClient], models: Path) -> None:
    admin = make_client("admin")
    admin.deploy([models / "permit.bpmn", models / "wait.bpmn"])
    first = admin.start("permit", idempotency_key="k-1")
    assert admin.start("permit", idempotency_key="k-1").id == first.id
    [task] = admin.tasks(candidate_group="permits", unassigned=True)
    assert admin.complete(task.id, {"approved": True}).status == "completed"
    waiting = admin.start("wait", variables={"caseId": "C-7"})
    assert admin.correlate("documents-received", "C-7").instance_id == waiting.id
    assert admin.correlate("documents-received", "C-8", ttl=timedelta(hours=1)).buffered
    assert admin.signal("go") == [waiting.id]
    with pytest.raises(ProblemError) as refused:
        make_client("read").start("permit")
    assert refused.value.status == 403
    with pytest.raises(ProblemError) as missing:
        admin.instance("00000000-0000-0000-0000-000000000000")
    assert (missing.value.status, missing.value.type.rsplit("/", 1)[-1]) == (404, "not-found")
