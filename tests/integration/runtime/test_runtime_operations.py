"""Operations: optimistic-lock retries, incidents, migration, token moves, history cleanup."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from civicflow.engine import VirtualClock
from civicflow.runtime import services, step
from civicflow.runtime.errors import ConcurrencyError, MigrationRefusedError
from civicflow.runtime.models import HistoryEvent, ProcessInstance, UserTask

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_concurrent_update_is_retried_transparently(
    clock: VirtualClock, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.deploy([models / "permit.bpmn"])
    instance = services.start_instance("permit")
    [task] = services.tasks()
    real = step._execute
    calls: list[int] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            # another process commits a change between our read and our write
            services.set_variables(instance.pk, {"note": "changed meanwhile"})
        return real(*args, **kwargs)

    monkeypatch.setattr(step, "_execute", racing)
    done = services.complete_task(task.pk, {"approved": True})
    assert done.status == "completed"
    assert len(calls) == 3  # ours, the concurrent one, ours again on the fresh state
    stored = ProcessInstance.objects.get(pk=instance.pk)
    assert stored.version == 3
    assert services.variables(instance.pk) == {"note": "changed meanwhile", "approved": True}
    assert [r.seq for r in services.history(instance.pk)] == list(range(stored.event_count))


def test_conflicts_that_never_end_give_up_with_a_clear_error(
    clock: VirtualClock, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.deploy([models / "permit.bpmn"])
    instance = services.start_instance("permit")
    real = step._execute

    def always_racing(*args: Any, **kwargs: Any) -> Any:
        ProcessInstance.objects.filter(pk=instance.pk).update(
            version=ProcessInstance.objects.get(pk=instance.pk).version + 1
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(step, "_execute", always_racing)
    with pytest.raises(ConcurrencyError, match="kept changing"):
        services.set_variables(instance.pk, {"x": 1})


def test_a_failing_script_raises_an_incident_that_can_be_retried(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "failing_script.bpmn"])
    instance = services.start_instance("failing", variables={"area": 40})
    assert instance.status == "active"
    assert instance.has_incident
    [incident] = services.incidents(instance_id=instance.pk)
    assert (incident.element_id, incident.state) == ("compute", "open")
    assert "rate" in incident.message

    services.set_variables(instance.pk, {"rate": 2})
    done = services.retry_incident(incident.pk)
    assert done.status == "completed"
    assert not done.has_incident
    assert services.variables(instance.pk)["fee"] == 80
    assert list(services.incidents()) == []


def test_modify_moves_a_token(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit_v2.bpmn"])
    instance = services.start_instance("permit")
    services.modify_instance(instance.pk, terminate=["review"], activate=["approve"])
    assert [t.element_id for t in services.tasks()] == ["approve"]
    assert UserTask.objects.get(element_id="review").state == "canceled"


def test_migration_to_a_new_version(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    running = [services.start_instance("permit") for _ in range(2)]
    services.deploy([("permit.bpmn", (models / "permit_v2.bpmn").read_bytes())])

    migrated = services.migrate_instances("permit:1", "permit:2")
    assert sorted(map(str, migrated)) == sorted(str(i.pk) for i in running)
    for instance in running:
        assert services.get_instance(instance.pk).definition.key == "permit:2"
    # the migrated instance runs the new version's path: review -> score -> approve
    [task, _] = services.tasks()
    services.complete_task(task.pk)
    assert [t.element_id for t in services.tasks(instance_id=task.instance_id)] == ["approve"]
    assert services.variables(task.instance_id)["score"] == 1
    assert HistoryEvent.objects.filter(type="InstanceMigrated").count() == 2


def test_an_unsafe_migration_is_refused_with_every_reason(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    instance = services.start_instance("permit")
    services.deploy([("permit.bpmn", (models / "permit_v2.bpmn").read_bytes())])

    with pytest.raises(MigrationRefusedError) as refused:
        services.migrate_instances("permit:1", "permit:2", {"review": "score", "ghost": "approve"})
    reasons = refused.value.reasons
    assert "mapping names 'ghost', which is not in permit:1 (1 instance)" in reasons
    assert any("'review' is a userTask but 'score' in permit:2 is a scriptTask" in r for r in reasons)
    assert services.get_instance(instance.pk).definition.key == "permit:1"

    with pytest.raises(MigrationRefusedError, match="'review' is active but 'gone' is missing in permit:2"):
        services.migrate_instances("permit:1", "permit:2", {"review": "gone"})


def test_history_cleanup_removes_finished_instances_past_retention(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    old = services.start_instance("permit")
    services.complete_task(services.tasks(instance_id=old.pk)[0].pk)
    clock.advance(timedelta(days=40))
    recent = services.start_instance("permit")
    services.complete_task(services.tasks(instance_id=recent.pk)[0].pk)
    running = services.start_instance("permit")
    clock.advance(timedelta(days=1))

    result = services.history_cleanup(timedelta(days=30))
    assert result.instances == 1
    assert result.history_events > 0
    assert set(ProcessInstance.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not HistoryEvent.objects.filter(instance_id=old.pk).exists()
    assert not UserTask.objects.filter(instance_id=old.pk).exists()


def test_the_worker_cleans_history_when_a_retention_is_configured(clock: VirtualClock, models: Path) -> None:
    from civicflow.runtime.worker import Worker, WorkerOptions

    services.deploy([models / "permit.bpmn"])
    old = services.start_instance("permit")
    services.complete_task(services.tasks(instance_id=old.pk)[0].pk)
    clock.advance(timedelta(days=8))
    running = services.start_instance("permit")

    assert Worker(WorkerOptions()).housekeep(force=True) is None  # no retention: never cleans
    worker = Worker(WorkerOptions(history_retention=timedelta(days=7), housekeeping_interval=3600))
    result = worker.housekeep()
    assert result is not None
    assert result.instances == 1
    assert set(ProcessInstance.objects.values_list("pk", flat=True)) == {running.pk}
    assert worker.housekeep() is None  # not again before the interval has passed
