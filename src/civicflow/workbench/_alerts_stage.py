"""Stage SLA alerts: a reference service's stage whose compliance over a rolling window is too low.

Compliance comes from the KPI read models through :func:`civicflow.web.kpis.service_kpis` (the
figures the dashboards show), over ``[now - window, now)``. A stage belongs to the department
of the lane that holds its element in the service's BPMN (lanes are departments); its head is
that department's ``head`` role group, else ``<lane>-head``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

import civicflow.bpmn
from civicflow.bpmn.model import element_lanes
from civicflow.kpi import Period, PeriodKind, StageKpis
from civicflow.services import REFERENCE_SERVICES, ReferenceService
from civicflow.workbench._alerts_options import AlertOptions

__all__ = ["StageFinding", "head_group", "stage_findings"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StageFinding:
    """One measured stage: its compliance in the window and whether that is below its threshold."""

    service: ReferenceService
    stage: StageKpis
    head: str
    threshold: float

    @property
    def breaching(self) -> bool:
        rate = self.stage.sla.value
        return rate is not None and rate < self.threshold


def _lane_of(service: ReferenceService) -> dict[str, tuple[str, str]]:
    """Element id -> (lane id, lane name) in the service's BPMN files."""
    found: dict[str, tuple[str, str]] = {}
    for name in service.bpmn:
        lanes = element_lanes(civicflow.bpmn.load((service.folder / name).read_bytes()))
        found.update({ref: (lane.id, lane.name or "") for ref, lane in lanes.items()})
    return found


@cache
def _heads(service_id: str) -> dict[str, str]:
    service = next(item for item in REFERENCE_SERVICES if item.id == service_id)
    lanes = _lane_of(service)
    heads: dict[str, str] = {}
    for stage in service.kpis.stages:
        lane_id, lane_name = lanes.get(stage.element, ("", ""))
        department = next(
            (
                dept
                for dept in service.departments
                # the generated models name a lane Lane_<key>; a hand-drawn one may only carry the name
                if lane_id == "Lane_" + dept.key.replace("-", "_") or lane_name in {dept.name.en, dept.name.nl}
            ),
            None,
        )
        if department is None:
            continue  # a stage outside any department's lane has nobody to tell
        head = next((role.group for role in department.roles if role.key == "head"), f"{department.key}-head")
        heads[stage.element] = head
    return heads


def head_group(service: ReferenceService, element: str) -> str | None:
    """The head group told about ``element``'s SLA, None when no department's lane holds it."""
    return _heads(service.id).get(element)


def _window(now: datetime, options: AlertOptions) -> Period:
    # compute_kpis reads only start and end; the kind is nominal for a rolling window
    return Period(kind=PeriodKind.DAY, label=f"{options.sla_window.days}d", start=now - options.sla_window, end=now)


def stage_findings(now: datetime, options: AlertOptions) -> list[StageFinding]:
    """Every reference-service stage with a target, a head and enough finished activations."""
    from civicflow.web.kpis import service_kpis

    period = _window(now, options)
    findings = []
    for service in REFERENCE_SERVICES:
        if not service.kpis.stages:
            continue
        for stage in service_kpis(service, period).stages:
            head = head_group(service, stage.element)
            if head is None or stage.completed < options.sla_min_completed:
                continue
            findings.append(
                StageFinding(
                    service=service, stage=stage, head=head, threshold=options.threshold(service.id, stage.element)
                )
            )
    return findings
