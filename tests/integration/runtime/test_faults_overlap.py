"""Four workers on one queue never run one job twice: every execution is recorded under a unique key."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from civicflow.runtime import services
from civicflow.runtime.models import HistoryEvent, Incident, Job, ProcessInstance
from support.faults import database_url, spawn_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def fault_runs() -> Iterator[None]:
    with connection.cursor() as cursor:
        # a second execution of any job (same instance and element) violates this constraint, so
        # the handler raises and the job fails: visible as JobFailed history and incidents
        cursor.execute(
            "CREATE TABLE fault_runs (instance_id text, element_id text, pid integer, UNIQUE (instance_id, element_id))"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE fault_runs")


def test_concurrent_workers_run_each_job_exactly_once(models: Path, tmp_path: Path, fault_runs: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("several workers need a shared server database (runs in the PostgreSQL pass)")
    services.deploy([models / "two_records.bpmn"])
    started = [services.start_instance("two_records").pk for _ in range(150)]
    url = database_url()
    log = tmp_path / "workers.log"
    workers = [spawn_worker(url, log, "--batch-size", "2", "--concurrency", "2") for _ in range(4)]
    try:
        more = [services.start_instance("two_records").pk for _ in range(150)]  # while they work
        wait_for(lambda: not ProcessInstance.objects.filter(status="active").exists(), 40, "every instance to complete")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(timeout=20) == 0
    everything = started + more
    assert ProcessInstance.objects.filter(pk__in=everything, status="completed").count() == 300
    assert not HistoryEvent.objects.filter(type="JobFailed").exists()
    assert not Incident.objects.exists()
    assert not Job.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT pid) FROM fault_runs")
        runs, pids = cursor.fetchone()
    assert runs == 600
    assert pids > 1  # the work really was shared
