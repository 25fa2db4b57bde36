"""The portal's part of the KPI input: each case's channel, unsubmitted drafts, satisfaction answers.

Registered with civicflow.web.kpis when the portal app starts, so the shared figures (CLI report,
dashboards, transparency page) include them without the web layer importing the portal.
"""

from __future__ import annotations

import dataclasses
from uuid import UUID

from civicflow.kpi import Channel, DraftRecord, KpiInput, Period, SatisfactionRecord
from civicflow.portal.models import Application, Draft, SatisfactionResponse
from civicflow.services import ReferenceService

__all__ = ["portal_rows"]

_CHUNK = 2000  # bounded IN lists on big periods


def portal_rows(service: ReferenceService, rows: KpiInput, period: Period) -> KpiInput:
    """Channel of each case (an Application row: online), unsubmitted drafts and satisfaction answers."""

    ids = [UUID(case.case_id) for case in rows.cases]
    online: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        online |= {
            str(i) for i in Application.objects.filter(instance_id__in=chunk).values_list("instance_id", flat=True)
        }
    drafts = Draft.objects.filter(service=service.id, expires__gte=period.start, expires__lt=period.end)
    answers = list(
        SatisfactionResponse.objects.filter(
            service=service.id, answered_at__gte=period.start, answered_at__lt=period.end
        ).values_list("reference", "score", "answered_at")
    )
    # the case each answer is about: a pilot compares satisfaction between versions by it
    references = [reference for reference, _, _ in answers]
    cases: dict[str, UUID] = {}
    for start in range(0, len(references), _CHUNK):
        chunk = references[start : start + _CHUNK]
        cases.update(Application.objects.filter(reference__in=chunk).values_list("reference", "instance_id"))
    return dataclasses.replace(
        rows,
        cases=tuple(
            dataclasses.replace(case, channel=Channel.ONLINE) if case.case_id in online else case for case in rows.cases
        ),
        drafts=tuple(DraftRecord(service=service.process_id, created=d.created, expires=d.expires) for d in drafts),
        answers=tuple(
            SatisfactionRecord(
                service=service.process_id,
                score=score,
                answered=answered,
                case_id=str(cases[reference]) if reference in cases else None,
            )
            for reference, score, answered in answers
        ),
    )
