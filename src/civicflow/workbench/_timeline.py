"""A case's timeline and current waits, in words staff understand, from the instance's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicflow.engine import NodeKind
from civicflow.runtime import services
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.models import ProcessInstance, UserTask

__all__ = ["ActiveElement", "TimelineEntry", "active_elements", "timeline"]

_WHAT: dict[str, Promise] = {
    "InstanceStarted": _("Case started"),
    "ElementActivated": _("Started"),
    "ElementCompleted": _("Completed"),
    "ElementPassed": _("Passed"),
    "ElementTerminated": _("Stopped"),
    "TaskCreated": _("Task created"),
    "TaskCompleted": _("Task completed"),
    "TaskCanceled": _("Task cancelled"),
    "IncidentRaised": _("Incident raised"),
    "IncidentResolved": _("Incident resolved"),
    "MessageCorrelated": _("Message received"),
    "TimerFired": _("Timer fired"),
    "InstanceCompleted": _("Case completed"),
    "InstanceTerminated": _("Case ended"),
}


_CONTAINERS = frozenset(
    {
        NodeKind.PROCESS,
        NodeKind.SUB_PROCESS,
        NodeKind.EVENT_SUB_PROCESS,
        NodeKind.TRANSACTION,
        NodeKind.AD_HOC_SUB_PROCESS,
        NodeKind.CALL_ACTIVITY,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    when: datetime
    what: Promise
    element: str  # the element's name, or its id when it has none; empty for the case itself
    who: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActiveElement:
    element_id: str
    name: str
    since: datetime


def _names(instance: ProcessInstance) -> dict[str, str]:
    return {node_id: node.name or node_id for node_id, node in graph_for(instance.definition_id).nodes.items()}


def timeline(instance: ProcessInstance) -> list[TimelineEntry]:
    """What happened, oldest first; ``who`` is the member of staff who completed a task."""
    names = _names(instance)
    completed_by = dict(
        UserTask.objects.filter(instance_id=instance.pk, completed_by__isnull=False).values_list("key", "completed_by")
    )
    entries: list[TimelineEntry] = []
    for row in services.history(instance.pk).filter(type__in=list(_WHAT)):
        if row.payload.get("role") == "process":
            continue  # the process element itself: "Case started" already says it
        who = ""
        if row.type == "TaskCompleted":
            who = completed_by.get(int(row.payload.get("key", 0)), "") or ""
        element = row.element_id or ""
        entries.append(
            TimelineEntry(when=row.timestamp, what=_WHAT[row.type], element=names.get(element, element), who=who)
        )
    return entries


def active_elements(instance: ProcessInstance) -> list[ActiveElement]:
    """The elements the case waits in now (tasks, events, jobs), in the order they started."""
    nodes = graph_for(instance.definition_id).nodes
    found = []
    for record in services.element_instances(instance.pk):
        node = nodes.get(record.element_id)
        # containers hold the waits; listing them too would say the same thing twice
        if record.state != "active" or node is None or node.kind in _CONTAINERS:
            continue
        found.append(ActiveElement(element_id=node.id, name=node.name or node.id, since=record.started))
    return found
