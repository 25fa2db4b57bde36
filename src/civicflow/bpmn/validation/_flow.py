"""Control-flow checks: start events, reachability, gateways, links, implementations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from civicflow.bpmn.model import (
    Activity,
    BoundaryEvent,
    BusinessRuleTask,
    CallActivity,
    ComplexGateway,
    EventBasedGateway,
    EventTrigger,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkEventDefinition,
    ReceiveTask,
    SendTask,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
)
from civicflow.bpmn.validation._index import Index, Scope, diagnostic
from civicflow.bpmn.validation.diagnostics import Diagnostic

__all__ = ["check_flow"]

_EVENT_GATEWAY_TRIGGERS = {EventTrigger.MESSAGE, EventTrigger.TIMER, EventTrigger.SIGNAL, EventTrigger.CONDITIONAL}


def _link_name(node: FlowNode) -> str | None:
    if isinstance(node, IntermediateThrowEvent | IntermediateCatchEvent):
        for d in node.event_definitions:
            if isinstance(d, LinkEventDefinition):
                return d.name or ""
    return None


def _outgoing(scope: Scope) -> dict[str, list[SequenceFlow]]:
    out: dict[str, list[SequenceFlow]] = defaultdict(list)
    for flow in scope.flows:
        out[flow.source_ref].append(flow)
    return out


def _gateways(scope: Scope, out: dict[str, list[SequenceFlow]]) -> Iterator[Diagnostic]:
    for node in scope.nodes.values():
        flows = out.get(node.id, [])
        default = getattr(node, "default", None)
        if default is not None and default not in {f.id for f in flows}:
            yield diagnostic("BPMN007", f"default {default!r} is not an outgoing sequence flow of {node.id!r}", node)
        if isinstance(node, ExclusiveGateway | InclusiveGateway | ComplexGateway) and len(flows) > 1:
            for flow in flows:
                if flow.id != default and flow.condition_expression is None:
                    yield diagnostic(
                        "BPMN006",
                        f"flow {flow.id!r} leaves {node.kind.value} {node.id!r} without a condition"
                        " and is not its default",
                        flow,
                    )
        if isinstance(node, EventBasedGateway):
            for flow in flows:
                target = scope.nodes.get(flow.target_ref)
                ok = isinstance(target, ReceiveTask) or (
                    isinstance(target, IntermediateCatchEvent) and target.trigger in _EVENT_GATEWAY_TRIGGERS
                )
                if target is not None and not ok:
                    yield diagnostic(
                        "BPMN014",
                        f"{target.id!r} follows event-based gateway {node.id!r}; only message, timer, signal or"
                        " conditional catch events and receive tasks may",
                        target,
                    )


def _links(scope: Scope) -> Iterator[Diagnostic]:
    catches: dict[str, list[FlowNode]] = defaultdict(list)
    for node in scope.nodes.values():
        name = _link_name(node)
        if name is not None and isinstance(node, IntermediateCatchEvent):
            catches[name].append(node)
    for name, nodes in catches.items():
        if len(nodes) > 1:
            for node in nodes:
                yield diagnostic("BPMN024", f"link name {name!r} is caught {len(nodes)} times in this scope", node)
    for node in scope.nodes.values():
        name = _link_name(node)
        if name is not None and isinstance(node, IntermediateThrowEvent) and name not in catches:
            yield diagnostic("BPMN013", f"no link catch event named {name!r} in the same scope", node)


def _reachability(scope: Scope, out: dict[str, list[SequenceFlow]]) -> Iterator[Diagnostic]:
    nodes = scope.nodes
    targets = {f.target_ref for f in scope.flows}
    has_start = any(isinstance(n, StartEvent) for n in nodes.values())
    seeds = [
        n
        for n in nodes.values()
        if isinstance(n, StartEvent)
        or (isinstance(n, SubProcess) and n.triggered_by_event)
        or (isinstance(n, Activity) and n.is_for_compensation)
        # Without a start event, every node without incoming flow starts (BPMN 2.0.2 §13.4.1).
        or (not has_start and n.id not in targets and not isinstance(n, BoundaryEvent) and _link_name(n) is None)
    ]
    attached: dict[str, list[str]] = defaultdict(list)
    catch_by_link: dict[str, list[str]] = defaultdict(list)
    for n in nodes.values():
        if isinstance(n, BoundaryEvent):
            attached[n.attached_to_ref].append(n.id)
        name = _link_name(n)
        if name is not None and isinstance(n, IntermediateCatchEvent):
            catch_by_link[name].append(n.id)
    seen = {n.id for n in seeds}
    stack = [n.id for n in seeds]
    while stack:
        current = stack.pop()
        following = [f.target_ref for f in out.get(current, [])] + attached.get(current, [])
        name = _link_name(nodes[current]) if current in nodes else None
        if name is not None and isinstance(nodes[current], IntermediateThrowEvent):
            following += catch_by_link.get(name, [])
        for nxt in following:
            if nxt in nodes and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    for node in nodes.values():
        if node.id not in seen:
            yield diagnostic("BPMN005", f"{node.kind.value} {node.id!r} cannot be reached from any start", node)


def _implementations(scope: Scope) -> Iterator[Diagnostic]:
    for node in scope.nodes.values():
        ext = node.ext
        td = ext.task_definition
        if isinstance(node, CallActivity):
            target = node.called_element or (
                ext.called_element.process_id.raw
                if ext.called_element is not None and ext.called_element.process_id is not None
                else None
            )
            if not target:
                yield diagnostic("BPMN008", "call activity without calledElement (or zeebe:calledElement)", node)
        elif isinstance(node, BusinessRuleTask):
            if ext.called_decision is None and td is None and not node.implementation:
                yield diagnostic(
                    "BPMN009", "business rule task without a decision (calledDecision/decisionRef) or job type", node
                )
        elif isinstance(node, ServiceTask | SendTask) and td is None:
            yield diagnostic(
                "BPMN010", f"{node.kind.value} without a job type (zeebe:taskDefinition, camunda:topic/class)", node
            )


def check_flow(index: Index) -> Iterator[Diagnostic]:
    for scope in index.scopes:
        out = _outgoing(scope)
        yield from _gateways(scope, out)
        yield from _links(scope)
        yield from _reachability(scope, out)
        if scope.process.is_executable:
            yield from _implementations(scope)
    for process in index.definitions.processes:
        if process.is_executable and not any(isinstance(e, StartEvent) for e in process.flow_elements):
            yield diagnostic("BPMN004", f"executable process {process.id!r} has no start event", process)
