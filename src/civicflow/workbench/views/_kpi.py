"""The Performance section: KPI dashboards of every service and of one service, and their exports.

All staff may see them: the figures are aggregates, and the at-risk list shows case references
and stages only. Figures come from the cached snapshots (``civicflow.web.kpis``): a page view
never replays history and serves out-of-date snapshots as they are ("being updated"); the worker
keeps the read models and the snapshots up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicflow.kpi import KpiError, Period, PeriodKind
from civicflow.runtime.clock import current_clock
from civicflow.services import REFERENCE_SERVICES, ReferenceService
from civicflow.web.charts import bar_chart
from civicflow.web.kpis import KpiFigures, cached_current, cached_figures, trend
from civicflow.workbench._access import requires
from civicflow.workbench._kpi_export import csv_response, tables, xlsx_response
from civicflow.workbench._kpi_format import (
    ageing_labels,
    days,
    department_names,
    department_of,
    headline,
    percent,
    stage_groups,
    stage_labels,
    trend_summary,
)
from civicflow.workbench._kpi_risk import AT_RISK, at_risk
from civicflow.workbench.views._common import language

__all__ = ["kpi_export", "kpi_overview", "kpi_service"]

_LONGEST_LABEL = 16  # the longest period label is 10 characters ("2026-11-30")
TREND_PERIODS = 12
RISK_SHOWN = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class _Choice:
    """The period filter as asked and as understood."""

    kind: str
    label: str
    period: Period | None
    errors: dict[str, str]


def _kind_names() -> list[tuple[str, str]]:
    return [
        (PeriodKind.DAY, _("Days")),
        (PeriodKind.WEEK, _("Weeks")),
        (PeriodKind.MONTH, _("Months")),
        (PeriodKind.QUARTER, _("Quarters")),
        (PeriodKind.YEAR, _("Years")),
    ]


def _choice(request: HttpRequest) -> _Choice:
    """``kind`` (day..year) and ``period`` (a label such as 2026-Q3, or a kind: the current one).

    With both, the period of ``kind`` that holds the label's first day; with neither, this month.
    """
    kind = request.GET.get("kind", "").strip().lower()
    label = request.GET.get("period", "").strip()
    errors: dict[str, str] = {}
    if kind and kind not in PeriodKind.__members__.values():
        errors["kind"] = _("Choose a day, week, month, quarter or year")
    if len(label) > _LONGEST_LABEL:
        errors["period"] = _("Enter a period such as 2026, 2026-Q3, 2026-11, 2026-W48 or 2026-11-30")
    if errors:
        return _Choice(kind=kind, label=label[:_LONGEST_LABEL], period=None, errors=errors)
    clock = current_clock()
    try:
        period = Period.parse(label or kind or PeriodKind.MONTH, clock=clock)
        if kind and period.kind != kind:
            period = Period.of(PeriodKind(kind), period.start.date())
    except (KpiError, ValueError, OverflowError):
        errors["period"] = _("Enter a period such as 2026, 2026-Q3, 2026-11, 2026-W48 or 2026-11-30")
        return _Choice(kind=kind, label=label, period=None, errors=errors)
    return _Choice(kind=period.kind, label=period.label, period=period, errors={})


def _service(service_id: str) -> ReferenceService:
    found = next((item for item in REFERENCE_SERVICES if item.id == service_id), None)
    if found is None:
        raise Http404
    return found


def _base_context(request: HttpRequest, choice: _Choice) -> dict[str, Any]:
    return {
        "choice": choice,
        "kinds": _kind_names(),
        "errors": choice.errors,
        "error_summary": [{"href": f"#{field}", "text": text} for field, text in choice.errors.items()],
    }


@requires("view_kpis")
@require_GET
def kpi_overview(request: HttpRequest) -> HttpResponse:
    """Headline KPIs of every reference service for one period."""
    choice = _choice(request)
    context = _base_context(request, choice)
    if choice.period is None:
        return render(request, "workbench/kpi.html", context, status=400)
    lang = language(request)
    figures = cached_figures([(service, choice.period) for service in REFERENCE_SERVICES])
    context["updated"] = min((f.history_until for f in figures if f.history_until), default=None)
    context["updating"] = any(f.stale for f in figures)
    columns = [headline(item.kpis) for item in figures]
    context["services"] = [(service.id, service.title.get(lang)) for service in REFERENCE_SERVICES]
    context["rows"] = [
        {"label": metrics[0].label, "key": metrics[0].key, "values": [m.display for m in metrics]}
        for metrics in zip(*columns, strict=True)
    ]
    context["period"] = choice.period
    return render(request, "workbench/kpi.html", context)


def _stages(
    figures: KpiFigures, labels: dict[str, str], owners: dict[str, str], department: str
) -> list[dict[str, Any]]:
    return [
        {
            "element": stage.element,
            "label": labels.get(stage.element, stage.label),
            "target": days(stage.target_seconds),
            "completed": stage.completed,
            "sla": percent(stage.sla),
            "p50": days(stage.durations.calendar[0]),
            "p90": days(stage.durations.calendar[1]),
            "breaching": stage.open_breaching,
        }
        for stage in figures.kpis.stages
        if not department or owners.get(stage.element) == department
    ]


def _departments(
    service: ReferenceService, figures: KpiFigures, names: dict[str, str], department: str
) -> list[dict[str, Any]]:
    empty = (0,) * len(ageing_labels())
    return [
        {
            "name": names.get(row.department, row.department),
            "completed": row.tasks_completed,
            "open": row.tasks_open,
            "ageing": figures.department_ageing.get(row.department, empty),
        }
        for row in figures.kpis.departments
        if not department or department_of(service, row.department) == department
    ]


def _trend(history: list[KpiFigures]) -> dict[str, Any]:
    p90 = [
        (item.kpis.period.label, None if (s := item.kpis.processing.calendar[1]) is None else s / 86_400.0)
        for item in history
    ]
    sla = [(item.kpis.period.label, None if (v := item.kpis.sla.value) is None else 100 * v) for item in history]
    return {
        "chart": bar_chart(p90),
        "summaries": [
            trend_summary(_("Processing time p90"), p90, _("days")),
            trend_summary(_("Completion within the processing target"), sla, "%"),
        ],
        "rows": [
            {
                "period": item.kpis.period.label,
                "started": item.kpis.started,
                "completed": item.kpis.completed,
                "p90": days(item.kpis.processing.calendar[1]),
                "sla": percent(item.kpis.sla),
                "backlog": item.kpis.backlog,
            }
            for item in history
        ],
    }


def _risk(
    service: ReferenceService, payload: dict[str, Any], department: str, labels: dict[str, str], names: dict[str, str]
) -> dict[str, Any]:
    rows = [row for row in payload["rows"] if not department or department_of(service, row["department"]) == department]
    total = (
        sum(n for group, n in payload["totals"].items() if department_of(service, group) == department)
        if department
        else payload["total"]
    )
    return {
        "total": total,
        "rows": [
            {
                "case_id": row["case_id"],
                "reference": row["reference"],
                "stage": labels.get(row["element"], row["element"]),
                "department": names.get(row["department"], row["department"]),
                "in_stage": days(row["in_stage"]),
                "stage_target": days(row["stage_target"]),
                "stage_predicted": days(row["stage_predicted"]),
                "age": days(row["age"]),
                "case_predicted": days(row["case_predicted"]),
                "processing_target": days(row["processing_target"]),
                "overdue": row["overdue"],
            }
            for row in rows[:RISK_SHOWN]
        ],
    }


@requires("view_kpis")
@require_GET
def kpi_service(request: HttpRequest, service_id: str) -> HttpResponse:
    """One service: KPIs, stages, departments, trends, the SLA at-risk list; a department filter."""
    service = _service(service_id)
    lang = language(request)
    choice = _choice(request)
    context = _base_context(request, choice)
    names = department_names(service, lang)
    department = request.GET.get("department", "").strip()
    keys = [d.key for d in service.departments]
    context.update(
        service=service,
        title=service.title.get(lang),
        departments=[(key, names.get(key, key)) for key in keys],
        department=department,
    )
    if department and department not in keys:
        choice.errors["department"] = _("Choose one of the service’s departments")
        context["error_summary"].append({"href": "#department", "text": choice.errors["department"]})
    if choice.errors or choice.period is None:
        return render(request, "workbench/kpi_service.html", context, status=400)
    labels = stage_labels(service, lang)
    history = trend(service, choice.period, TREND_PERIODS)
    figures = history[-1]
    context["updated"] = figures.history_until
    context["updating"] = any(item.stale for item in history)
    payload, risk_computed = cached_current(service, AT_RISK, partial(at_risk, service))
    # stage element -> department, from the groups its tasks are offered to
    owners = {element: department_of(service, group) for element, group in stage_groups(service).items()}
    context.update(
        period=choice.period,
        metrics=headline(figures.kpis),
        stages=_stages(figures, labels, owners, department),
        department_rows=_departments(service, figures, names, department),
        ageing_labels=ageing_labels(),
        trend=_trend(history),
        risk=_risk(service, payload, department, labels, names),
        risk_computed=risk_computed,
        export_query=f"period={choice.period.label}",
    )
    return render(request, "workbench/kpi_service.html", context)


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": "Bad request", "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


@requires("view_kpis")
@require_GET
def kpi_export(request: HttpRequest, service_id: str, fmt: str) -> HttpResponse:
    """The service's KPIs, stages, departments and trend of ``?period=`` as CSV or XLSX."""
    service = _service(service_id)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    choice = _choice(request)
    if choice.period is None:
        return _problem(400, next(iter(choice.errors.values())))
    history = trend(service, choice.period, TREND_PERIODS)
    parts = tables(history[-1], history)
    filename = f"{service.id}-kpis-{choice.period.label}.{fmt}"
    return csv_response(parts, filename) if fmt == "csv" else xlsx_response(parts, filename)
