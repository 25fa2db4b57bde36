"""Leaving an activity or event: its outgoing sequence flows, conditions and default."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Flow, Node

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor
    from civicflow.engine.state import ElementInstance

__all__ = ["leave_activity", "truthy_flows"]


def truthy_flows(p: Processor, node: Node, inst: ElementInstance, *, first: bool) -> list[Flow] | None:
    """Flows whose condition holds (unconditional ones always do); the default only when none.

    Returns None when a condition cannot be evaluated (the caller raises an incident).
    """
    chosen: list[Flow] = []
    default: Flow | None = None
    scope = None
    for flow in node.outgoing:
        if flow.is_default:
            default = flow
            continue
        if flow.condition is None:
            chosen.append(flow)
        else:
            if scope is None:
                # a completed activity is gone: its conditions read the enclosing scope
                scope = p.visible(inst.key if inst.key in p.elements else inst.scope)
            try:
                value = flow.condition(scope)
            except ExpressionError as exc:
                p.incident(inst, "condition", str(exc))
                return None
            if value is True:
                chosen.append(flow)
        if first and chosen:
            return chosen
    if not chosen and default is not None:
        chosen.append(default)
    return chosen


def leave_activity(p: Processor, node: Node, inst: ElementInstance) -> None:
    """Activities and events: every unconditional flow, the true conditional ones, else the default."""
    outgoing = node.outgoing
    if not outgoing:
        return
    if len(outgoing) == 1 and outgoing[0].condition is None:
        p.take(inst, outgoing)
        return
    flows = truthy_flows(p, node, inst, first=False)
    if flows:
        p.take(inst, flows)
