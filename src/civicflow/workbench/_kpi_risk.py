"""The SLA at-risk list: open cases that will miss a stage target or their processing target.

The pace is that of the last ``WINDOW`` (see docs/kpi.md, "Dashboards"). For each open activation
of a measured stage in an open case, at ``now``:

- stage: predicted stage duration = max(time in the stage so far, median duration of the stage's
  activations that finished in the window); at risk when that exceeds the stage target;
- case: predicted processing time = the case's age + the median remaining time, from entering
  this stage to the case's end, of cases completed in the window; at risk when that exceeds the
  processing target.

Without finished examples in the window a prediction is the elapsed time alone, so only cases
already past a target are listed. The list holds case references and stages only: no names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Final
from uuid import UUID

from civicflow.kpi import nearest_rank, parse_target
from civicflow.runtime.kpi_sources import timestamps
from civicflow.runtime.models import KpiCase, KpiStage, ProcessInstance
from civicflow.services import ReferenceService
from civicflow.workbench._kpi_format import stage_groups

__all__ = ["AT_RISK", "KEEP", "WINDOW", "at_risk"]

AT_RISK: Final = "at-risk"  # the key of a service's at-risk list among the KPI snapshots

WINDOW: Final = dt.timedelta(days=90)
# Rows kept per department (hostile or huge backlogs stay bounded): the most urgent ones.
KEEP: Final = 100
_CHUNK = 2000


def _chunks(ids: list[UUID]) -> Iterable[list[UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _medians(
    service: ReferenceService, elements: list[str], now: dt.datetime
) -> tuple[dict[str, float], dict[str, float]]:
    """Per stage: the median duration of its recent activations, and the median remaining time."""
    since = now - WINDOW
    (started_at, ended_at), at = timestamps("started", "ended")
    durations: defaultdict[str, list[float]] = defaultdict(list)
    finished = KpiStage.objects.filter(
        service=service.process_id, element__in=elements, terminated=False, ended__gte=since, ended__lte=now
    ).values_list("element", started_at, ended_at)
    for element, started, ended in finished:
        if ended is not None:  # always: the filter asks for an end
            durations[element].append((at(ended) - at(started)).total_seconds())
    completed = {
        case_id: at(ended)
        for case_id, ended in KpiCase.objects.filter(
            service=service.process_id, outcome="completed", ended__gte=since, ended__lte=now
        ).values_list("instance_id", ended_at)
        if ended is not None
    }
    remaining: defaultdict[str, list[float]] = defaultdict(list)
    for chunk in _chunks(list(completed)):
        for case_id, element, started in KpiStage.objects.filter(
            case_id__in=chunk, element__in=elements, terminated=False
        ).values_list("case_id", "element", started_at):
            remaining[element].append((completed[case_id] - at(started)).total_seconds())

    def median(values: dict[str, list[float]]) -> dict[str, float]:
        return {key: m for key, items in values.items() if (m := nearest_rank(items, 50)) is not None}

    return median(durations), median(remaining)


def at_risk(service: ReferenceService, now: dt.datetime) -> dict[str, Any]:
    """The at-risk rows of ``service`` at ``now``, most urgent first, at most ``KEEP`` per department.

    JSON-ready: ``rows`` (dicts), ``totals`` (rows per department before the cut), ``total``.
    """
    targets = {stage.element: parse_target(stage.target, element=stage.element) for stage in service.kpis.stages}
    processing = parse_target(service.kpis.processing_time, element=service.id).total_seconds()
    elements = sorted(targets)
    stage_median, remaining_median = _medians(service, elements, now)
    departments = stage_groups(service)
    (started_at,), at = timestamps("started")
    open_rows = [
        (case_id, element, at(started))
        for case_id, element, started in KpiStage.objects.filter(
            service=service.process_id, element__in=elements, ended__isnull=True, started__lte=now
        ).values_list("case_id", "element", started_at)
    ]
    case_started: dict[UUID, dt.datetime] = {}
    for chunk in _chunks(sorted({case_id for case_id, _e, _s in open_rows})):
        case_started.update(
            (case_id, at(started))
            for case_id, started in KpiCase.objects.filter(instance_id__in=chunk, ended__isnull=True).values_list(
                "instance_id", started_at
            )
        )
    rows: list[dict[str, Any]] = []
    for case_id, element, started in open_rows:
        if case_id not in case_started:
            continue  # the case has ended (a left-over open row)
        target = targets[element].total_seconds()
        in_stage = (now - started).total_seconds()
        age = (now - case_started[case_id]).total_seconds()
        stage_predicted = max(in_stage, stage_median.get(element, 0.0))
        case_predicted = age + remaining_median.get(element, 0.0)
        if stage_predicted <= target and case_predicted <= processing:
            continue
        rows.append(
            {
                "case_id": str(case_id),
                "element": element,
                "department": departments.get(element, ""),
                "in_stage": in_stage,
                "stage_predicted": stage_predicted,
                "stage_target": target,
                "age": age,
                "case_predicted": case_predicted,
                "processing_target": processing,
                "overdue": in_stage > target or age > processing,
                "slack": min(target - stage_predicted, processing - case_predicted),
            }
        )
    rows.sort(key=lambda row: (row["slack"], row["case_id"], row["element"]))
    kept: list[dict[str, Any]] = []
    totals: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        totals[row["department"]] += 1
        if totals[row["department"]] <= KEEP:
            kept.append(row)
    references: dict[str, str] = {}
    for chunk in _chunks(sorted({UUID(row["case_id"]) for row in kept})):
        references.update(
            (str(pk), key or "")
            for pk, key in ProcessInstance.objects.filter(pk__in=chunk).values_list("pk", "business_key")
        )
    for row in kept:
        row["reference"] = references.get(row["case_id"]) or row["case_id"][:8]
    return {"rows": kept, "totals": dict(totals), "total": len(rows)}
