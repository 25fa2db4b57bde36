"""KPIs of a reference service for a period: read models brought up to date, portal rows added.

Shared by ``civicflow kpi report``, the workbench dashboards and the public transparency page.
"""

from __future__ import annotations

import dataclasses
from uuid import UUID

from civicflow.kpi import Channel, DraftRecord, KpiInput, Period, SatisfactionRecord, ServiceKpis, compute_kpis
from civicflow.services import ReferenceService

__all__ = ["service_kpis"]

_CHUNK = 2000


def _portal_rows(service: ReferenceService, rows: KpiInput, period: Period) -> KpiInput:
    """Channel of each case (an Application row: online), unsubmitted drafts and satisfaction answers."""
    from civicflow.portal.models import Application, Draft, SatisfactionResponse

    ids = [UUID(case.case_id) for case in rows.cases]
    online: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        online |= {
            str(i) for i in Application.objects.filter(instance_id__in=chunk).values_list("instance_id", flat=True)
        }
    drafts = Draft.objects.filter(service=service.id, expires__gte=period.start, expires__lt=period.end)
    answers = SatisfactionResponse.objects.filter(
        service=service.id, answered_at__gte=period.start, answered_at__lt=period.end
    )
    return dataclasses.replace(
        rows,
        cases=tuple(
            dataclasses.replace(case, channel=Channel.ONLINE) if case.case_id in online else case for case in rows.cases
        ),
        drafts=tuple(DraftRecord(service=service.process_id, created=d.created, expires=d.expires) for d in drafts),
        answers=tuple(
            SatisfactionRecord(service=service.process_id, score=a.score, answered=a.answered_at) for a in answers
        ),
    )


def service_kpis(service: ReferenceService, period: Period) -> ServiceKpis:
    """The KPIs of ``service`` in ``period``, after applying the history the worker has not yet applied."""
    from django.conf import settings

    from civicflow.mining import BusinessCalendar
    from civicflow.runtime.clock import current_clock
    from civicflow.runtime.kpi_projection import catch_up
    from civicflow.runtime.kpi_sources import definition_for, read_model_input

    catch_up(gap_grace=10.0)
    # optional settings: holidays (dates) and task costs per service id ({task element: cents})
    calendar = BusinessCalendar.of(timezone=settings.TIME_ZONE, holidays=getattr(settings, "KPI_HOLIDAYS", ()))
    costs = getattr(settings, "KPI_TASK_COSTS", {}).get(service.id, {})
    definition = definition_for(service, calendar=calendar, task_costs=costs)
    rows = _portal_rows(service, read_model_input(service.process_id, period), period)
    return compute_kpis(definition, rows, period, now=current_clock().now())
