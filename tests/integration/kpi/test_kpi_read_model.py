"""The KPI read models, kept up to date in small batches, equal a from-scratch computation.

The oracle reads the runtime's own tables (instances, user tasks, candidates, incidents) and walks
each instance's history by sequence number; the projection reads history by id in batches.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from civicflow.kpi import (
    CaseOutcome,
    CaseRecord,
    IncidentRecord,
    KpiInput,
    Period,
    PeriodKind,
    StageRecord,
    TaskRecord,
    compute_kpis,
)
from civicflow.mining import BusinessCalendar
from civicflow.runtime.demo import load
from civicflow.runtime.kpi_projection import KpiProjector, catch_up
from civicflow.runtime.kpi_sources import definition_for, read_model_input
from civicflow.runtime.models import (
    HistoryEvent,
    Incident,
    KpiCase,
    KpiCursor,
    ProcessInstance,
    TaskCandidate,
    UserTask,
)
from civicflow.services import REFERENCE_SERVICES

pytestmark = pytest.mark.django_db

START = datetime(2025, 1, 6, tzinfo=UTC)


def _from_scratch(process_id: str) -> KpiInput:
    instances = list(ProcessInstance.objects.filter(definition__process_id=process_id, parent__isnull=True))
    ids = [instance.pk for instance in instances]
    cases = tuple(
        CaseRecord(
            case_id=str(i.pk),
            service=process_id,
            started=i.started,
            ended=i.ended,
            outcome=CaseOutcome.OPEN if i.status == "active" else CaseOutcome(i.status),
        )
        for i in instances
    )
    groups = dict(TaskCandidate.objects.filter(task__instance_id__in=ids, kind="group").values_list("task_id", "name"))
    stage_open: dict[tuple[str, int], tuple[str, datetime]] = {}
    stages: list[StageRecord] = []
    canceled: dict[tuple[str, int], datetime] = {}
    for row in HistoryEvent.objects.filter(instance_id__in=ids).order_by("instance_id", "seq"):
        case, key = str(row.instance_id), int(row.payload.get("key", 0))
        if row.type == "ElementActivated" and row.payload.get("scope"):
            stage_open[(case, key)] = (row.element_id or "", row.timestamp)
        elif row.type in {"ElementCompleted", "ElementTerminated"} and (case, key) in stage_open:
            element, started = stage_open.pop((case, key))
            stages.append(
                StageRecord(
                    case_id=case,
                    element=element,
                    started=started,
                    ended=row.timestamp,
                    terminated=row.type == "ElementTerminated",
                )
            )
        elif row.type == "TaskCanceled":
            canceled[(case, key)] = row.timestamp
    stages += [StageRecord(case_id=c, element=e, started=s) for (c, _k), (e, s) in stage_open.items()]
    tasks = tuple(
        TaskRecord(
            case_id=str(t.instance_id),
            task_type=t.element_id,
            department=groups.get(t.pk, ""),
            created=t.created,
            completed=t.completed if t.state == "completed" else None,
            canceled=canceled.get((str(t.instance_id), t.key)),
        )
        for t in UserTask.objects.filter(instance_id__in=ids)
    )
    incidents = tuple(
        IncidentRecord(case_id=str(i.instance_id), element=i.element_id, raised=i.created)
        for i in Incident.objects.filter(instance_id__in=ids)
    )
    return KpiInput(cases=cases, stages=tuple(stages), tasks=tasks, incidents=incidents)


def _relevant(rows: KpiInput, period: Period) -> KpiInput:
    """The cases a period report reads: started before its end and not ended before its start."""
    cases = tuple(c for c in rows.cases if c.started < period.end and (c.ended is None or c.ended >= period.start))
    ids = {c.case_id for c in cases}
    return KpiInput(
        cases=cases,
        stages=tuple(r for r in rows.stages if r.case_id in ids),
        tasks=tuple(r for r in rows.tasks if r.case_id in ids),
        incidents=tuple(r for r in rows.incidents if r.case_id in ids),
    )


def _same(a: KpiInput, b: KpiInput) -> None:
    def key(rows: tuple[object, ...]) -> list[str]:
        return sorted(map(repr, rows))

    assert key(a.cases) == key(b.cases)
    assert key(a.stages) == key(b.stages)
    assert key(a.tasks) == key(b.tasks)
    assert key(a.incidents) == key(b.incidents)


@pytest.mark.postgres
def test_read_model_in_small_batches_equals_a_from_scratch_computation() -> None:
    load(40, rng=random.Random(5), start=START, months=1)
    projector = KpiProjector(batch_size=97, gap_grace=0.0)  # many batches: updates cross batch edges
    first = 0
    while read := projector.advance():
        first += read
    assert first == HistoryEvent.objects.count()
    # more history arrives; the cursor picks up where it stopped
    load(20, rng=random.Random(6), start=START, months=1)
    assert catch_up(batch_size=311) == HistoryEvent.objects.count() - first
    assert KpiCursor.objects.get().last_id == HistoryEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert catch_up() == 0  # up to date: nothing read again

    everything = Period(
        kind=PeriodKind.YEAR, label="all", start=datetime(2000, 1, 1, tzinfo=UTC), end=START.replace(year=2100)
    )
    calendar = BusinessCalendar.of(timezone="Europe/Amsterdam")
    checked = 0
    for service in REFERENCE_SERVICES:
        expected = _from_scratch(service.process_id)
        actual = read_model_input(service.process_id, everything)
        _same(actual, expected)
        definition = definition_for(service, calendar=calendar)
        month = Period.of(PeriodKind.MONTH, START.date())
        now = datetime(2025, 3, 1, tzinfo=UTC)
        assert compute_kpis(definition, read_model_input(service.process_id, month), month, now=now) == compute_kpis(
            definition, _relevant(expected, month), month, now=now
        )
        checked += len(expected.cases)
    assert checked == KpiCase.objects.count() == 60


def test_the_worker_step_applies_new_history_and_waits_on_a_fresh_gap() -> None:
    from civicflow.runtime import kpi_projection

    load(6, rng=random.Random(9), service_ids=["record_transfer"], start=START, months=1)
    assert kpi_projection.advance() == HistoryEvent.objects.count()
    assert KpiCase.objects.count() == 6
    # a gap after the cursor (an insert not yet committed) holds the projector back for its grace time
    last = KpiCursor.objects.get().last_id
    ticks = iter([START, START + timedelta(seconds=1)])
    projector = KpiProjector(batch_size=50, gap_grace=10.0, clock=lambda: next(ticks))
    row = HistoryEvent.objects.order_by("-pk").first()
    assert row is not None
    HistoryEvent.objects.create(
        pk=last + 2,
        instance_id=row.instance_id,
        seq=row.seq + 1,
        type="VariablesSet",
        payload={},
        timestamp=row.timestamp,
    )
    assert projector.advance() == 0  # first sight of the gap at t=0
    assert KpiCursor.objects.get().gap_id == last + 2  # noted on the cursor: any process may pass it later
    assert projector.advance() == 0  # t=1: still within the grace
    # another process (the CLI, a second worker) reads the time the gap was first seen from the cursor
    later = KpiProjector(gap_grace=10.0, clock=lambda: START + timedelta(seconds=11))
    assert later.advance() == 1  # t=11: taken for a rolled-back insert and passed
    cursor = KpiCursor.objects.get()
    assert (cursor.last_id, cursor.gap_id, cursor.gap_seen) == (last + 2, None, None)
