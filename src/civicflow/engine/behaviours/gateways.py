"""Gateways: exclusive, parallel, inclusive, complex and event-based.

Diverging gateways choose their flows on activation (so a missing flow raises an incident on
the gateway while it is still active) and take them on completion. Converging gateways count
the tokens that arrive per incoming flow (``SequenceFlowTaken.into_join``): a parallel join fires
when every incoming flow has a token; an inclusive or complex join fires when every incoming
flow has one, or when no token left in the scope can still reach it (BPMN 2.0.2 §13.4.3).
"""

from __future__ import annotations

from collections import ChainMap
from decimal import Decimal
from typing import TYPE_CHECKING

from civicflow.engine import events as ev
from civicflow.engine.behaviours.flows import truthy_flows
from civicflow.engine.behaviours.waits import open_wait
from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Node, NodeKind

if TYPE_CHECKING:
    from civicflow.engine.processor import Payload, Processor
    from civicflow.engine.state import ElementInstance

__all__ = [
    "activate_event_based",
    "activate_exclusive",
    "activate_inclusive",
    "activate_parallel",
    "arrive",
    "fire_ready_joins",
    "leave_all",
    "leave_chosen",
    "leave_none",
]


def _choose(p: Processor, node: Node, inst: ElementInstance, *, first: bool) -> None:
    outgoing = node.outgoing
    if len(outgoing) == 1 and outgoing[0].condition is None:
        p.chosen[inst.key] = outgoing
        p.complete_later(inst)
        return
    flows = truthy_flows(p, node, inst, first=first)
    if flows is None:
        return
    if not flows and outgoing:
        p.incident(inst, "no-outgoing-flow", f"no condition of gateway {node.id!r} is true and it has no default flow")
        return
    p.chosen[inst.key] = flows
    p.complete_later(inst)


def activate_exclusive(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    _choose(p, node, inst, first=True)


def activate_inclusive(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    _choose(p, node, inst, first=False)


def activate_parallel(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    p.complete_later(inst)


def leave_chosen(p: Processor, node: Node, inst: ElementInstance) -> None:
    flows = p.chosen.pop(inst.key, None)
    if flows is None:  # restored between activation and completion: choose again
        flows = truthy_flows(p, node, inst, first=node.kind is NodeKind.EXCLUSIVE) or ()
    p.take(inst, flows)


def leave_all(p: Processor, node: Node, inst: ElementInstance) -> None:
    p.take(inst, node.outgoing)


def leave_none(p: Processor, node: Node, inst: ElementInstance) -> None:
    """The event-based gateway takes its chosen flow itself when an event arrives."""


def activate_event_based(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    """Subscribe the events after the gateway. An instantiating gateway is activated with the
    event that started the instance (``payload[0]``): exclusive, that event has won already;
    parallel, the other events are still awaited in the same instance."""
    from civicflow.engine.behaviours.waits import deliver

    nodes = p.nodes
    occurred = payload[0] if payload is not None else None
    for flow in node.outgoing:
        if occurred is None or (node.parallel and flow.target != occurred):
            open_wait(p, nodes[flow.target], inst)
    if occurred is not None:
        deliver(p, inst.key, occurred, payload[1] if payload is not None else None)


def arrive(p: Processor, node: Node, scope: int) -> None:
    """A token arrived at a converging gateway over a counted flow."""
    counts = p.state.joins.get((scope, node.id))
    if counts is None:
        return
    if node.kind is NodeKind.COMPLEX:
        reset = _waiting_for_reset(p, node, scope)
        if reset is not None:
            _consume(p, node, reset)
            return
    if all(flow in counts for flow in node.incoming):
        p.activate(
            node.id, scope, None, joined=node.incoming, local=dict(_START) if node.kind is NodeKind.COMPLEX else None
        )
        return
    if node.kind is NodeKind.COMPLEX and node.condition is not None:
        _activate_early(p, node, scope, counts)


# Complex gateway (BPMN 2.0.2 §13.4.5): "waiting for start" until every incoming flow has a
# token or activationCondition holds; after an early start, "waiting for reset" (a ``reset``
# instance of the gateway) until a token arrived on each flow that had none, or none can any
# more. Those tokens are consumed without firing; on reset, the conditional outgoing flows that
# are true with waitingForStart = false get a token, then a new round may start.
_START = {"waitingForStart": True}


def _activate_early(p: Processor, node: Node, scope: int, counts: dict[str, int]) -> None:
    view = ChainMap({"activationCount": Decimal(len(counts))}, dict(p.visible(scope)))
    try:
        ready = node.condition(view) is True if node.condition is not None else False
    except ExpressionError:
        ready = False
    if not ready:
        return
    joined = tuple(f for f in node.incoming if f in counts)
    p.activate(node.id, scope, None, joined=joined, local=dict(_START))
    awaited = tuple(f for f in node.incoming if f not in joined)
    key = p.new_key()
    p.emit(ev.ElementActivated(key=key, element=node.id, scope=scope, role="reset", joined=awaited))
    p.emit(ev.VariablesSet(scope=key, variables={"waitingForStart": False}))


def _waiting_for_reset(p: Processor, node: Node, scope: int) -> ElementInstance | None:
    for inst in p.elements.values():
        if inst.role == "reset" and inst.scope == scope and inst.element == node.id:
            return inst
    return None


def _consume(p: Processor, node: Node, reset: ElementInstance) -> None:
    counts = p.state.joins.get((reset.scope, node.id)) or {}
    awaited = p.state.joins.get((reset.key, node.id)) or {}
    flows = tuple(f for f in node.incoming if f in awaited and f in counts)
    if flows:
        p.emit(ev.JoinTokensConsumed(key=reset.key, element=node.id, scope=reset.scope, flows=flows))
    if (reset.key, node.id) not in p.state.joins:
        _reset(p, node, reset)


def _reset(p: Processor, node: Node, reset: ElementInstance) -> None:
    """The complex gateway goes back to waiting for start (after the spec's reset rule)."""
    view = p.visible(reset.key)
    flows = []
    for flow in node.outgoing:
        if flow.condition is None or flow.is_default:
            continue  # unconditional and default flows fired at the start; the reset does not repeat them
        try:
            if flow.condition(view) is True:
                flows.append(flow)
        except ExpressionError as exc:
            p.incident(reset, "condition", str(exc))
            return
    scope = reset.scope
    p.emit(ev.ElementCompleted(key=reset.key, element=node.id))
    p.take(reset, flows)
    counts = p.state.joins.get((scope, node.id))
    if counts:
        if all(flow in counts for flow in node.incoming):
            p.activate(node.id, scope, None, joined=node.incoming, local=dict(_START))
        else:
            _activate_early(p, node, scope, counts)
    parent = p.elements.get(scope)
    if parent is not None and parent.children == 0:
        p.queue.append((2, scope))


def fire_ready_joins(p: Processor, scope: int) -> bool:
    """Fire the inclusive and complex joins of ``scope`` that no remaining token can reach."""
    fired = False
    nodes = p.nodes
    for join_scope, gateway_id in [k for k in p.state.joins if k[0] == scope]:
        node = nodes[gateway_id]
        if node.kind is NodeKind.PARALLEL:
            continue
        counts = p.state.joins.get((join_scope, gateway_id))
        if not counts:
            continue
        owner = p.elements.get(scope)
        reset = owner if owner is not None and owner.role == "reset" else None
        upstream = node.upstream
        in_scope = scope if reset is None else reset.scope
        if any(i.scope == in_scope and i.element in upstream for i in p.elements.values()):
            continue
        if reset is not None:
            _reset(p, node, reset)  # no awaited token can arrive any more
        elif node.kind is NodeKind.COMPLEX:
            if _waiting_for_reset(p, node, scope) is not None:
                continue
            p.activate(
                gateway_id, scope, None, joined=tuple(f for f in node.incoming if f in counts), local=dict(_START)
            )
        else:
            p.activate(gateway_id, scope, None, joined=tuple(f for f in node.incoming if f in counts))
        fired = True
    return fired
