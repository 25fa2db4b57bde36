"""Read-side queries for the API, the work queues and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import F, QuerySet

from civicflow.runtime.codec import decode_event
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import (
    HistoryEvent,
    Incident,
    IncidentState,
    ProcessInstance,
    TaskCandidate,
    TaskState,
    UserTask,
)
from civicflow.runtime.personal import loads, open_payload
from civicflow.runtime.rows import get_row
from civicflow.runtime.values import decode_value, plain

__all__ = [
    "ElementInstanceRecord",
    "element_instances",
    "get_instance",
    "history",
    "history_events",
    "incidents",
    "instances",
    "tasks",
    "variables",
]


def get_instance(instance_id: UUID | str) -> ProcessInstance:
    instance = get_row(ProcessInstance, instance_id)  # plain SQL: read on every case page and API call
    if instance is None:
        raise NotFoundError(f"no process instance {instance_id}", kind="instance", key=str(instance_id))
    return instance


def instances(
    *,
    process_id: str | None = None,
    version: int | None = None,
    status: str | None = None,
    business_key: str | None = None,
    has_incident: bool | None = None,
) -> QuerySet[ProcessInstance]:
    """Instances, newest first, filtered by what is given."""
    found = ProcessInstance.objects.select_related("definition").defer("state").order_by("-started")
    if process_id is not None:
        found = found.filter(definition__process_id=process_id)
    if version is not None:
        found = found.filter(definition__version=version)
    if status is not None:
        found = found.filter(status=status)
    if business_key is not None:
        found = found.filter(business_key=business_key)
    if has_incident is not None:
        found = found.filter(has_incident=has_incident)
    return found


def tasks(
    *,
    candidate_groups: Sequence[str] | None = None,
    candidate_user: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    due_before: datetime | None = None,
    instance_id: UUID | str | None = None,
    state: str = TaskState.CREATED,
) -> QuerySet[UserTask]:
    """A work queue: open tasks by department, user or assignee, most urgent first.

    Ordered by priority (high first), then due date (earliest first, none last), then age.
    """
    found = UserTask.objects.filter(state=state)
    if candidate_groups is not None or candidate_user is not None:
        candidates = TaskCandidate.objects.none()
        if candidate_groups is not None:
            candidates = TaskCandidate.objects.filter(kind=TaskCandidate.GROUP, name__in=list(candidate_groups))
        if candidate_user is not None:
            candidates = candidates | TaskCandidate.objects.filter(kind=TaskCandidate.USER, name=candidate_user)
        found = found.filter(pk__in=candidates.values("task_id"))
    if assignee is not None:
        found = found.filter(assignee=assignee)
    if unassigned:
        found = found.filter(assignee__isnull=True)
    if due_before is not None:
        found = found.filter(due__lt=due_before)
    if instance_id is not None:
        found = found.filter(instance_id=_uuid(instance_id))
    return found.order_by("-priority", F("due").asc(nulls_last=True), "created", "id")


def history(instance_id: UUID | str) -> QuerySet[HistoryEvent]:
    """The history rows of an instance, in order."""
    return HistoryEvent.objects.filter(instance_id=_uuid(instance_id)).order_by("seq")


def history_events(instance_id: UUID | str) -> list[Any]:
    """The engine events of an instance, decoded (``civicflow.engine.replay`` rebuilds its state)."""
    rows = history(instance_id)
    decoded = (decode_event(r.type, r.element_id, open_payload(r.payload, for_display=False)) for r in rows)
    return [event for event in decoded if event is not None]


def incidents(*, state: str | None = IncidentState.OPEN, instance_id: UUID | str | None = None) -> QuerySet[Incident]:
    found = Incident.objects.order_by("id")
    if state is not None:
        found = found.filter(state=state)
    if instance_id is not None:
        found = found.filter(instance_id=_uuid(instance_id))
    return found


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def variables(instance_id: UUID | str) -> dict[str, Any]:
    """The process-level variables as plain values (from the history once the instance ended).

    Personal values are opened; an erased subject's are ``civicflow.security.sealed_values.ERASED``.
    """
    instance = get_instance(instance_id)
    state = loads(instance.state, for_display=True)
    root = state.elements.get(state.root)
    if root is not None:
        found: dict[str, Any] = plain(dict(root.variables or {}))
        return found
    values: dict[str, Any] = {}
    for row in history(instance_id).filter(type="VariablesSet"):
        if row.payload.get("scope") == state.root:
            values.update(decode_value(open_payload(row.payload).get("variables", {})))
    result: dict[str, Any] = plain(values)
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementInstanceRecord:
    """One element instance of an instance's history, with the process it ran in.

    The engine runs a called process inside its caller's state (no instance row of its own), so
    ``process_id`` names the (called) process the element belongs to, and ``call_activity`` the
    element instance key of the call activity that started that process (None at the top level).
    """

    key: int
    element_id: str
    process_id: str
    scope: int
    call_activity: int | None
    role: str
    state: str  # "active" | "completed" | "terminated"
    started: datetime
    ended: datetime | None


def element_instances(instance_id: UUID | str) -> list[ElementInstanceRecord]:
    """Every element instance of ``instance_id`` from its history, in activation order."""
    instance = get_instance(instance_id)
    nodes = graph_for(instance.definition_id).nodes
    started: dict[int, HistoryEvent] = {}
    ended: dict[int, tuple[str, datetime]] = {}
    kinds = ("ElementActivated", "ElementPassed", "ElementCompleted", "ElementTerminated")
    for row in history(instance_id).filter(type__in=kinds):
        key = int(row.payload["key"])
        if row.type in ("ElementActivated", "ElementPassed"):
            started[key] = row
            if row.type == "ElementPassed":  # an element that never waited: activated and completed at once
                ended[key] = ("completed", row.timestamp)
        else:
            ended[key] = ("completed" if row.type == "ElementCompleted" else "terminated", row.timestamp)
    records: list[ElementInstanceRecord] = []
    for key, row in started.items():
        element = row.element_id or ""
        node = nodes.get(element)
        role = str(row.payload.get("role", ""))
        scope = int(row.payload.get("scope", 0))
        state, end = ended.get(key, ("active", None))
        # the nearest enclosing called-process scope: its own scope is the call activity
        owner, call = (key if role == "process" else scope), None
        while owner in started:
            owner_row = started[owner]
            if owner_row.payload.get("role") == "process":
                parent = int(owner_row.payload.get("scope", 0))
                call = parent or None
                break
            owner = int(owner_row.payload.get("scope", 0))
        if role == "process":
            call = scope or None
        records.append(
            ElementInstanceRecord(
                key=key,
                element_id=element,
                process_id=node.process if node is not None else element,
                scope=scope,
                call_activity=call,
                role=role,
                state=state,
                started=row.timestamp,
                ended=end,
            )
        )
    return records
