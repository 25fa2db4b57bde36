"""Processes and subprocesses: their sequence flows and flow nodes, each compiled into a Node."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from civicflow.bpmn import model as m
from civicflow.engine.compiler._activities import activity_fields
from civicflow.engine.compiler._context import CompileContext, Constant
from civicflow.engine.compiler._events import event_fields
from civicflow.engine.graph import Flow, Node, NodeKind, Trigger
from civicflow.engine.ports import CompiledExpression

__all__ = ["JOINS", "compile_container"]

_KINDS: dict[type[Any], NodeKind] = {
    m.StartEvent: NodeKind.START,
    m.EndEvent: NodeKind.END,
    m.IntermediateCatchEvent: NodeKind.CATCH,
    m.IntermediateThrowEvent: NodeKind.THROW,
    m.BoundaryEvent: NodeKind.BOUNDARY,
    m.Task: NodeKind.TASK,
    m.ManualTask: NodeKind.MANUAL_TASK,
    m.UserTask: NodeKind.USER_TASK,
    m.ServiceTask: NodeKind.SERVICE_TASK,
    m.ScriptTask: NodeKind.SCRIPT_TASK,
    m.BusinessRuleTask: NodeKind.BUSINESS_RULE_TASK,
    m.SendTask: NodeKind.SEND_TASK,
    m.ReceiveTask: NodeKind.RECEIVE_TASK,
    m.SubProcess: NodeKind.SUB_PROCESS,
    m.Transaction: NodeKind.TRANSACTION,
    m.AdHocSubProcess: NodeKind.AD_HOC_SUB_PROCESS,
    m.CallActivity: NodeKind.CALL_ACTIVITY,
    m.ExclusiveGateway: NodeKind.EXCLUSIVE,
    m.ParallelGateway: NodeKind.PARALLEL,
    m.InclusiveGateway: NodeKind.INCLUSIVE,
    m.ComplexGateway: NodeKind.COMPLEX,
    m.EventBasedGateway: NodeKind.EVENT_BASED,
}
JOINS = frozenset({NodeKind.PARALLEL, NodeKind.INCLUSIVE, NodeKind.COMPLEX})


def compile_container(
    ctx: CompileContext,
    element: m.Process | m.SubProcess,
    process: str,
    *,
    parent: str | None,
    name: str | None,
    kind: NodeKind,
) -> None:
    """Compile a process or subprocess, its flow nodes and (recursively) its subprocesses."""
    flows = [f for f in element.flow_elements if isinstance(f, m.SequenceFlow)]
    nodes = [f for f in element.flow_elements if isinstance(f, m.FlowNode)]
    for art in element.artifacts:
        if isinstance(art, m.Association):
            ctx.handlers[art.source_ref] = art.target_ref
    kinds: dict[str, NodeKind] = {}
    for n in nodes:
        k = _KINDS.get(type(n))
        if k is None:
            continue
        if k is NodeKind.SUB_PROCESS and isinstance(n, m.SubProcess) and n.triggered_by_event:
            k = NodeKind.EVENT_SUB_PROCESS
        kinds[n.id] = k
    incoming_count: dict[str, int] = {}
    for f in flows:
        incoming_count[f.target_ref] = incoming_count.get(f.target_ref, 0) + 1
    outgoing: dict[str, list[Flow]] = {}
    for f in flows:
        source = next((n for n in nodes if n.id == f.source_ref), None)
        default = getattr(source, "default", None) if source is not None else None
        target_kind = kinds.get(f.target_ref)
        cond = ctx.expr(f.source_ref, f.condition_expression) if f.condition_expression is not None else None
        outgoing.setdefault(f.source_ref, []).append(
            Flow(
                id=f.id,
                source=f.source_ref,
                target=f.target_ref,
                condition=cond,
                is_default=default == f.id,
                into_join=target_kind in JOINS and incoming_count.get(f.target_ref, 0) > 1,
            )
        )
    boundaries: dict[str, list[str]] = {}
    for n in nodes:
        if isinstance(n, m.BoundaryEvent):
            boundaries.setdefault(n.attached_to_ref, []).append(n.id)
    starts: list[str] = []
    event_starts: list[str] = []
    links: list[tuple[str, str]] = []
    for n in nodes:
        k = kinds.get(n.id)
        if k is None:
            ctx.problems.setdefault(n.id, f"{type(n).__name__} is not executable")
            continue
        node = _node(
            ctx,
            n,
            k,
            process=process,
            container=element.id,
            outgoing=outgoing.get(n.id, []),
            incoming=[f.id for f in flows if f.target_ref == n.id],
            boundaries=boundaries.get(n.id, []),
        )
        if k is NodeKind.START and node.trigger is Trigger.NONE:
            starts.append(n.id)
        if k is NodeKind.CATCH and node.trigger is Trigger.LINK and node.link:
            links.append((node.link, n.id))
        if k is NodeKind.EVENT_SUB_PROCESS:
            assert isinstance(n, m.SubProcess)  # invariant narrowed for mypy, not a security check  # nosec B101
            event_starts.extend(s.id for s in n.flow_elements if isinstance(s, m.StartEvent) and s.event_definitions)
        ctx.nodes[n.id] = node
        if isinstance(n, m.SubProcess):
            compile_container(ctx, n, process, parent=element.id, name=n.name, kind=k)
    if not starts:
        # a process started by a message, timer or signal: any start event without a trigger
        # of an event subprocess qualifies when none is plain
        starts = [n.id for n in nodes if isinstance(n, m.StartEvent)]
        # an instantiating event-based gateway starts the process (BPMN 2.0.2 §10.5.6)
        starts += [
            n.id for n in nodes if isinstance(n, m.EventBasedGateway) and n.instantiate and n.id not in incoming_count
        ]
    if element.id in ctx.nodes:
        base = ctx.nodes[element.id]
    else:
        base = Node(id=element.id, kind=kind, process=process, container=parent, name=name)
    ctx.nodes[element.id] = replace(
        base,
        starts=tuple(starts),
        event_starts=tuple(event_starts),
        children=tuple(n.id for n in nodes if n.id in kinds),
        links=tuple(links),
    )


def _node(
    ctx: CompileContext,
    n: m.FlowNode,
    kind: NodeKind,
    *,
    process: str,
    container: str,
    outgoing: list[Flow],
    incoming: list[str],
    boundaries: list[str],
) -> Node:
    ext = n.ext
    fields: dict[str, Any] = {
        "id": n.id,
        "kind": kind,
        "process": process,
        "container": container,
        "name": n.name,
        "outgoing": tuple(outgoing),
        "incoming": tuple(incoming),
        "boundaries": tuple(boundaries),
        "inputs": (),
        "outputs": (),
    }
    default = getattr(n, "default", None)
    if default:
        fields["default_flow"] = default
    if ext.io_mapping is not None:
        fields["inputs"] = _mappings(ctx, n.id, ext.io_mapping.inputs)
        fields["outputs"] = _mappings(ctx, n.id, ext.io_mapping.outputs)
    if ext.properties:
        fields["properties"] = tuple((p.name, p.value or "") for p in ext.properties)
    if isinstance(n, m.Event):
        event_fields(ctx, n, fields)
    if isinstance(n, m.Activity):
        activity_fields(ctx, n, fields)
    if isinstance(n, m.ComplexGateway) and n.activation_condition is not None:
        fields["condition"] = ctx.expr(n.id, n.activation_condition)
    if isinstance(n, m.EventBasedGateway):
        fields["parallel"] = n.event_gateway_type is m.EventBasedGatewayType.PARALLEL
        fields["instantiate"] = n.instantiate
    return Node(**fields)


def _mappings(
    ctx: CompileContext, owner: str, params: Iterable[m.IoParameter]
) -> tuple[tuple[str, CompiledExpression], ...]:
    """Zeebe input or output mappings: (target, compiled source)."""
    out: list[tuple[str, CompiledExpression]] = []
    for p in params:
        if p.source is None:
            if p.value is not None:
                ctx.problems.setdefault(owner, f"mapping {p.target!r} uses a Camunda 7 script or list value")
                continue
            out.append((p.target, Constant("", None)))
            continue
        compiled = ctx.expr(owner, p.source, static=True)
        if compiled is not None:
            out.append((p.target, compiled))
    return tuple(out)
