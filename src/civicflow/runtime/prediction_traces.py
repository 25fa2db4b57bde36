"""Cases of a service as :class:`civicflow.prediction.CaseTrace`, read from the engine's history.

One trace per root process instance: its lifecycle steps (tasks, waits, events; gateways and the
process itself left out, as in the mining log), its start and end, and its *declared* attributes:
the start variables named in :data:`ATTRIBUTES`, categories and sizes that say something about
the work, never names, contact details, identifiers or amounts of money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Final
from uuid import UUID

import civicflow.bpmn
from civicflow.bpmn.model import element_lanes
from civicflow.engine import NodeKind
from civicflow.prediction import CaseTrace, Step, Transition
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.mining_log import LIFECYCLE_TRANSITIONS, activity_of, start_values
from civicflow.runtime.models import HistoryEvent, InstanceStatus, ProcessDefinition, ProcessInstance, Resource

__all__ = ["ATTRIBUTES", "departments_of", "service_traces", "spans"]

# Start variables a service's models may learn from (the prediction's features, the simulation's case
# profiles): declared, non-personal, about the work itself.
ATTRIBUTES: Final[Mapping[str, tuple[str, ...]]] = {
    "building_permit": ("buildingType", "floorArea", "heritageZone"),
    "tax_refund": ("residentStatus",),
    "record_transfer": ("urgency",),
}
_TRANSITIONS: Final = {
    "ElementActivated": (Transition.START,),
    "ElementCompleted": (Transition.COMPLETE,),
    "ElementPassed": (Transition.START, Transition.COMPLETE),
    "ElementTerminated": (Transition.ABORT,),
}
_NOT_ACTIVITIES: Final = frozenset(
    {
        NodeKind.PROCESS,
        NodeKind.EXCLUSIVE,
        NodeKind.PARALLEL,
        NodeKind.INCLUSIVE,
        NodeKind.COMPLEX,
        NodeKind.EVENT_BASED,
    }
)
_CHUNK: Final = 2000
_READ: Final = (*LIFECYCLE_TRANSITIONS, "VariablesSet")


def _chunks(ids: Sequence[UUID]) -> Iterable[Sequence[UUID]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _skipped(definition_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    return {
        pk: frozenset(node_id for node_id, node in graph_for(pk).nodes.items() if node.kind in _NOT_ACTIVITIES)
        for pk in definition_ids
    }


def departments_of(process_id: str) -> dict[str, str]:
    """Element -> department of the latest version: its lane, else its first candidate group."""
    definition = ProcessDefinition.objects.filter(process_id=process_id).order_by("-version").first()
    if definition is None:
        return {}
    found = {
        node_id: node.candidate_groups[0]
        for node_id, node in graph_for(definition.pk).nodes.items()
        if node.candidate_groups
    }
    content = Resource.objects.get(pk=definition.resource_id).content
    for ref, lane in element_lanes(civicflow.bpmn.load(content.encode())).items():
        found[ref] = lane.name or lane.id
    return found


def service_traces(
    process_id: str,
    *,
    instance_ids: Sequence[UUID] | None = None,
    started_before: dt.datetime | None = None,
) -> list[CaseTrace]:
    """The cases (root instances) of ``process_id``, or only ``instance_ids``, in start order."""
    instances = ProcessInstance.objects.filter(definition__process_id=process_id, parent__isnull=True)
    if instance_ids is not None:
        instances = instances.filter(pk__in=list(instance_ids))
    if started_before is not None:
        instances = instances.filter(started__lte=started_before)
    selected = list(
        instances.order_by("started", "id").values_list("pk", "definition_id", "started", "ended", "status")
    )
    skipped = _skipped({definition_id for _pk, definition_id, *_rest in selected})
    definition_of = {pk: definition_id for pk, definition_id, *_rest in selected}
    names = ATTRIBUTES.get(process_id, ())
    steps: dict[UUID, list[Step]] = {pk: [] for pk, *_rest in selected}
    attributes: dict[UUID, dict[str, str | float | bool | None]] = {}
    for chunk in _chunks([pk for pk, *_rest in selected]):
        rows = (
            HistoryEvent.objects.filter(instance_id__in=chunk, type__in=_READ)
            .order_by("instance_id", "seq")
            .values_list("instance_id", "type", "element_id", "payload", "timestamp")
        )
        for instance_id, kind, element_id, payload, timestamp in rows.iterator(chunk_size=_CHUNK):
            if kind == "VariablesSet":
                if instance_id not in attributes and (values := start_values(payload, names)) is not None:
                    attributes[instance_id] = dict(values)
                continue
            element = activity_of(element_id, payload)
            if element is None or element in skipped[definition_of[instance_id]]:
                continue
            key = int(payload.get("key", 0))
            steps[instance_id].extend(
                Step(at=timestamp, element=element, key=key, transition=transition) for transition in _TRANSITIONS[kind]
            )
    return [
        CaseTrace(
            case_id=str(pk),
            service=process_id,
            started=started,
            ended=ended if status != InstanceStatus.ACTIVE else None,
            steps=tuple(steps[pk]),
            attributes=attributes.get(pk, {}),
        )
        for pk, _definition, started, ended, status in selected
    ]


def spans(process_id: str) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """(service, started, ended) of every case of ``process_id``: the workload over time."""
    rows = ProcessInstance.objects.filter(definition__process_id=process_id, parent__isnull=True).values_list(
        "started", "ended"
    )
    return [(process_id, started, ended) for started, ended in rows]
