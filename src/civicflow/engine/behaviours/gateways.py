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
    nodes = p.nodes
    for flow in node.outgoing:
        open_wait(p, nodes[flow.target], inst)


def arrive(p: Processor, node: Node, scope: int) -> None:
    """A token arrived at a converging gateway over a counted flow."""
    counts = p.state.joins.get((scope, node.id))
    if counts is None:
        return
    if all(flow in counts for flow in node.incoming):
        p.activate(node.id, scope, None, joined=node.incoming)
        return
    if node.kind is NodeKind.COMPLEX and node.condition is not None:
        view = ChainMap({"activationCount": Decimal(len(counts))}, dict(p.visible(scope)))
        try:
            ready = node.condition(view) is True
        except ExpressionError:
            ready = False
        if ready:
            p.activate(node.id, scope, None, joined=tuple(f for f in node.incoming if f in counts))


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
        upstream = node.upstream
        if any(i.scope == scope and i.element in upstream for i in p.elements.values()):
            continue
        p.activate(gateway_id, scope, None, joined=tuple(f for f in node.incoming if f in counts))
        fired = True
    return fired
