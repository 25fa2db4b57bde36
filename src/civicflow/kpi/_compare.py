"""Two versions of one service side by side: the KPIs of each, and whether their difference is real.

A pilot splits new cases between the current version and a candidate; ``compare_versions`` takes
the service's rows and which case ran on which version, computes the usual :class:`ServiceKpis`
for each, and tests six measures per completed case (see :mod:`civicflow.kpi._significance`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from civicflow.kpi._compute import compute_kpis
from civicflow.kpi._definition import KpiDefinition
from civicflow.kpi._period import Period
from civicflow.kpi._records import CaseOutcome, CaseRecord, KpiInput
from civicflow.kpi._report import ServiceKpis
from civicflow.kpi._significance import (
    Comparison,
    Interval,
    mann_whitney,
    median_interval,
    two_proportions,
    wilson_interval,
)

__all__ = ["Arm", "Measure", "MeasureComparison", "VersionComparison", "compare_versions"]


class Arm(StrEnum):
    CURRENT = "current"
    CANDIDATE = "candidate"


class Measure(StrEnum):
    PROCESSING = "processing"  # working seconds from start to end, completed cases
    SLA = "sla"  # completed within the end-to-end target
    REWORK = "rework"  # a task type done more than once
    INCIDENTS = "incidents"  # finished cases that had an incident
    SATISFACTION = "satisfaction"  # answers scoring 4 or 5
    COST = "cost"  # configured task costs per completed case, minor units


# Which direction is better, per measure: the dashboard says "better" or "worse", not just "different".
LOWER_IS_BETTER = {
    Measure.PROCESSING: True,
    Measure.SLA: False,
    Measure.REWORK: True,
    Measure.INCIDENTS: True,
    Measure.SATISFACTION: False,
    Measure.COST: True,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureComparison:
    measure: Measure
    current: Interval
    candidate: Interval
    counts: tuple[int, int]  # cases (or answers) measured: current, candidate
    test: Comparison

    @property
    def lower_is_better(self) -> bool:
        return LOWER_IS_BETTER[self.measure]

    @property
    def candidate_better(self) -> bool | None:
        """Whether the candidate's estimate is the better one (None when either is missing or equal)."""
        a, b = self.current.estimate, self.candidate.estimate
        if a is None or b is None or a == b:
            return None
        return (b < a) == self.lower_is_better


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionComparison:
    current: ServiceKpis
    candidate: ServiceKpis
    measures: tuple[MeasureComparison, ...]


def _subset(rows: KpiInput, ids: set[str]) -> KpiInput:
    # drafts belong to no version (nothing was started), so abandonment is not compared
    return dataclasses.replace(
        rows,
        cases=tuple(row for row in rows.cases if row.case_id in ids),
        stages=tuple(row for row in rows.stages if row.case_id in ids),
        tasks=tuple(row for row in rows.tasks if row.case_id in ids),
        incidents=tuple(row for row in rows.incidents if row.case_id in ids),
        drafts=(),
        answers=tuple(row for row in rows.answers if row.case_id in ids),
    )


class _PerCase:
    """The per-case values of one version's cases that finished within the period."""

    def __init__(self, definition: KpiDefinition, rows: KpiInput, period: Period, as_of: dt.datetime) -> None:
        def within(instant: dt.datetime | None) -> bool:
            return instant is not None and instant in period and instant <= as_of

        finished = [c for c in rows.cases if c.outcome is not CaseOutcome.OPEN and within(c.ended)]
        self.completed: list[CaseRecord] = [c for c in finished if c.outcome is CaseOutcome.COMPLETED]
        with_incident = {row.case_id for row in rows.incidents}
        per_type: dict[str, Counter[str]] = {}
        cost: Counter[str] = Counter()
        for task in rows.tasks:
            per_type.setdefault(task.case_id, Counter())[task.task_type] += 1
            if task.completed is not None:
                cost[task.case_id] += definition.task_costs.get(task.task_type, 0)
        spans = pl.DataFrame(
            {"s": [c.started for c in self.completed], "e": [c.ended for c in self.completed]},
            schema={"s": pl.Datetime("us", "UTC"), "e": pl.Datetime("us", "UTC")},
        )
        self.working = definition.calendar.working_seconds(spans, "s", "e").to_list()
        self.in_sla = sum(
            1 for c in self.completed if c.ended is not None and c.ended - c.started <= definition.processing_target
        )
        repeated = {case for case, types in per_type.items() if max(types.values()) > 1}
        self.reworked = sum(1 for c in self.completed if c.case_id in repeated)
        self.finished = len(finished)
        self.with_incident = sum(1 for c in finished if c.case_id in with_incident)
        answers = [a for a in rows.answers if within(a.answered)]
        self.answers = len(answers)
        self.satisfied = sum(1 for a in answers if a.score >= 4)
        self.costs = [float(cost[c.case_id]) for c in self.completed] if definition.task_costs else []


def _rate(measure: Measure, hits: tuple[int, int], totals: tuple[int, int]) -> MeasureComparison:
    return MeasureComparison(
        measure=measure,
        current=wilson_interval(hits[0], totals[0]),
        candidate=wilson_interval(hits[1], totals[1]),
        counts=totals,
        test=two_proportions(hits, totals),
    )


def _distribution(measure: Measure, current: list[float], candidate: list[float]) -> MeasureComparison:
    return MeasureComparison(
        measure=measure,
        current=median_interval(current),
        candidate=median_interval(candidate),
        counts=(len(current), len(candidate)),
        test=mann_whitney(current, candidate),
    )


def compare_versions(
    definition: KpiDefinition,
    rows: KpiInput,
    arms: Mapping[str, Arm],
    period: Period,
    *,
    now: dt.datetime,
) -> VersionComparison:
    """The KPIs of each version over ``period`` and the six measures compared (cases not in ``arms``
    are left out)."""
    ids = {arm: {case for case, where in arms.items() if where is arm} for arm in Arm}
    current_rows, candidate_rows = _subset(rows, ids[Arm.CURRENT]), _subset(rows, ids[Arm.CANDIDATE])
    current = compute_kpis(definition, current_rows, period, now=now)
    candidate = compute_kpis(definition, candidate_rows, period, now=now)
    a = _PerCase(definition, current_rows, period, current.as_of)
    b = _PerCase(definition, candidate_rows, period, candidate.as_of)
    done = (len(a.completed), len(b.completed))
    measures = [
        _distribution(Measure.PROCESSING, a.working, b.working),
        _rate(Measure.SLA, (a.in_sla, b.in_sla), done),
        _rate(Measure.REWORK, (a.reworked, b.reworked), done),
        _rate(Measure.INCIDENTS, (a.with_incident, b.with_incident), (a.finished, b.finished)),
        _rate(Measure.SATISFACTION, (a.satisfied, b.satisfied), (a.answers, b.answers)),
    ]
    if definition.task_costs:
        measures.append(_distribution(Measure.COST, a.costs, b.costs))
    return VersionComparison(current=current, candidate=candidate, measures=tuple(measures))
