"""ServiceKpis as plain JSON-ready data (the CLI's --json now; open-data files next)."""

from __future__ import annotations

from typing import Any

from civicflow.kpi._report import AGEING_BUCKETS, ServiceKpis, StageKpis
from civicflow.kpi._stats import DurationStats, Ratio

__all__ = ["kpis_as_dict"]


def _ratio(ratio: Ratio) -> dict[str, Any]:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "value": ratio.value}


def _durations(stats: DurationStats) -> dict[str, Any]:
    def named(values: tuple[float | None, float | None, float | None]) -> dict[str, float | None]:
        return dict(zip(("p50", "p90", "p95"), values, strict=True))

    return {"count": stats.count, "calendar_seconds": named(stats.calendar), "working_seconds": named(stats.working)}


def _stage(stage: StageKpis) -> dict[str, Any]:
    return {
        "element": stage.element,
        "label": stage.label,
        "target_seconds": stage.target_seconds,
        "completed": stage.completed,
        "durations": _durations(stage.durations),
        "sla": _ratio(stage.sla),
        "open_breaching": stage.open_breaching,
    }


def kpis_as_dict(kpis: ServiceKpis) -> dict[str, Any]:
    """Every figure of ``kpis``; ratios keep their numerator and denominator so they can be re-added."""
    bounds = [f"<={days}d" for days in AGEING_BUCKETS] + [f">{AGEING_BUCKETS[-1]}d"]
    return {
        "service": kpis.service,
        "period": {
            "label": kpis.period.label,
            "start": kpis.period.start.isoformat(),
            "end": kpis.period.end.isoformat(),
        },
        "as_of": kpis.as_of.isoformat(),
        "started": kpis.started,
        "completed": kpis.completed,
        "terminated": kpis.terminated,
        "processing_time": _durations(kpis.processing),
        "sla": _ratio(kpis.sla),
        "backlog": kpis.backlog,
        "ageing": dict(zip(bounds, kpis.ageing, strict=True)),
        "oldest_open_days": kpis.oldest_open_days,
        "incidents_raised": kpis.incidents_raised,
        "incident_rate": _ratio(kpis.incident_rate),
        "rework_rate": _ratio(kpis.rework_rate),
        "first_time_right": _ratio(kpis.first_time_right),
        "completion_rate": _ratio(kpis.completion_rate),
        "abandonment": _ratio(kpis.abandonment),
        "digital_take_up": _ratio(kpis.digital_take_up),
        "csat": _ratio(kpis.csat),
        "cost": {
            "currency": kpis.currency,
            "total_minor_units": kpis.cost_total,
            "per_transaction_minor_units": kpis.cost_per_transaction,
        },
        "departments": [
            {"department": d.department, "tasks_completed": d.tasks_completed, "tasks_open": d.tasks_open}
            for d in kpis.departments
        ],
        "stages": [_stage(stage) for stage in kpis.stages],
    }
