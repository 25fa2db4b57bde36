"""kill -9 workers in the middle of jobs, round after round: every instance completes exactly once."""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from civicflow.runtime import services
from civicflow.runtime.models import HistoryEvent, Job, ProcessInstance
from support.faults import database_url, spawn_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

ROUNDS = 5


@pytest.fixture
def fault_runs() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE fault_runs (instance_id text, element_id text, pid integer)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE fault_runs")


def test_killed_workers_lose_no_job_and_complete_every_instance_once(
    models: Path, tmp_path: Path, fault_runs: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a shared server database (runs in the PostgreSQL pass)")
    services.deploy([models / "two_records.bpmn"])
    url = database_url()
    log = tmp_path / "workers.log"
    # short locks so a killed worker's claims are taken over within the test; small batches and a
    # slow handler so the kills land in the middle of jobs
    args = ("--lock-seconds", "1", "--batch-size", "4", "--poll-interval", "0.2")
    env = {"FAULT_SLEEP": "0.004"}
    workers = [spawn_worker(url, log, *args, env=env) for _ in range(2)]
    rng = random.Random(5)
    started = []
    killed = 0
    try:
        for _round in range(ROUNDS):
            started += [services.start_instance("two_records").pk for _ in range(60)]
            wait_for(lambda: Job.objects.filter(lock_owner__isnull=False).exists(), 10, "a worker to claim jobs")
            victim = workers.pop(rng.randrange(len(workers)))
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
            killed += 1
            workers.append(spawn_worker(url, log, *args, env=env))
        wait_for(lambda: not ProcessInstance.objects.filter(status="active").exists(), 40, "every instance to complete")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)
    assert killed == ROUNDS
    assert ProcessInstance.objects.filter(pk__in=started, status="completed").count() == len(started)
    completed = HistoryEvent.objects.filter(type="InstanceCompleted").values_list("instance_id", flat=True)
    assert sorted(map(str, completed)) == sorted(map(str, started))  # each exactly once
    assert HistoryEvent.objects.filter(type="JobCompleted").count() == 2 * len(started)
    assert not Job.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT (instance_id, element_id)) FROM fault_runs")
        assert cursor.fetchone()[0] == 2 * len(started)  # every job ran (some twice: at least once)
