"""Side-by-side figures: a scenario against its baseline, a simulation against the history."""

from __future__ import annotations

import math
import random  # noqa: TID251 - only random.Random seeded from the caller's generator; never the module functions
from dataclasses import dataclass

from civicflow.simulation._model import SimModel
from civicflow.simulation._params import SimulationParams
from civicflow.simulation._records import RunRecord
from civicflow.simulation._results import CycleTimes, PoolKpis, SimulationKpis, ks_statistic, run_kpis
from civicflow.simulation._simulator import simulate

__all__ = ["Calibration", "ComparisonRow", "calibration", "compare", "replicate"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ComparisonRow:
    """One figure in both runs; seconds for times, shares (0..1) for utilisation and SLA."""

    metric: str
    unit: str  # "seconds" | "share" | "count"
    baseline: float | None
    scenario: float | None

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None or self.scenario is None else self.scenario - self.baseline

    @property
    def relative(self) -> float | None:
        if self.delta is None or not self.baseline:
            return None
        return self.delta / self.baseline


def replicate(
    model: SimModel, params: SimulationParams, *, rng: random.Random, runs: int = 1, cases: int | None = None
) -> tuple[SimulationKpis, RunRecord]:
    """``runs`` independent runs pooled into one set of KPIs (and the first run's record, for its log).

    Every run draws its seed from ``rng`` in turn, so a baseline and a scenario given equal seeds see
    the same arrivals and the same per-case draws (common random numbers).
    """
    seeds = [rng.getrandbits(64) for _ in range(max(1, runs))]
    records = [simulate(model, params, rng=random.Random(seed), cases=cases) for seed in seeds]  # noqa: S311  # nosec B311
    kpis = [run_kpis(record, sla_seconds=params.sla_seconds) for record in records]
    if len(kpis) == 1:
        return kpis[0], records[0]
    durations = tuple(sorted(d for k in kpis for d in k.durations))
    pools = []
    for first in kpis[0].pools:
        mine = [k.pool(first.pool) for k in kpis]
        items = sum(p.items for p in mine)
        pools.append(
            PoolKpis(
                pool=first.pool,
                capacity=first.capacity,
                items=items,
                waiting_mean=sum(p.waiting_mean * p.items for p in mine) / items if items else 0.0,
                utilisation=sum(p.utilisation for p in mine) / len(mine),
            )
        )
    steps = {step for k in kpis for step in k.waiting_by_step}
    met = [k.sla_met for k in kpis if k.sla_met is not None]
    pooled = SimulationKpis(
        cases=sum(k.cases for k in kpis),
        completed=sum(k.completed for k in kpis),
        cycle=CycleTimes.of(durations),
        durations=durations,
        pools=tuple(pools),
        waiting_by_step={s: sum(k.waiting_by_step.get(s, 0.0) for k in kpis) / len(kpis) for s in sorted(steps)},
        sla_met=sum(met) / len(met) if met else None,
    )
    return pooled, records[0]


# per pool: (metric label, unit, PoolKpis field)
_POOL_FIGURES = (
    ("staff", "count", "capacity"),
    ("waiting", "seconds", "waiting_mean"),
    ("utilisation", "share", "utilisation"),
)


def compare(baseline: SimulationKpis, scenario: SimulationKpis) -> tuple[ComparisonRow, ...]:
    """Cycle times, SLA, then waiting and utilisation per pool, baseline beside scenario."""
    rows = [
        ComparisonRow(metric="cases completed", unit="count", baseline=baseline.completed, scenario=scenario.completed),
        ComparisonRow(
            metric="cycle time mean", unit="seconds", baseline=baseline.cycle.mean, scenario=scenario.cycle.mean
        ),
        ComparisonRow(
            metric="cycle time median", unit="seconds", baseline=baseline.cycle.median, scenario=scenario.cycle.median
        ),
        ComparisonRow(
            metric="cycle time p90", unit="seconds", baseline=baseline.cycle.p90, scenario=scenario.cycle.p90
        ),
    ]
    if baseline.sla_met is not None or scenario.sla_met is not None:
        rows.append(ComparisonRow(metric="SLA met", unit="share", baseline=baseline.sla_met, scenario=scenario.sla_met))
    for pool in baseline.pools:
        other = next((p for p in scenario.pools if p.pool == pool.pool), None)
        for label, unit, field in _POOL_FIGURES:
            rows.append(
                ComparisonRow(
                    metric=f"{label}: {pool.pool}",
                    unit=unit,
                    baseline=getattr(pool, field),
                    scenario=None if other is None else getattr(other, field),
                )
            )
    return tuple(rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibration:
    """How well a simulation reproduces the observed cycle times (relative errors, KS distance)."""

    observed: CycleTimes
    simulated: CycleTimes
    ks: float

    def error(self, figure: str) -> float | None:
        seen: float | None = getattr(self.observed, figure)
        made: float | None = getattr(self.simulated, figure)
        if seen is None or made is None or not seen:
            return None
        return (made - seen) / seen

    @property
    def within(self) -> float:
        """The largest relative error of mean, median and p90."""
        errors = [abs(e) for e in (self.error("mean"), self.error("median"), self.error("p90")) if e is not None]
        return max(errors) if errors else math.inf


def calibration(params: SimulationParams, simulated: SimulationKpis) -> Calibration | None:
    """Compare a run with the observed cycle times kept in fitted parameters (None without them)."""
    seen = params.observed
    if seen is None:
        return None
    observed = CycleTimes(count=seen.cases, mean=seen.mean, median=seen.median, p90=seen.p90)
    return Calibration(
        observed=observed, simulated=simulated.cycle, ks=ks_statistic(seen.quantiles, simulated.durations)
    )
