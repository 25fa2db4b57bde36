"""KPI inputs from the read models, and KPI definitions from the reference services' targets.

Only the cases that matter for the period are read (open at its start or started before its
end), with their stages, tasks and incidents. Portal rows (channel, drafts, satisfaction) live
above the runtime and are added by the caller (``civicflow.cli.kpi``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import F, FloatField, Func, Q, TextField
from django.db.models.functions import Cast

from civicflow.kpi import (
    CaseOutcome,
    CaseRecord,
    IncidentRecord,
    KpiDefinition,
    KpiInput,
    Period,
    StageDefinition,
    StageRecord,
    TaskRecord,
    parse_target,
)
from civicflow.mining import BusinessCalendar
from civicflow.runtime.models import KpiCase, KpiIncident, KpiStage, KpiTask
from civicflow.services import ReferenceService

__all__ = ["definition_for", "read_model_input", "timestamps"]

_CHUNK = 2000  # bounded IN lists on big periods


def definition_for(
    service: ReferenceService,
    *,
    calendar: BusinessCalendar,
    task_costs: Mapping[str, int] | None = None,
    language: str = "en",
) -> KpiDefinition:
    """The KPI definition of a reference service: its declared processing and stage targets."""
    targets = service.kpis
    return KpiDefinition(
        service=service.process_id,
        processing_target=parse_target(targets.processing_time, element=service.id),
        stages=tuple(
            StageDefinition(
                element=stage.element,
                label=stage.label.get(language),
                target=parse_target(stage.target, element=stage.element),
            )
            for stage in targets.stages
        ),
        calendar=calendar,
        task_costs=dict(task_costs or {}),
    )


def _chunks(ids: list[UUID]) -> Iterable[list[UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _epoch(name: str) -> Func:
    return Func(F(name), template="EXTRACT(EPOCH FROM %(expressions)s)::float8", output_field=FloatField())


def timestamps(*names: str) -> tuple[tuple[Any, ...], Callable[[Any], dt.datetime]]:
    """``values_list`` arguments reading the timestamp columns ``names`` cheaply, and the function
    that turns a non-null value they return into the aware datetime Django's own read would give.

    On PostgreSQL as epoch seconds (float8: microseconds survive the round trip), so psycopg's C
    float loader reads them and no Python timestamp loader runs per value; elsewhere as Django
    reads them.
    """
    if connection.vendor != "postgresql":
        return names, _same
    return tuple(_epoch(name) for name in names), _from_epoch


def _case_ids(name: str) -> Any:
    """A uuid column as its text (PostgreSQL: no uuid loader, no converter per value; the same
    text as ``str(uuid)``), else as Django reads it (``str()`` is applied to it either way)."""
    return Cast(name, output_field=TextField()) if connection.vendor == "postgresql" else name


def _same(value: Any) -> dt.datetime:
    assert isinstance(value, dt.datetime)  # invariant narrowed for mypy, not a security check  # nosec B101
    return value


def _from_epoch(value: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _optional(at: Callable[[Any], dt.datetime], value: Any) -> dt.datetime | None:
    return None if value is None else at(value)


def read_model_input(process_id: str, period: Period) -> KpiInput:
    """Cases of ``process_id`` open during or started in ``period``, with their stages, tasks, incidents.

    Read as plain tuples (``values_list``), timestamps as epoch seconds on PostgreSQL: building
    model instances and Django's timestamp loader took about half of a dashboard recomputation.
    """
    times, at = timestamps("started", "ended")
    cases = [
        CaseRecord(
            case_id=str(case_id),
            service=process_id,
            started=at(started),
            ended=_optional(at, ended),
            outcome=CaseOutcome(outcome),
        )
        for case_id, started, ended, outcome in KpiCase.objects.filter(service=process_id, started__lt=period.end)
        .filter(Q(ended__isnull=True) | Q(ended__gte=period.start))
        .values_list(_case_ids("instance_id"), *times, "outcome")
    ]
    ids = [UUID(case.case_id) for case in cases]
    stages: list[StageRecord] = []
    tasks: list[TaskRecord] = []
    incidents: list[IncidentRecord] = []
    task_times, _at = timestamps("created", "completed", "canceled")
    (raised,), _at = timestamps("raised")
    case_column = _case_ids("case_id")
    for chunk in _chunks(ids):
        stages += [
            StageRecord(
                case_id=str(case_id),
                element=element,
                started=at(started),
                ended=_optional(at, ended),
                terminated=ended_by,
            )
            for case_id, element, started, ended, ended_by in KpiStage.objects.filter(case_id__in=chunk).values_list(
                case_column, "element", *times, "terminated"
            )
        ]
        tasks += [
            TaskRecord(
                case_id=str(case_id),
                task_type=task_type,
                department=department,
                created=at(created),
                completed=_optional(at, completed),
                canceled=_optional(at, canceled),
            )
            for case_id, task_type, department, created, completed, canceled in KpiTask.objects.filter(
                case_id__in=chunk
            ).values_list(case_column, "task_type", "department", *task_times)
        ]
        incidents += [
            IncidentRecord(case_id=str(case_id), element=element, raised=at(when))
            for case_id, element, when in KpiIncident.objects.filter(case_id__in=chunk).values_list(
                case_column, "element", raised
            )
        ]
    return KpiInput(cases=tuple(cases), stages=tuple(stages), tasks=tuple(tasks), incidents=tuple(incidents))
