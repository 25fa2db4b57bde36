"""A run's output: the simulated event log (civicflow.mining's columns) and its KPIs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from civicflow.kpi import nearest_rank
from civicflow.mining import ACTIVITY, CASE, LIFECYCLE, RESOURCE, TIMESTAMP, EventLog
from civicflow.simulation._calendar import working_seconds
from civicflow.simulation._records import RunRecord

__all__ = ["CycleTimes", "PoolKpis", "SimulationKpis", "cycle_times", "ks_statistic", "run_kpis", "simulated_log"]


def _case_id(number: int) -> str:
    return f"sim-{number:06d}"


def simulated_log(record: RunRecord) -> EventLog:
    """The run as an event log: one event per lifecycle transition, ``org:resource`` = the lane."""
    rows = sorted(record.rows, key=lambda r: (r.case, r.at))
    micros = [round(r.at * 1_000_000) for r in rows]
    events = pl.DataFrame(
        {
            CASE: [_case_id(r.case) for r in rows],
            ACTIVITY: [r.name for r in rows],
            "_offset": micros,
            LIFECYCLE: [r.lifecycle for r in rows],
            RESOURCE: [r.lane for r in rows],
            "element_id": [r.element for r in rows],
        },
        schema={
            CASE: pl.Utf8,
            ACTIVITY: pl.Utf8,
            "_offset": pl.Int64,
            LIFECYCLE: pl.Utf8,
            RESOURCE: pl.Utf8,
            "element_id": pl.Utf8,
        },
    )
    start = pl.lit(record.start).cast(pl.Datetime("us", "UTC"))
    events = events.with_columns((start + pl.duration(microseconds=pl.col("_offset"))).alias(TIMESTAMP)).drop("_offset")
    cases = pl.DataFrame(
        {
            CASE: [_case_id(c.number) for c in record.cases],
            "status": ["completed" if c.ended is not None else "active" for c in record.cases],
            "started": [record.start + timedelta(seconds=c.arrived) for c in record.cases],
            "ended": [None if c.ended is None else record.start + timedelta(seconds=c.ended) for c in record.cases],
        },
        schema={
            CASE: pl.Utf8,
            "status": pl.Utf8,
            "started": pl.Datetime("us", "UTC"),
            "ended": pl.Datetime("us", "UTC"),
        },
    )
    return EventLog.from_events(events, cases=cases, attributes={"source": "civicflow simulation"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleTimes:
    """Cycle times of completed cases in seconds."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> CycleTimes:
        return cls(
            count=len(values),
            mean=sum(values) / len(values) if values else None,
            median=nearest_rank(values, 50),
            p90=nearest_rank(values, 90),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolKpis:
    """One pool (department): mean waiting for its staff, busy share of its working time."""

    pool: str
    capacity: int
    items: int
    waiting_mean: float
    utilisation: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationKpis:
    cases: int
    completed: int
    cycle: CycleTimes
    durations: tuple[float, ...]
    pools: tuple[PoolKpis, ...]
    waiting_by_step: dict[str, float]
    sla_met: float | None  # share of completed cases within the SLA

    def pool(self, name: str) -> PoolKpis:
        return next(p for p in self.pools if p.pool == name)

    @property
    def bottleneck(self) -> str | None:
        """The pool where work waits longest."""
        ranked = sorted(self.pools, key=lambda p: (-p.waiting_mean, p.pool))
        return ranked[0].pool if ranked and ranked[0].waiting_mean > 0 else None


def cycle_times(values: Sequence[float]) -> CycleTimes:
    return CycleTimes.of(values)


def run_kpis(record: RunRecord, *, sla_seconds: float | None = None) -> SimulationKpis:
    durations = tuple(sorted(c.ended - c.arrived for c in record.cases if c.ended is not None))
    pools: list[PoolKpis] = []
    waits: dict[str, list[float]] = {}
    for name, params in sorted(record.pools.items()):
        items = [w for w in record.work if w.pool == name]
        waiting = [(w.started if w.started is not None else record.end) - w.ready for w in items]
        for item, wait in zip(items, waiting, strict=True):
            waits.setdefault(item.element, []).append(wait)
        origin = record.start
        busy = sum(
            working_seconds(
                params.calendar,
                origin + timedelta(seconds=w.started),
                origin + timedelta(seconds=min(record.end, w.ended if w.ended is not None else record.end)),
            )
            for w in items
            if w.started is not None
        )
        available = params.capacity * working_seconds(params.calendar, origin, origin + timedelta(seconds=record.end))
        pools.append(
            PoolKpis(
                pool=name,
                capacity=params.capacity,
                items=len(items),
                waiting_mean=sum(waiting) / len(waiting) if waiting else 0.0,
                utilisation=busy / available if available else 0.0,
            )
        )
    sla = None
    if sla_seconds is not None and durations:
        sla = sum(1 for d in durations if d <= sla_seconds) / len(durations)
    return SimulationKpis(
        cases=len(record.cases),
        completed=len(durations),
        cycle=CycleTimes.of(durations),
        durations=durations,
        pools=tuple(pools),
        waiting_by_step={k: sum(v) / len(v) for k, v in sorted(waits.items())},
        sla_met=sla,
    )


def ks_statistic(first: Sequence[float], second: Sequence[float]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs."""
    if not first or not second:
        return math.nan
    a, b = sorted(first), sorted(second)
    i = j = 0
    gap = 0.0
    while i < len(a) and j < len(b):
        value = min(a[i], b[j])
        while i < len(a) and a[i] <= value:
            i += 1
        while j < len(b) and b[j] <= value:
            j += 1
        gap = max(gap, abs(i / len(a) - j / len(b)))
    return gap
