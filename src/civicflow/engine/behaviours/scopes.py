"""Scopes: processes, embedded and event subprocesses, transactions, ad-hoc subprocesses, call activities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civicflow.engine.behaviours.waits import open_wait
from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Node, NodeKind, Trigger

if TYPE_CHECKING:
    from civicflow.engine.processor import Payload, Processor
    from civicflow.engine.state import ElementInstance

__all__ = [
    "activate_ad_hoc",
    "activate_call_activity",
    "activate_event_sub_process",
    "activate_process",
    "activate_sub_process",
    "adhoc_check",
    "called_process_done",
    "open_event_starts",
]

_WAITS = frozenset(
    {Trigger.MESSAGE, Trigger.TIMER, Trigger.SIGNAL, Trigger.CONDITIONAL, Trigger.MULTIPLE, Trigger.PARALLEL_MULTIPLE}
)
_NOT_STARTABLE = frozenset({NodeKind.BOUNDARY, NodeKind.EVENT_SUB_PROCESS, NodeKind.START})


def open_event_starts(p: Processor, node: Node, inst: ElementInstance) -> None:
    """Subscribe the start events of the event subprocesses directly inside a scope."""
    nodes = p.nodes
    for start_id in node.event_starts:
        start = nodes[start_id]
        if start.trigger in _WAITS:
            open_wait(p, start, inst)


def _start_contents(
    p: Processor, node: Node, inst: ElementInstance, start: str | None, payload: Payload | None
) -> None:
    if node.event_starts:
        open_event_starts(p, node, inst)
    if start is not None:
        _activate_start(p, start, inst, payload)
        return
    starts = node.starts
    if starts:
        for start_id in starts:
            p.activate(start_id, inst.key, None)
        return
    nodes = p.nodes
    for child_id in node.children:
        child = nodes[child_id]
        if not child.incoming and child.kind not in _NOT_STARTABLE and not child.for_compensation:
            p.activate(child_id, inst.key, None)


def _activate_start(p: Processor, start: str, inst: ElementInstance, payload: Payload | None) -> None:
    """Start at a given event: a part of a multiple start starts its event, and the event after an
    instantiating event-based gateway starts the gateway, each told which trigger occurred."""
    nodes = p.nodes
    node = nodes[start]
    variables = payload[1] if payload is not None else None
    if node.part_of is not None:
        p.activate(node.part_of, inst.key, None, (start, variables))
        return
    if node.kind is not NodeKind.START:
        container = nodes[node.container or ""]
        for child_id in container.children:
            child = nodes[child_id]
            if child.kind is NodeKind.EVENT_BASED and any(f.target == start for f in child.outgoing):
                p.activate(child_id, inst.key, None, (start, variables))
                return
    p.activate(start, inst.key, None, payload)


def activate_process(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    start = payload[0] if payload is not None else None
    _start_contents(p, node, inst, start, (None, payload[1]) if payload is not None and payload[1] else None)
    if not inst.children and inst.key in p.elements:
        p.queue.append((2, inst.key))


def activate_sub_process(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    _start_contents(p, node, inst, None, None)
    if not inst.children and inst.key in p.elements:
        p.queue.append((2, inst.key))


def activate_event_sub_process(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    start = payload[0] if payload is not None else None
    if start is None:
        start = next(iter(node.event_starts or node.starts), None)
    if start is None:
        p.incident(inst, "unsupported", "event subprocess without a start event")
        return
    p.activate(start, inst.key, None, (None, payload[1] if payload is not None else None))


def _adhoc_candidates(p: Processor, node: Node) -> list[str]:
    nodes = p.nodes
    return [
        child_id
        for child_id in node.children
        if not nodes[child_id].incoming
        and nodes[child_id].kind not in _NOT_STARTABLE
        and not nodes[child_id].for_compensation
    ]


def activate_ad_hoc(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    from civicflow.engine import events as ev

    candidates = _adhoc_candidates(p, node)
    p.emit(ev.LoopStarted(key=inst.key, total=len(candidates)))
    if node.event_starts:
        open_event_starts(p, node, inst)
    todo = candidates[:1] if node.sequential else candidates
    p.emit(ev.LoopAdvanced(key=inst.key, started=len(todo)))
    for child_id in todo:
        p.activate(child_id, inst.key, None)
    if not todo:
        p.complete_later(inst)


def adhoc_check(p: Processor, node: Node, inst: ElementInstance) -> None:
    """After an inner activity of an ad-hoc subprocess ended: completion condition, next activity."""
    from civicflow.engine import events as ev

    if node.condition is not None:
        try:
            done = node.condition(p.visible(inst.key)) is True
        except ExpressionError as exc:
            p.incident(inst, "condition", str(exc))
            return
        if done:
            if node.cancel_remaining:
                p.terminate_children(inst.key)
            if not inst.children:
                p.complete(inst.key)
            return
    if inst.children:
        return
    loop = inst.loop
    if node.sequential and loop is not None and loop.started < loop.total:
        candidates = _adhoc_candidates(p, node)
        p.emit(ev.LoopAdvanced(key=inst.key, started=1))
        p.activate(candidates[loop.started - 1], inst.key, None)
        return
    p.complete(inst.key)


def activate_call_activity(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    spec = node.call
    if spec is None:
        p.incident(inst, "unsupported", "call activity without a called element")
        return
    view = p.visible(inst.key)
    try:
        process_id = spec.process_id if spec.process_expression is None else spec.process_expression(view)
        variables: dict[str, Any] = dict(view) if spec.propagate_parent else {}
        if node.inputs and not spec.propagate_parent:
            variables.update(inst.variables or {})
        for target, source in spec.inputs:
            variables[target] = source(view)
    except ExpressionError as exc:
        p.incident(inst, "call", str(exc))
        return
    if not isinstance(process_id, str) or process_id not in p.graph.processes:
        p.incident(inst, "call", f"called process {process_id!r} is not deployed")
        return
    p.activate(process_id, inst.key, None, None, role="process", local=variables)


def called_process_done(p: Processor, child: ElementInstance, child_vars: dict[str, Any]) -> None:
    """A called process completed: pass its variables back and complete the call activity."""
    call = p.elements.get(child.scope)
    if call is None:
        return
    node = p.nodes[call.element]
    spec = node.call
    out: dict[str, Any] = {}
    if spec is not None:
        # with output mappings the child's variables are only their input (Zeebe semantics)
        if spec.propagate_child or node.outputs:
            out.update(child_vars)
        try:
            for target, source in spec.outputs:
                out[target] = source(child_vars)
        except ExpressionError as exc:
            p.incident(call, "call", str(exc))
            return
    if out:
        p.set_variables(call.key, out, local=bool(node.outputs))
    p.complete_later(call)
