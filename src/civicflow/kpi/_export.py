"""ServiceKpis as plain JSON-ready data and back (the CLI's --json, the dashboards' stored snapshots)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from civicflow.kpi._period import Period
from civicflow.kpi._report import AGEING_BUCKETS, DepartmentKpis, ServiceKpis, StageKpis
from civicflow.kpi._stats import DurationStats, Ratio

__all__ = ["kpis_as_dict", "kpis_from_dict"]

_AGEING_KEYS: Final = (*(f"<={days}d" for days in AGEING_BUCKETS), f">{AGEING_BUCKETS[-1]}d")
_PERCENTILES: Final = ("p50", "p90", "p95")


def _ratio(ratio: Ratio) -> dict[str, Any]:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "value": ratio.value}


def _durations(stats: DurationStats) -> dict[str, Any]:
    def named(values: tuple[float | None, float | None, float | None]) -> dict[str, float | None]:
        return dict(zip(_PERCENTILES, values, strict=True))

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
        "ageing": dict(zip(_AGEING_KEYS, kpis.ageing, strict=True)),
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


def _ratio_from(data: Mapping[str, Any]) -> Ratio:
    return Ratio(numerator=int(data["numerator"]), denominator=int(data["denominator"]))


def _durations_from(data: Mapping[str, Any]) -> DurationStats:
    def three(values: Mapping[str, float | None]) -> tuple[float | None, float | None, float | None]:
        return (values[_PERCENTILES[0]], values[_PERCENTILES[1]], values[_PERCENTILES[2]])

    return DurationStats(
        count=int(data["count"]), calendar=three(data["calendar_seconds"]), working=three(data["working_seconds"])
    )


def kpis_from_dict(data: Mapping[str, Any], period: Period) -> ServiceKpis:
    """The inverse of :func:`kpis_as_dict` (``period`` is the one the figures were computed for)."""
    cost = data["cost"]
    return ServiceKpis(
        service=data["service"],
        period=period,
        as_of=dt.datetime.fromisoformat(data["as_of"]),
        started=data["started"],
        completed=data["completed"],
        terminated=data["terminated"],
        processing=_durations_from(data["processing_time"]),
        sla=_ratio_from(data["sla"]),
        backlog=data["backlog"],
        # by name: PostgreSQL's jsonb does not keep the order of an object's keys
        ageing=tuple(data["ageing"][bound] for bound in _AGEING_KEYS),
        oldest_open_days=data["oldest_open_days"],
        incidents_raised=data["incidents_raised"],
        incident_rate=_ratio_from(data["incident_rate"]),
        rework_rate=_ratio_from(data["rework_rate"]),
        first_time_right=_ratio_from(data["first_time_right"]),
        completion_rate=_ratio_from(data["completion_rate"]),
        abandonment=_ratio_from(data["abandonment"]),
        digital_take_up=_ratio_from(data["digital_take_up"]),
        csat=_ratio_from(data["csat"]),
        cost_total=cost["total_minor_units"],
        cost_per_transaction=cost["per_transaction_minor_units"],
        currency=cost["currency"],
        departments=tuple(
            DepartmentKpis(department=d["department"], tasks_completed=d["tasks_completed"], tasks_open=d["tasks_open"])
            for d in data["departments"]
        ),
        stages=tuple(
            StageKpis(
                element=s["element"],
                label=s["label"],
                target_seconds=s["target_seconds"],
                completed=s["completed"],
                durations=_durations_from(s["durations"]),
                sla=_ratio_from(s["sla"]),
                open_breaching=s["open_breaching"],
            )
            for s in data["stages"]
        ),
    )
