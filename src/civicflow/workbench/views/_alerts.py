"""The Alerts page: KPI alerts for the user's departments (tasks nearing their due date, stage SLAs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from civicflow.security import policy
from civicflow.workbench._access import requires
from civicflow.workbench._alerts import describe
from civicflow.workbench.models import Alert, AlertKind

OPEN_SHOWN = 200
RESOLVED_SHOWN = 50
RESOLVED_FOR = timedelta(days=30)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Row:
    alert: Alert
    text: str
    url: str  # the task's page, or the service's Performance page for a stage


def _url(alert: Alert) -> str:
    if alert.kind == AlertKind.TASK_DUE:
        return reverse("workbench:task", args=[alert.task_id]) if alert.task_id is not None else ""
    return reverse("workbench:kpi_service", args=[alert.service])


def _rows(alerts: QuerySet[Alert]) -> list[_Row]:
    return [_Row(alert=alert, text=describe(alert), url=_url(alert)) for alert in alerts]


@require_safe
@requires("view_alerts")
def alerts(request: HttpRequest) -> HttpResponse:
    mine = Alert.objects.all()
    if policy.scope(request.user, "view_alerts") is not policy.Scope.ALL:
        mine = mine.filter(department__in=request.user.groups.values("name"))
    since = timezone.now() - RESOLVED_FOR
    return render(
        request,
        "workbench/alerts.html",
        {
            "open": _rows(mine.filter(resolved__isnull=True)[:OPEN_SHOWN]),
            "resolved": _rows(mine.filter(resolved__gte=since).order_by("-resolved", "-id")[:RESOLVED_SHOWN]),
            "resolved_days": RESOLVED_FOR.days,
        },
    )
