"""Structural checks: ids, references between elements, boundary events, diagram references."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from civicflow.bpmn.model import (
    Activity,
    Association,
    BoundaryEvent,
    CompensateEventDefinition,
    ConditionalEventDefinition,
    DiagramEdge,
    DiagramShape,
    ErrorEventDefinition,
    EscalationEventDefinition,
    MessageEventDefinition,
    ReceiveTask,
    SendTask,
    SignalEventDefinition,
)
from civicflow.bpmn.validation._index import Index, diagnostic, walk
from civicflow.bpmn.validation.diagnostics import Diagnostic

__all__ = ["check_structure"]


def _duplicate_ids(index: Index) -> Iterator[Diagnostic]:
    elements = [e for e in walk(index.definitions) if e.id]
    counts = Counter(e.id for e in elements)
    for diagram in index.definitions.diagrams:
        if diagram.plane is not None:
            counts.update(s.id for s in diagram.plane.shapes if s.id)
            counts.update(e.id for e in diagram.plane.edges if e.id)
    reported: set[str] = set()
    for element in elements:
        if counts[element.id] > 1 and element.id not in reported:
            reported.add(element.id)
            yield diagnostic("BPMN001", f"id {element.id!r} is used {counts[element.id]} times", element, index=index)


def _sequence_flows(index: Index) -> Iterator[Diagnostic]:
    for scope in index.scopes:
        for flow in scope.flows:
            for end, ref in (("source", flow.source_ref), ("target", flow.target_ref)):
                if ref in scope.nodes:
                    continue
                if ref in index.by_id:
                    message = f"{end} {ref!r} is not in the same process or subprocess as the flow"
                else:
                    message = f"{end} {ref!r} does not exist"
                yield diagnostic("BPMN002", message, flow)


def _boundary_events(index: Index) -> Iterator[Diagnostic]:
    for scope in index.scopes:
        for node in scope.nodes.values():
            if not isinstance(node, BoundaryEvent):
                continue
            target = scope.nodes.get(node.attached_to_ref)
            if not isinstance(target, Activity):
                what = "does not exist in this scope" if target is None else "is not an activity"
                yield diagnostic("BPMN003", f"attachedToRef {node.attached_to_ref!r} {what}", node)
            if not node.event_definitions:
                yield diagnostic("BPMN022", "a boundary event needs an event definition (timer, message ...)", node)


_ARTICLE = {"message": "a", "signal": "a", "error": "an", "escalation": "an"}


def _root_refs(index: Index) -> Iterator[Diagnostic]:
    d = index.definitions
    kinds = {
        "message": ("BPMN015", {m.id for m in d.messages}),
        "signal": ("BPMN016", {s.id for s in d.signals}),
        "error": ("BPMN017", {e.id for e in d.errors}),
        "escalation": ("BPMN018", {e.id for e in d.escalations}),
    }
    for element in walk(d):
        refs: list[tuple[str, str | None]] = []
        if isinstance(element, MessageEventDefinition | SendTask | ReceiveTask):
            refs.append(("message", element.message_ref))
        elif isinstance(element, SignalEventDefinition):
            refs.append(("signal", element.signal_ref))
        elif isinstance(element, ErrorEventDefinition):
            refs.append(("error", element.error_ref))
        elif isinstance(element, EscalationEventDefinition):
            refs.append(("escalation", element.escalation_ref))
        elif isinstance(element, ConditionalEventDefinition) and element.condition is None:
            yield diagnostic("BPMN023", "conditional event definition without a condition", element, index=index)
        for kind, ref in refs:
            code, known = kinds[kind]
            if ref is not None and ref not in known:
                yield diagnostic(
                    code, f"{kind}Ref {ref!r} does not name {_ARTICLE[kind]} {kind} of this file", element, index=index
                )


def _collaborations(index: Index) -> Iterator[Diagnostic]:
    processes = {p.id for p in index.definitions.processes}
    for collaboration in index.definitions.collaborations:
        for participant in collaboration.participants:
            if participant.process_ref is not None and participant.process_ref not in processes:
                yield diagnostic("BPMN025", f"processRef {participant.process_ref!r} does not exist", participant)
        for flow in collaboration.message_flows:
            for end, ref in (("source", flow.source_ref), ("target", flow.target_ref)):
                if ref not in index.by_id and ref not in index.xml_ids:
                    yield diagnostic("BPMN019", f"{end} {ref!r} does not exist", flow)
            if flow.message_ref is not None and flow.message_ref not in {m.id for m in index.definitions.messages}:
                yield diagnostic("BPMN015", f"messageRef {flow.message_ref!r} does not name a message", flow)


def _compensation(index: Index) -> Iterator[Diagnostic]:
    for scope in index.scopes:
        compensation_boundaries = {
            n.id
            for n in scope.nodes.values()
            if isinstance(n, BoundaryEvent)
            and any(isinstance(d, CompensateEventDefinition) for d in n.event_definitions)
        }
        for artifact in scope.container.artifacts:
            if isinstance(artifact, Association) and artifact.source_ref in compensation_boundaries:
                handler = scope.nodes.get(artifact.target_ref)
                if not isinstance(handler, Activity) or not handler.is_for_compensation:
                    yield diagnostic(
                        "BPMN027",
                        f"compensation handler {artifact.target_ref!r} is missing or not marked isForCompensation",
                        artifact,
                    )


def _diagram_refs(index: Index) -> Iterator[Diagnostic]:
    known = set(index.by_id) | index.xml_ids
    for diagram in index.definitions.diagrams:
        if diagram.plane is None:
            continue
        items: list[DiagramShape | DiagramEdge] = [*diagram.plane.shapes, *diagram.plane.edges]
        for item in items:
            if item.element_ref is not None and item.element_ref not in known:
                yield diagnostic(
                    "BPMN028",
                    f"diagram element {item.id!r} shows {item.element_ref!r}, which does not exist",
                    line=item.line,
                )


def check_structure(index: Index) -> Iterator[Diagnostic]:
    yield from _duplicate_ids(index)
    yield from _sequence_flows(index)
    yield from _boundary_events(index)
    yield from _root_refs(index)
    yield from _collaborations(index)
    yield from _compensation(index)
    yield from _diagram_refs(index)
