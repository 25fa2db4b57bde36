"""The computed KPIs of one service in one period (what the CLI, dashboards and open data show)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicflow.kpi._period import Period
from civicflow.kpi._stats import DurationStats, Ratio

__all__ = ["AGEING_BUCKETS", "DepartmentKpis", "ServiceKpis", "StageKpis"]

# Upper bounds (days, inclusive) of the backlog ageing buckets; the last bucket is open-ended.
AGEING_BUCKETS = (7, 30, 90)


@dataclass(frozen=True, slots=True, kw_only=True)
class StageKpis:
    """One measured stage: activations that finished in the period, their durations and SLA."""

    element: str
    label: str
    target_seconds: float
    completed: int
    durations: DurationStats
    sla: Ratio  # finished within target / finished in the period
    open_breaching: int  # still open at the report's moment and already past the target


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartmentKpis:
    department: str
    tasks_completed: int  # throughput: tasks completed in the period
    tasks_open: int  # tasks open at the report's moment


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceKpis:
    """All KPIs of one service for one period, measured at ``as_of`` (period end, or now if earlier)."""

    service: str
    period: Period
    as_of: dt.datetime
    started: int
    completed: int
    terminated: int
    processing: DurationStats
    sla: Ratio
    backlog: int
    ageing: tuple[int, ...]  # counts per AGEING_BUCKETS bucket, then the open-ended one
    oldest_open_days: float | None
    incidents_raised: int
    incident_rate: Ratio  # finished cases that had an incident / finished cases
    rework_rate: Ratio  # completed cases with a stage done more than once / completed cases
    first_time_right: Ratio  # completed cases with no rework and no incident / completed cases
    completion_rate: Ratio  # completed / (completed + terminated), cases finished in the period
    abandonment: Ratio  # drafts expired unsubmitted / (those + online applications)
    digital_take_up: Ratio  # cases started online / cases started
    csat: Ratio  # answers scoring 4 or 5 / answers
    cost_total: int  # minor units
    cost_per_transaction: float | None  # cost_total / completed cases; None without configured costs
    currency: str
    departments: tuple[DepartmentKpis, ...]
    stages: tuple[StageKpis, ...]
