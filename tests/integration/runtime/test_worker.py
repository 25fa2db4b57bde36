"""The worker in-process: claims in due order, runs chains of service jobs, retries, timers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import jobs, services
from civicflow.runtime.models import HistoryEvent, Job
from civicflow.runtime.worker import Worker, WorkerOptions, claim, next_due, run_batch

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def probe() -> Iterator[list[dict[str, Any]]]:
    """A ``probe`` job handler that records the variables it saw and can be told to fail."""
    seen: list[dict[str, Any]] = []

    def handler(job: Job) -> dict[str, Any]:
        variables = jobs.job_variables(job)
        seen.append(variables)
        if variables.get("fail"):
            raise ConnectionError("registry down")
        return {"probed": True}

    jobs.HANDLERS["probe"] = handler
    yield seen
    del jobs.HANDLERS["probe"]


def _run(max_jobs: int, **options: Any) -> int:
    return Worker(WorkerOptions(max_jobs=max_jobs, poll_interval=0.05, **options)).run()


def test_the_worker_finishes_every_instance_with_full_history(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "service.bpmn"])
    started = [services.start_instance("service") for _ in range(25)]
    assert _run(25, batch_size=10) == 25
    for instance in started:
        assert services.get_instance(instance.pk).status == "completed"
        assert HistoryEvent.objects.filter(instance_id=instance.pk, type="JobCompleted").count() == 1
    assert not Job.objects.exists()


def test_a_chain_of_service_jobs_runs_in_one_batch_and_handlers_see_fresh_variables(
    clock: VirtualClock, models: Path, probe: list[dict[str, Any]]
) -> None:
    services.deploy([models / "chain.bpmn"])
    instance = services.start_instance("chain", variables={"caseId": "K-7"})
    [job] = Job.objects.all()
    claimed = claim("test-owner", 10, clock.now(), timedelta(minutes=5))
    assert [j.pk for j in claimed] == [job.pk]
    result = run_batch(claimed)
    assert (result.completed, result.instances, result.released) == (3, 1, [])
    assert probe == [{"caseId": "K-7"}]
    assert services.get_instance(instance.pk).status == "completed"
    assert services.variables(instance.pk) == {"caseId": "K-7", "probed": True}
    assert not Job.objects.exists()


def test_a_failing_handler_retries_with_backoff_then_raises_an_incident(
    clock: VirtualClock, models: Path, probe: list[dict[str, Any]]
) -> None:
    services.deploy([models / "chain.bpmn"])
    instance = services.start_instance("chain", variables={"fail": True})
    assert _run(1) == 1  # the first job, then the chained probe fails: left due for a normal claim
    [job] = Job.objects.all()
    assert (job.element_id, job.retries) == ("b", 3)
    for left in (2, 1):
        claimed = claim("test-owner", 10, clock.now(), timedelta(minutes=5))
        assert [j.pk for j in claimed] == [job.pk]
        run_batch(claimed)
        job.refresh_from_db()
        assert (job.retries, job.last_error, job.lock_owner) == (left, "ConnectionError: registry down", None)
        assert job.due_at == clock.now() + jobs.backoff(job.attempts)
        assert claim("test-owner", 10, clock.now(), timedelta(minutes=5)) == []  # backing off
        clock.advance(jobs.backoff(job.attempts))
    run_batch(claim("test-owner", 10, clock.now(), timedelta(minutes=5)))
    job.refresh_from_db()
    assert (job.retries, job.due_at) == (0, None)
    [incident] = services.incidents(instance_id=instance.pk)
    assert (incident.kind, incident.element_id) == ("job-failed", "b")
    assert services.get_instance(instance.pk).status == "active"


def test_timers_fire_in_due_order_when_due(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "timer.bpmn"])
    first = services.start_instance("reminder")
    clock.advance(timedelta(minutes=10))
    second = services.start_instance("reminder")
    assert next_due(clock.now()) == clock.now() + timedelta(minutes=50)
    assert claim("test-owner", 10, clock.now(), timedelta(minutes=5)) == []
    clock.advance(timedelta(hours=1))
    claimed = claim("test-owner", 10, clock.now(), timedelta(minutes=5))
    assert [j.instance_id for j in claimed] == [first.pk, second.pk]
    run_batch(claimed)
    assert {services.get_instance(i.pk).status for i in (first, second)} == {"completed"}


def test_an_expired_claim_is_taken_over(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "service.bpmn"])
    services.start_instance("service")
    dead = claim("dead-worker", 10, clock.now(), timedelta(seconds=30))
    assert len(dead) == 1
    assert claim("live-worker", 10, clock.now(), timedelta(seconds=30)) == []
    clock.advance(timedelta(seconds=31))
    [taken] = claim("live-worker", 10, clock.now(), timedelta(seconds=30))
    assert (taken.pk, taken.attempts) == (dead[0].pk, 2)
    assert run_batch([taken]).completed == 1
