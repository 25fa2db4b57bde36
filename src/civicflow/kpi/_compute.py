"""Computing :class:`ServiceKpis` from plain records: one pass per concept, no database."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from civicflow.kpi._definition import KpiDefinition, StageDefinition
from civicflow.kpi._period import Period
from civicflow.kpi._records import (
    CaseOutcome,
    CaseRecord,
    Channel,
    KpiInput,
    StageRecord,
    TaskRecord,
)
from civicflow.kpi._report import AGEING_BUCKETS, DepartmentKpis, ServiceKpis, StageKpis
from civicflow.kpi._stats import DurationStats, Ratio

__all__ = ["compute_kpis"]

_DAY = 86_400.0


def _open_at(start: dt.datetime, end: dt.datetime | None, moment: dt.datetime) -> bool:
    return start < moment and (end is None or end >= moment)


def _ageing(open_cases: Iterable[CaseRecord], as_of: dt.datetime) -> tuple[tuple[int, ...], float | None]:
    counts = [0] * (len(AGEING_BUCKETS) + 1)
    oldest: float | None = None
    for case in open_cases:
        days = (as_of - case.started).total_seconds() / _DAY
        oldest = days if oldest is None else max(oldest, days)
        counts[next((i for i, bound in enumerate(AGEING_BUCKETS) if days <= bound), len(AGEING_BUCKETS))] += 1
    return tuple(counts), oldest


def _stage(
    stage: StageDefinition,
    rows: Iterable[StageRecord],
    definition: KpiDefinition,
    period: Period,
    as_of: dt.datetime,
) -> StageKpis:
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    breaching = 0
    for row in rows:
        if row.ended is not None and not row.terminated and row.ended in period and row.ended <= as_of:
            spans.append((row.started, row.ended))
        elif _open_at(row.started, row.ended, as_of) and as_of - row.started > stage.target:
            breaching += 1
    met = sum(1 for start, end in spans if end - start <= stage.target)
    return StageKpis(
        element=stage.element,
        label=stage.label,
        target_seconds=stage.target.total_seconds(),
        completed=len(spans),
        durations=DurationStats.of(spans, definition.calendar),
        sla=Ratio(numerator=met, denominator=len(spans)),
        open_breaching=breaching,
    )


def _departments(tasks: Iterable[TaskRecord], period: Period, as_of: dt.datetime) -> tuple[DepartmentKpis, ...]:
    done: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    for task in tasks:
        if task.completed is not None and task.completed in period and task.completed <= as_of:
            done[task.department] += 1
        if _open_at(task.created, task.completed or task.canceled, as_of):
            waiting[task.department] += 1
    return tuple(
        DepartmentKpis(department=name, tasks_completed=done[name], tasks_open=waiting[name])
        for name in sorted(done.keys() | waiting.keys())
    )


def compute_kpis(definition: KpiDefinition, rows: KpiInput, period: Period, *, now: dt.datetime) -> ServiceKpis:
    """The KPIs of ``definition.service`` over ``period``, as known at ``now`` (from the caller's Clock).

    Counts of the period are events that happened in ``[period.start, min(period.end, now))``;
    stocks (backlog, open tasks, breaching stages) are taken at that end, ``as_of``.
    """
    as_of = min(period.end, now)

    def within(instant: dt.datetime | None) -> bool:
        return instant is not None and instant in period and instant <= as_of

    cases = [case for case in rows.cases if case.service == definition.service]
    ids = {case.case_id for case in cases}
    started = [case for case in cases if within(case.started)]
    finished = [case for case in cases if case.outcome is not CaseOutcome.OPEN and within(case.ended)]
    completed = [case for case in finished if case.outcome is CaseOutcome.COMPLETED]
    spans = [(case.started, case.ended) for case in completed if case.ended is not None]

    with_incident = {incident.case_id for incident in rows.incidents}
    tasks = [task for task in rows.tasks if task.case_id in ids]
    per_case: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for task in tasks:
        per_case[task.case_id][task.task_type] += 1
    reworked = {case_id for case_id, types in per_case.items() if max(types.values()) > 1}

    open_cases = [case for case in cases if _open_at(case.started, case.ended, as_of)]
    ageing, oldest = _ageing(open_cases, as_of)
    expired_drafts = sum(1 for draft in rows.drafts if draft.service == definition.service and within(draft.expires))
    online = sum(1 for case in started if case.channel is Channel.ONLINE)
    answers = [answer for answer in rows.answers if answer.service == definition.service and within(answer.answered)]
    cost = sum(definition.task_costs.get(task.task_type, 0) for task in tasks if within(task.completed))

    by_stage: defaultdict[str, list[StageRecord]] = defaultdict(list)
    for row in rows.stages:
        if row.case_id in ids:
            by_stage[row.element].append(row)
    return ServiceKpis(
        service=definition.service,
        period=period,
        as_of=as_of,
        started=len(started),
        completed=len(completed),
        terminated=len(finished) - len(completed),
        processing=DurationStats.of(spans, definition.calendar),
        sla=Ratio(
            numerator=sum(1 for start, end in spans if end - start <= definition.processing_target),
            denominator=len(spans),
        ),
        backlog=len(open_cases),
        ageing=ageing,
        oldest_open_days=oldest,
        incidents_raised=sum(1 for incident in rows.incidents if incident.case_id in ids and within(incident.raised)),
        incident_rate=Ratio(
            numerator=sum(1 for case in finished if case.case_id in with_incident), denominator=len(finished)
        ),
        rework_rate=Ratio(
            numerator=sum(1 for case in completed if case.case_id in reworked), denominator=len(completed)
        ),
        first_time_right=Ratio(
            numerator=sum(1 for case in completed if case.case_id not in reworked | with_incident),
            denominator=len(completed),
        ),
        completion_rate=Ratio(numerator=len(completed), denominator=len(finished)),
        abandonment=Ratio(numerator=expired_drafts, denominator=expired_drafts + online),
        digital_take_up=Ratio(numerator=online, denominator=len(started)),
        csat=Ratio(numerator=sum(1 for answer in answers if answer.score >= 4), denominator=len(answers)),
        cost_total=cost,
        cost_per_transaction=cost / len(completed) if completed and definition.task_costs else None,
        currency=definition.currency,
        departments=_departments(tasks, period, as_of),
        stages=tuple(_stage(stage, by_stage[stage.element], definition, period, as_of) for stage in definition.stages),
    )
