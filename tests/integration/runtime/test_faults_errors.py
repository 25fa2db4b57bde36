"""Errors a worker meets end in a clear message or an incident, never in a lost instance."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.errors import DeploymentError
from civicflow.runtime.models import HistoryEvent, Job, ProcessInstance
from civicflow.runtime.worker import Worker, WorkerOptions
from support.faults import CIVICFLOW, database_url, spawn_worker, wait_for

BAD_FEEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="x">
  <bpmn:process id="service" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:exclusiveGateway id="gw" default="f3"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">= amount &gt; (</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _worker(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CIVICFLOW), "worker", *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "CIVICFLOW_DATABASE_URL": url, "CIVICFLOW_INSTANCE_DIR": str(tmp_path / "inst")}


def test_an_unreachable_database_stops_the_worker_with_one_line(tmp_path: Path) -> None:
    result = _worker(_env(tmp_path, "postgres://postgres@127.0.0.1:9/nowhere"))
    assert result.returncode == 1
    assert result.stderr.startswith("civicflow: error: the database is unreachable: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unmigrated_database_and_a_missing_handler_module_are_named(tmp_path: Path) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path}/empty.sqlite3")
    result = _worker(env)
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "civicflow: error: the database is not migrated (run 'civicflow manage migrate')",
    )
    result = _worker(env, "--handlers", "no_such_module")
    assert result.returncode == 1
    assert result.stderr.startswith("civicflow: error: cannot import handler module 'no_such_module'")


def test_a_second_worker_on_one_sqlite_database_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path}/db.sqlite3")
    subprocess.run([str(CIVICFLOW), "manage", "migrate", "-v0"], env=env, check=True, timeout=60)
    first = subprocess.Popen([str(CIVICFLOW), "worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        lock = tmp_path / "db.sqlite3.worker-lock"
        wait_for(lambda: lock.exists() and lock.read_text().startswith("pid"), 20, "the first worker to start")
        second = _worker(env)
        assert second.returncode == 1
        assert "another civicflow worker" in second.stderr
        assert "SQLite supports one worker (use PostgreSQL to run several)" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=20) == 0


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_model_that_fails_to_compile_is_refused_and_running_instances_carry_on(
    clock: VirtualClock, models: Path
) -> None:
    services.deploy([models / "service.bpmn"])
    running = services.start_instance("service")
    with pytest.raises(DeploymentError, match="BPMN011"):
        services.deploy([("service.bpmn", BAD_FEEL)])
    assert services.definition_for("service").version == 1
    assert Worker(WorkerOptions(max_jobs=1, poll_interval=0.05)).run() == 1
    assert services.get_instance(running.pk).status == "completed"


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_job_type_without_handler_raises_an_incident_not_a_lost_instance(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "two_records.bpmn"])  # 'fault-record' is not registered in this process
    instance = services.start_instance("two_records")
    assert Worker(WorkerOptions(max_jobs=1, poll_interval=0.05)).run() == 1
    [incident] = services.incidents(instance_id=instance.pk)
    assert (incident.kind, incident.element_id) == ("job-failed", "first")
    assert "no handler for job type 'fault-record'" in incident.message
    [job] = Job.objects.all()
    assert (job.due_at, job.lock_owner) == (None, None)  # parked until staff retry the incident
    assert services.get_instance(instance.pk).status == "active"


def _runs() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM fault_runs")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_sigterm_finishes_the_job_in_hand_and_releases_the_rest(models: Path, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a shared server database (runs in the PostgreSQL pass)")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE fault_runs (instance_id text, element_id text, pid integer)")
    try:
        services.deploy([models / "two_records.bpmn"])
        started = [services.start_instance("two_records").pk for _ in range(20)]
        log = tmp_path / "worker.log"
        worker = spawn_worker(database_url(), log, "--batch-size", "20", env={"FAULT_SLEEP": "0.1"})
        wait_for(lambda: Job.objects.filter(lock_owner__isnull=False).count() == 20, 20, "the worker to claim")
        # signal only once a job is in hand (its handler has recorded itself): on a loaded machine
        # the signal could otherwise arrive between the claim and the first job, and nothing runs
        wait_for(lambda: _runs() > 0, 20, "the first job to start")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
        assert "stopping: finishing the current jobs" in log.read_text()
        assert not Job.objects.filter(lock_owner__isnull=False).exists()  # unstarted claims given back
        # the job in hand (and its instance's next ones, in the same batch) committed; nothing else ran
        done = HistoryEvent.objects.filter(type="JobCompleted").count()
        assert 0 < done < 40
        assert Job.objects.count() == 20 - ProcessInstance.objects.filter(pk__in=started, status="completed").count()
        worker = spawn_worker(database_url(), log)
        wait_for(lambda: not ProcessInstance.objects.filter(status="active").exists(), 30, "a new worker to finish")
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE fault_runs")
