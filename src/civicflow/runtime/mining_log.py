"""The engine's own history as a process-mining event log (:class:`civicflow.mining.EventLog`).

One case per process instance; one event per lifecycle transition of a task, event or
subprocess (gateways and the process itself are left out). Activities are named by the model's
element names; ``org:resource`` is the department (the element's lane, else the task's first
candidate group), ``org:role`` the task's candidate groups. The same history rows feed the XES
and OCEL exports of the API (``civicflow.api.exports``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import polars as pl
from django.db.models import QuerySet

import civicflow.bpmn
from civicflow.bpmn.model import element_lanes
from civicflow.engine.graph import NodeKind
from civicflow.mining import ACTIVITY, CASE, LIFECYCLE, RESOURCE, TIMESTAMP, EventLog
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.models import HistoryEvent, ProcessDefinition, ProcessInstance, Resource, TaskCandidate

__all__ = ["LIFECYCLE_TRANSITIONS", "activity_of", "engine_event_log", "lifecycle_rows", "start_values"]

# History event type -> XES lifecycle:transition.
LIFECYCLE_TRANSITIONS: Final = {
    "ElementActivated": "start",
    "ElementCompleted": "complete",
    "ElementPassed": "complete",
    "ElementTerminated": "ate_abort",
}
ROLE: Final = "org:role"
INSTANCE: Final = "concept:instance"
_GATEWAYS: Final = frozenset(
    {NodeKind.EXCLUSIVE, NodeKind.PARALLEL, NodeKind.INCLUSIVE, NodeKind.COMPLEX, NodeKind.EVENT_BASED}
)
# Batches keep memory flat on large histories.
_CHUNK: Final = 5000


def lifecycle_rows(instance: ProcessInstance) -> QuerySet[HistoryEvent]:
    """The lifecycle history of one instance in the order it happened."""
    return HistoryEvent.objects.filter(instance=instance, type__in=LIFECYCLE_TRANSITIONS).order_by("seq")


def activity_of(element_id: str | None, payload: Mapping[str, Any]) -> str | None:
    """The element a lifecycle row is about, or None for the process itself."""
    if str(payload.get("role", "")) == "process" or not element_id:
        return None
    return element_id


@dataclass(frozen=True, slots=True, kw_only=True)
class _Model:
    """What the log needs of one process definition: names, kinds and lanes of its elements."""

    names: dict[str, str]
    skipped: frozenset[str]  # gateways and processes: not activities
    lanes: dict[str, str]
    groups: dict[str, tuple[str, ...]]


def _model(definition: ProcessDefinition) -> _Model:
    graph = graph_for(definition.pk)
    names = {node_id: node.name or node_id for node_id, node in graph.nodes.items()}
    skipped = frozenset(
        node_id for node_id, node in graph.nodes.items() if node.kind in _GATEWAYS or node.kind == NodeKind.PROCESS
    )
    groups = {node_id: node.candidate_groups for node_id, node in graph.nodes.items() if node.candidate_groups}
    resource = Resource.objects.get(pk=definition.resource_id)
    return _Model(names=names, skipped=skipped, lanes=_lanes(resource.content), groups=groups)


def _lanes(content: str) -> dict[str, str]:
    """Element id -> name of the innermost lane holding it (CivicFlow reads lanes as departments)."""
    lanes = element_lanes(civicflow.bpmn.load(content.encode()))
    return {ref: lane.name or lane.id for ref, lane in lanes.items()}


def engine_event_log(
    *,
    process_key: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    attributes: Sequence[str] = (),
) -> EventLog:
    """The history of the instances started in ``[since, until)`` as an event log.

    ``process_key`` is a BPMN process id (all versions) or a definition key ``id:version``.
    The case id is the instance's business key, or its instance id when it has none or shares
    it with another selected instance. A passed element (activated and completed in one step)
    gets a start and a complete at the same instant, so that start/complete pairs stay aligned.
    ``attributes`` names start variables to add to the case table as text (a number, a yes/no or a
    text; anything else, such as a sealed personal value, stays empty): name only non-personal ones.
    """
    instances = ProcessInstance.objects.select_related("definition")
    if process_key is not None:
        field = "definition__key" if ":" in process_key else "definition__process_id"
        instances = instances.filter(**{field: process_key})
    if since is not None:
        instances = instances.filter(started__gte=since)
    if until is not None:
        instances = instances.filter(started__lt=until)
    selected = list(instances.order_by("started", "id"))
    cases = _cases(selected)
    models: dict[int, _Model] = {}
    definition_of = {i.pk: i.definition for i in selected}
    groups = _candidate_groups(selected)
    columns: dict[str, list[Any]] = {k: [] for k in (CASE, ACTIVITY, TIMESTAMP, LIFECYCLE, RESOURCE, ROLE, INSTANCE)}
    columns["element_id"] = []
    for chunk in _chunks([i.pk for i in selected]):
        rows = (
            HistoryEvent.objects.filter(instance_id__in=chunk, type__in=LIFECYCLE_TRANSITIONS)
            .order_by("instance_id", "seq")
            .values_list("instance_id", "type", "element_id", "payload", "timestamp")
        )
        for instance_id, kind, element_id, payload, timestamp in rows.iterator(chunk_size=_CHUNK):
            element = activity_of(element_id, payload)
            definition = definition_of[instance_id]
            model = models.get(definition.pk) or models.setdefault(definition.pk, _model(definition))
            if element is None or element in model.skipped:
                continue
            key = int(payload.get("key", 0))
            task_groups = groups.get((instance_id, key)) or model.groups.get(element, ())
            transitions = ("start", "complete") if kind == "ElementPassed" else (LIFECYCLE_TRANSITIONS[kind],)
            for transition in transitions:
                columns[CASE].append(cases[instance_id])
                columns[ACTIVITY].append(model.names.get(element, element))
                columns[TIMESTAMP].append(timestamp)
                columns[LIFECYCLE].append(transition)
                columns[RESOURCE].append(model.lanes.get(element) or (task_groups[0] if task_groups else None))
                columns[ROLE].append(",".join(task_groups) or None)
                columns[INSTANCE].append(str(key))
                columns["element_id"].append(element)
    events = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Utf8) | {TIMESTAMP: pl.Datetime("us", "UTC")})
    case_frame = _case_frame(selected, cases)
    if attributes:
        values = _start_values(selected, attributes)
        case_frame = case_frame.with_columns(
            pl.Series(name, [values.get(i.pk, {}).get(name) for i in selected], dtype=pl.Utf8) for name in attributes
        )
    return EventLog.from_events(events, cases=case_frame, attributes={"source": "civicflow engine history"})


def start_values(payload: Mapping[str, Any], names: Sequence[str]) -> dict[str, str | float | bool] | None:
    """The named variables a ``VariablesSet`` payload sets, if it sets the start variables (the process
    scope; None otherwise). Only numbers, yes/no and texts: anything else (a sealed personal value) is
    left out."""
    if payload.get("scope") != 1:
        return None
    variables = payload.get("variables") or {}
    return {name: variables[name] for name in names if isinstance(variables.get(name), bool | int | float | str)}


def _start_values(instances: list[ProcessInstance], names: Sequence[str]) -> dict[UUID, dict[str, str]]:
    """The named start variables of each instance (its first variables at the process scope), as text."""
    found: dict[UUID, dict[str, str]] = {}
    for chunk in _chunks([i.pk for i in instances]):
        rows = (
            HistoryEvent.objects.filter(instance_id__in=chunk, type="VariablesSet")
            .order_by("instance_id", "seq")
            .values_list("instance_id", "payload")
        )
        for instance_id, payload in rows.iterator(chunk_size=_CHUNK):
            if instance_id in found or (values := start_values(payload, names)) is None:
                continue
            found[instance_id] = {
                name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in values.items()
            }
    return found


def _chunks(ids: list[UUID]) -> Iterable[list[UUID]]:
    # Databases bound the number of parameters in one IN (...): SQLite's default is 32766.
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _cases(instances: list[ProcessInstance]) -> dict[UUID, str]:
    counts: dict[str, int] = {}
    for instance in instances:
        if instance.business_key:
            counts[instance.business_key] = counts.get(instance.business_key, 0) + 1
    return {i.pk: i.business_key if i.business_key and counts[i.business_key] == 1 else str(i.pk) for i in instances}


def _candidate_groups(instances: list[ProcessInstance]) -> dict[tuple[UUID, int], tuple[str, ...]]:
    """(instance, element instance key) -> the candidate groups its user task had."""
    found: dict[tuple[UUID, int], list[str]] = {}
    for chunk in _chunks([i.pk for i in instances]):
        rows = (
            TaskCandidate.objects.filter(task__instance_id__in=chunk, kind=TaskCandidate.GROUP)
            .order_by("task_id", "id")
            .values_list("task__instance_id", "task__element_instance", "name")
        )
        for instance_id, element_instance, name in rows:
            found.setdefault((instance_id, element_instance), []).append(name)
    return {key: tuple(names) for key, names in found.items()}


def _case_frame(instances: list[ProcessInstance], cases: Mapping[UUID, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            CASE: [cases[i.pk] for i in instances],
            "instance_id": [str(i.pk) for i in instances],
            "process_key": [i.definition.process_id for i in instances],
            "process_version": [i.definition.version for i in instances],
            "business_key": [i.business_key for i in instances],
            "status": [str(i.status) for i in instances],
            "started": [i.started for i in instances],
            "ended": [i.ended for i in instances],
        },
        schema={
            CASE: pl.Utf8,
            "instance_id": pl.Utf8,
            "process_key": pl.Utf8,
            "process_version": pl.Int64,
            "business_key": pl.Utf8,
            "status": pl.Utf8,
            "started": pl.Datetime("us", "UTC"),
            "ended": pl.Datetime("us", "UTC"),
        },
    )
