"""KPI inputs from the read models, and KPI definitions from the reference services' targets.

Only the cases that matter for the period are read (open at its start or started before its
end), with their stages, tasks and incidents. Portal rows (channel, drafts, satisfaction) live
above the runtime and are added by the caller (``civicflow.cli.kpi``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from django.db.models import Q

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

__all__ = ["definition_for", "read_model_input"]

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


def read_model_input(process_id: str, period: Period) -> KpiInput:
    """Cases of ``process_id`` open during or started in ``period``, with their stages, tasks, incidents."""
    cases = [
        CaseRecord(
            case_id=str(row.instance_id),
            service=row.service,
            started=row.started,
            ended=row.ended,
            outcome=CaseOutcome(row.outcome),
        )
        for row in KpiCase.objects.filter(service=process_id, started__lt=period.end).filter(
            Q(ended__isnull=True) | Q(ended__gte=period.start)
        )
    ]
    ids = [UUID(case.case_id) for case in cases]
    stages: list[StageRecord] = []
    tasks: list[TaskRecord] = []
    incidents: list[IncidentRecord] = []
    for chunk in _chunks(ids):
        stages += [
            StageRecord(
                case_id=str(row.case_id),
                element=row.element,
                started=row.started,
                ended=row.ended,
                terminated=row.terminated,
            )
            for row in KpiStage.objects.filter(case_id__in=chunk)
        ]
        tasks += [
            TaskRecord(
                case_id=str(row.case_id),
                task_type=row.task_type,
                department=row.department,
                created=row.created,
                completed=row.completed,
                canceled=row.canceled,
            )
            for row in KpiTask.objects.filter(case_id__in=chunk)
        ]
        incidents += [
            IncidentRecord(case_id=str(row.case_id), element=row.element, raised=row.raised)
            for row in KpiIncident.objects.filter(case_id__in=chunk)
        ]
    return KpiInput(cases=tuple(cases), stages=tuple(stages), tasks=tuple(tasks), incidents=tuple(incidents))
