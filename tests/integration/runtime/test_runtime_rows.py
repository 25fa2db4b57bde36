"""Plain SQL rows (civicflow.runtime.rows) read and write exactly what the ORM reads and writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError

from civicflow.engine import VirtualClock
from civicflow.runtime import services
from civicflow.runtime.models import HistoryEvent, Job, JobKind, ProcessInstance, TaskState, UserTask
from civicflow.runtime.rows import delete_by_keys, get_row, insert_rows, update_by_keys, update_instances, values_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="rows" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="check" name="Check"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

_FIELDS = ("type", "element_id", "payload", "timestamp")


def _two_instances() -> tuple[ProcessInstance, ProcessInstance]:
    services.deploy([("rows.bpmn", _MODEL)])
    return services.start_instance("rows"), services.start_instance("rows")


def test_inserted_rows_read_back_as_bulk_create_rows_do(clock: VirtualClock) -> None:
    a, _ = _two_instances()
    cet = timezone(timedelta(hours=1))
    rows = [
        {"type": "Custom", "element_id": None, "payload": {}, "timestamp": datetime(2025, 3, 1, 10, tzinfo=cet)},
        {"type": "Custom", "element_id": "x", "payload": {"n": [1, 2.5, None], "s": 'é"'}, "timestamp": clock.now()},
        {"type": "Other", "element_id": "y", "payload": {"nested": {"ok": True}}, "timestamp": clock.now()},
    ]
    plain = [HistoryEvent(instance_id=a.pk, seq=100 + i, **row) for i, row in enumerate(rows)]
    orm = [HistoryEvent(instance_id=a.pk, seq=200 + i, **row) for i, row in enumerate(rows)]
    insert_rows(HistoryEvent, plain)
    HistoryEvent.objects.bulk_create(orm)

    stored = HistoryEvent.objects.filter(instance_id=a.pk, seq__gte=100).order_by("seq")
    by_plain = [tuple(getattr(r, f) for f in _FIELDS) for r in stored if r.seq < 200]
    by_orm = [tuple(getattr(r, f) for f in _FIELDS) for r in stored if r.seq >= 200]
    assert by_plain == by_orm == [tuple(row[f] for f in _FIELDS) for row in rows]


def test_inserted_tasks_get_their_ids(clock: VirtualClock) -> None:
    a, _ = _two_instances()
    tasks = [
        UserTask(instance_id=a.pk, key=900 + i, element_instance=1, element_id=f"t{i}", created=clock.now())
        for i in range(3)
    ]
    insert_rows(UserTask, tasks, returning_ids=True)
    assert [t.pk for t in tasks] == list(
        UserTask.objects.filter(instance_id=a.pk, key__gte=900).order_by("key").values_list("pk", flat=True)
    )
    assert len({t.pk for t in tasks}) == 3


def test_get_row_reads_the_object_the_orm_reads(clock: VirtualClock) -> None:
    a, _ = _two_instances()
    names = ("definition_id", "state", "version", "status", "started")
    plain = get_row(ProcessInstance, a.pk, names)
    orm = ProcessInstance.objects.filter(pk=a.pk).only(*names).first()
    assert plain is not None
    assert orm is not None
    assert plain.get_deferred_fields() == orm.get_deferred_fields()
    assert [getattr(plain, n) for n in ("id", *names)] == [getattr(orm, n) for n in ("id", *names)]
    assert plain.started.tzinfo is not None

    whole = get_row(ProcessInstance, str(a.pk))  # the id as text works as it does with the ORM
    assert whole is not None
    assert not whole.get_deferred_fields()
    assert whole.ended == orm.ended
    assert get_row(ProcessInstance, "00000000-0000-4000-8000-000000000000") is None
    with pytest.raises(ValidationError):
        get_row(ProcessInstance, "not-a-uuid")


def test_keyed_updates_and_deletes_touch_only_the_named_keys(clock: VirtualClock) -> None:
    a, b = _two_instances()
    task_a = UserTask.objects.get(instance_id=a.pk)
    task_b = UserTask.objects.get(instance_id=b.pk)
    assert task_a.key == task_b.key  # the same engine key in both instances

    assert update_by_keys(UserTask, a.pk, [task_a.key], state=TaskState.COMPLETED, completed=clock.now()) == 1
    task_a.refresh_from_db()
    task_b.refresh_from_db()
    assert (task_a.state, task_a.completed) == (TaskState.COMPLETED, clock.now())
    assert (task_b.state, task_b.completed) == (TaskState.CREATED, None)

    jobs = [
        Job(instance_id=i, key=k, element_instance=1, element_id="e", kind=JobKind.SERVICE, type="t", due_at=None)
        for i in (a.pk, b.pk)
        for k in (7, 8, 9)
    ]
    insert_rows(Job, jobs)
    assert delete_by_keys(Job, [(a.pk, {7, 9}), (b.pk, {8}), (b.pk, set())]) == 3
    left = set(Job.objects.filter(type="t").values_list("instance_id", "key"))
    assert left == {(a.pk, 8), (b.pk, 7), (b.pk, 9)}


def test_instance_updates_check_the_version(clock: VirtualClock) -> None:
    a, b = _two_instances()
    ended = datetime(2025, 4, 1, 12, tzinfo=UTC)
    matched = update_instances(
        [
            (a.pk, a.version, "{}", 9, "completed", True, ended),
            (b.pk, b.version + 1, "{}", 9, "completed", True, ended),  # stale: somebody else wrote it
        ]
    )
    assert matched == {a.pk}
    a_row, b_row = ProcessInstance.objects.get(pk=a.pk), ProcessInstance.objects.get(pk=b.pk)
    assert (a_row.version, a_row.event_count, a_row.status, a_row.has_incident, a_row.ended) == (
        a.version + 1,
        9,
        "completed",
        True,
        ended,
    )
    assert (b_row.version, b_row.status, b_row.ended) == (b.version, "active", None)

    assert update_instances([(a.pk, a.version + 1, "{}", 10, "completed", False, None)]) == {a.pk}
    assert ProcessInstance.objects.get(pk=a.pk).ended == ended  # None keeps the end time


def test_values_in_reads_what_values_list_reads(clock: VirtualClock) -> None:
    a, b = _two_instances()
    names = ("id", "state", "version", "status")
    ids = [a.pk, b.pk, "00000000-0000-4000-8000-000000000000"]
    expected = set(ProcessInstance.objects.filter(pk__in=ids).values_list(*names))
    assert set(values_in(ProcessInstance, ids, names)) == expected
    assert len(expected) == 2
    assert values_in(ProcessInstance, [], names) == []


def test_values_in_keeps_the_order_of_the_keys_asked(clock: VirtualClock) -> None:
    a, b = _two_instances()
    # against key order, the order SQLite reads an IN list in; a key asked twice reads once
    high, low = sorted([a.pk, b.pk], reverse=True)
    assert values_in(ProcessInstance, [high, str(low), high], ("id",)) == [(high,), (low,)]
