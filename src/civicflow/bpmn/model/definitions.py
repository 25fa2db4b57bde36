"""Root elements: processes, collaborations, messages, signals, errors, escalations, definitions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from civicflow.bpmn.model.activities import FlowElement, SubProcess
from civicflow.bpmn.model.base import BaseElement
from civicflow.bpmn.model.diagram import Diagram
from civicflow.bpmn.model.flows import Artifact, Lane, LaneSet
from civicflow.bpmn.model.xml import XmlNode

__all__ = [
    "Collaboration",
    "DataStore",
    "Definitions",
    "Error",
    "Escalation",
    "Message",
    "MessageFlow",
    "Participant",
    "Process",
    "Signal",
    "element_lanes",
    "iter_flow_elements",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(BaseElement):
    """A message; Zeebe's correlation key is ``ext.correlation_key``."""

    name: str | None = None
    item_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal(BaseElement):
    name: str | None = None
    structure_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Error(BaseElement):
    name: str | None = None
    error_code: str | None = None
    structure_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalation(BaseElement):
    name: str | None = None
    escalation_code: str | None = None
    structure_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataStore(BaseElement):
    name: str | None = None
    capacity: int | None = None
    is_unlimited: bool | None = None
    item_subject_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Process(BaseElement):
    name: str | None = None
    is_executable: bool | None = None
    process_type: str | None = None
    is_closed: bool | None = None
    lane_sets: tuple[LaneSet, ...] = ()
    flow_elements: tuple[FlowElement, ...] = ()
    artifacts: tuple[Artifact, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Participant(BaseElement):
    """A pool; ``process_ref`` names the process it shows."""

    name: str | None = None
    process_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageFlow(BaseElement):
    name: str | None = None
    source_ref: str = ""
    target_ref: str = ""
    message_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Collaboration(BaseElement):
    name: str | None = None
    is_closed: bool | None = None
    participants: tuple[Participant, ...] = ()
    message_flows: tuple[MessageFlow, ...] = ()
    artifacts: tuple[Artifact, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Definitions(BaseElement):
    """A whole BPMN file.

    ``namespaces`` keeps the source's prefix bindings so written files look familiar
    (presentation only: excluded from equality, like ``line``);
    ``unmodelled`` keeps root elements the model does not type (item definitions, interfaces ...).
    """

    name: str | None = None
    target_namespace: str = ""
    expression_language: str | None = None
    type_language: str | None = None
    exporter: str | None = None
    exporter_version: str | None = None
    namespaces: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    imports: tuple[XmlNode, ...] = ()
    messages: tuple[Message, ...] = ()
    signals: tuple[Signal, ...] = ()
    errors: tuple[Error, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    data_stores: tuple[DataStore, ...] = ()
    collaborations: tuple[Collaboration, ...] = ()
    processes: tuple[Process, ...] = ()
    diagrams: tuple[Diagram, ...] = ()

    def process(self, process_id: str | None = None) -> Process:
        """The process with ``process_id``, or the only executable one (else the only one)."""
        if process_id is not None:
            for process in self.processes:
                if process.id == process_id:
                    return process
            raise KeyError(process_id)
        executable = [p for p in self.processes if p.is_executable] or list(self.processes)
        if len(executable) != 1:
            raise KeyError("several processes: pass a process id")
        return executable[0]


def iter_flow_elements(container: Process | SubProcess) -> Iterator[FlowElement]:
    """Every flow element in ``container``, subprocess contents included, in document order."""
    stack: list[Iterator[FlowElement]] = [iter(container.flow_elements)]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        yield element
        if isinstance(element, SubProcess):
            stack.append(iter(element.flow_elements))


def element_lanes(definitions: Definitions) -> dict[str, Lane]:
    """Element id -> the innermost lane holding it, over every process and subprocess lane set."""
    found: dict[str, Lane] = {}

    def walk(lane_sets: Iterable[LaneSet]) -> None:
        for lane_set in lane_sets:
            for lane in lane_set.lanes:
                for ref in lane.flow_node_refs:
                    found[ref] = lane
                if lane.child_lane_set is not None:
                    walk([lane.child_lane_set])

    for process in definitions.processes:
        walk(process.lane_sets)
        for element in iter_flow_elements(process):
            if isinstance(element, SubProcess):
                walk(element.lane_sets)
    return found
