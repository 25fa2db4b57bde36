"""Starting instances, user tasks and their history rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from civicflow.engine import VirtualClock, replay
from civicflow.runtime import services
from civicflow.runtime.errors import CommandRefusedError, TaskOwnershipError
from civicflow.runtime.models import HistoryEvent, Outbox, ProcessInstance, UserTask

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_start_with_business_key_creates_a_task_for_the_departments(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    instance = services.start_instance("permit", business_key="P-2025-1", variables={"area": 40})

    assert instance.status == "active"
    assert instance.business_key == "P-2025-1"
    [task] = services.tasks(candidate_groups=["legal"])
    assert (task.element_id, task.name, task.form_key, task.state) == (
        "review",
        "Review application",
        "review-form",
        "created",
    )
    assert list(services.tasks(candidate_groups=["finance"])) == []
    assert services.variables(instance.pk) == {"area": 40}
    with pytest.raises(CommandRefusedError, match="business key 'P-2025-1'"):
        services.start_instance("permit", business_key="P-2025-1")


def test_the_same_idempotency_key_answers_the_same_instance(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    first = services.start_instance("permit", idempotency_key="req-7", variables={"n": 1})
    second = services.start_instance("permit", idempotency_key="req-7", variables={"n": 2})
    assert first.pk == second.pk
    assert ProcessInstance.objects.count() == 1


def test_completing_a_task_finishes_the_instance_and_writes_history(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    instance = services.start_instance("permit")
    [task] = services.tasks(candidate_groups=["permits"])
    services.claim_task(task.pk, "alice")
    with pytest.raises(TaskOwnershipError, match="claimed by alice"):
        services.complete_task(task.pk, {"approved": True}, user="bob")
    clock.advance(timedelta(minutes=5))
    done = services.complete_task(task.pk, {"approved": True}, user="alice")

    assert done.status == "completed"
    stored = ProcessInstance.objects.get(pk=instance.pk)
    assert stored.ended == clock.now()
    assert stored.version == 2
    task = UserTask.objects.get(pk=task.pk)
    assert (task.state, task.completed_by, task.completed) == ("completed", "alice", clock.now())
    rows = list(services.history(instance.pk))
    assert [r.seq for r in rows] == list(range(len(rows)))
    types = [r.type for r in rows]
    assert types[0] == "InstanceStarted"
    assert "TaskCreated" in types
    assert "TaskCompleted" in types
    assert types[-1] == "InstanceCompleted"
    assert stored.event_count == len(rows)
    # the history rebuilds the stored state exactly
    from civicflow.engine import loads_state

    assert replay(services.history_events(instance.pk)) == loads_state(stored.state)
    assert services.variables(instance.pk) == {"approved": True}
    assert list(Outbox.objects.values_list("event_type", flat=True)) == [
        "InstanceStarted",
        "TaskCreated",
        "TaskCompleted",
        "InstanceCompleted",
    ]
    with pytest.raises(CommandRefusedError):
        services.complete_task(task.pk)


def test_cancel_terminates_and_closes_open_work(clock: VirtualClock, models: Path) -> None:
    services.deploy([models / "permit.bpmn"])
    instance = services.start_instance("permit")
    canceled = services.cancel_instance(instance.pk, reason="withdrawn by the applicant")
    assert canceled.status == "terminated"
    assert UserTask.objects.get().state == "canceled"
    assert HistoryEvent.objects.filter(instance_id=instance.pk, type="InstanceTerminated").exists()
    with pytest.raises(CommandRefusedError, match="terminated"):
        services.cancel_instance(instance.pk)
