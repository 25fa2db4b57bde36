"""The figures of the Performance pages as rows: one list for the page, the CSV and the XLSX.

Each :class:`Metric` keeps the raw value (seconds, a fraction, a count, minor currency units) for
the exports and a display text for the page (days with one decimal, percentages).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

import civicflow.bpmn
from civicflow.bpmn.model import UserTask
from civicflow.kpi import AGEING_BUCKETS, DurationStats, Ratio, ServiceKpis
from civicflow.services import ReferenceService

__all__ = [
    "Metric",
    "ageing_labels",
    "days",
    "department_names",
    "department_of",
    "headline",
    "percent",
    "stage_groups",
    "stage_labels",
    "trend_summary",
]

_DAY = 86_400.0
_PERCENTILES = ("p50", "p90", "p95")


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    key: str  # stable, for exports and tests
    label: str
    value: float | int | None
    display: str


def days(seconds: float | None) -> str:
    """Seconds as days with one decimal, localised; a dash when there is no figure."""
    return "–" if seconds is None else number_format(seconds / _DAY, 1)


def percent(ratio: Ratio) -> str:
    value = ratio.value
    return "–" if value is None else f"{number_format(100 * value, 1)}%"


def _durations(key: str, label: str, stats: DurationStats) -> list[Metric]:
    rows = []
    for kind, values, name in (("calendar", stats.calendar, _("calendar")), ("working", stats.working, _("working"))):
        for percentile, seconds in zip(_PERCENTILES, values, strict=True):
            rows.append(
                Metric(
                    key=f"{key}_{kind}_{percentile}_seconds",
                    label=f"{label} {percentile} ({name}, {_('days')})",
                    value=seconds,
                    display=days(seconds),
                )
            )
    return rows


def _ratio(key: str, label: str, ratio: Ratio) -> Metric:
    return Metric(key=key, label=label, value=ratio.value, display=percent(ratio))


def _count(key: str, label: str, value: int) -> Metric:
    return Metric(key=key, label=label, value=value, display=number_format(value, force_grouping=True))


def headline(kpis: ServiceKpis) -> list[Metric]:
    """The service's KPIs for the period, in the order the page shows them."""
    cost = kpis.cost_per_transaction
    return [
        _count("started", _("Cases started"), kpis.started),
        _count("completed", _("Cases completed"), kpis.completed),
        _count("terminated", _("Cases withdrawn or cancelled"), kpis.terminated),
        *_durations("processing", _("Processing time"), kpis.processing),
        _ratio("sla", _("Completed within the processing target"), kpis.sla),
        _count("backlog", _("Backlog (open cases)"), kpis.backlog),
        _ratio("csat", _("Satisfaction (score 4 or 5 of 5)"), kpis.csat),
        _ratio("completion_rate", _("Completion rate"), kpis.completion_rate),
        _ratio("digital_take_up", _("Digital take-up"), kpis.digital_take_up),
        Metric(
            key="cost_per_transaction_minor_units",
            label=_("Cost per transaction (%(currency)s)") % {"currency": kpis.currency},
            value=cost,
            display=_("not configured") if cost is None else number_format(cost / 100, 2),
        ),
        _ratio("first_time_right", _("First time right"), kpis.first_time_right),
        _ratio("rework_rate", _("Rework rate"), kpis.rework_rate),
        _ratio("incident_rate", _("Cases with an incident"), kpis.incident_rate),
        _ratio("abandonment", _("Abandoned applications"), kpis.abandonment),
    ]


def ageing_labels() -> list[str]:
    bounds = [_("up to %(days)s days") % {"days": bound} for bound in AGEING_BUCKETS]
    return [*bounds, _("over %(days)s days") % {"days": AGEING_BUCKETS[-1]}]


def stage_labels(service: ReferenceService, language: str) -> dict[str, str]:
    return {stage.element: stage.label.get(language) for stage in service.kpis.stages}


def stage_groups(service: ReferenceService) -> dict[str, str]:
    """User task element -> its first candidate group, read once from the service's BPMN files.

    The group a stage's tasks are offered to (as the KPI read models record a task's department);
    stages that are no user task (waits for payment, messages) belong to no department.
    """
    return dict(_groups(service.files()))


@functools.cache
def _groups(files: tuple[Path, ...]) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for path in files:
        if path.suffix != ".bpmn":
            continue
        stack: list[Any] = list(civicflow.bpmn.load(path.read_bytes()).processes)
        while stack:
            element = stack.pop()
            stack.extend(getattr(element, "flow_elements", ()))
            assignment = element.ext.assignment if isinstance(element, UserTask) else None
            if assignment is not None and assignment.candidate_groups is not None:
                groups = [g.strip() for g in assignment.candidate_groups.raw.split(",") if g.strip()]
                if groups:
                    found[element.id] = groups[0]
    return tuple(sorted(found.items()))


def department_of(service: ReferenceService, group: str) -> str:
    """The department a candidate group belongs to (its key, or the key of the role's department)."""
    for department in service.departments:
        if group == department.key or any(role.group == group for role in department.roles):
            return department.key
    return group


def department_names(service: ReferenceService, language: str) -> dict[str, str]:
    """Department keys and role groups -> their names; the empty group is "(none)"."""
    names = {"": _("(none)")}
    for department in service.departments:
        for role in department.roles:
            names[role.group] = role.name.get(language)
        names[department.key] = department.name.get(language)
    return names


def trend_summary(label: str, points: Sequence[tuple[str, float | None]], unit: str) -> str:
    """One sentence on how a figure moved between the first and the last period that have it."""
    known = [(period, value) for period, value in points if value is not None]
    if not known:
        return _("%(figure)s: no figure in these periods.") % {"figure": label}
    (first_period, first), (last_period, last) = known[0], known[-1]
    values = {
        "figure": label,
        "first": number_format(first, 1),
        "last": number_format(last, 1),
        "unit": unit,
        "start": first_period,
        "end": last_period,
    }
    if len(known) == 1:
        return _("%(figure)s was %(last)s %(unit)s in %(end)s, the only period with a figure.") % values
    if round(last, 1) > round(first, 1):
        return _("%(figure)s rose from %(first)s to %(last)s %(unit)s between %(start)s and %(end)s.") % values
    if round(last, 1) < round(first, 1):
        return _("%(figure)s fell from %(first)s to %(last)s %(unit)s between %(start)s and %(end)s.") % values
    return _("%(figure)s stayed at %(last)s %(unit)s between %(start)s and %(end)s.") % values
