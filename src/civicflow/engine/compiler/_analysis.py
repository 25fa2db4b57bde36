"""What needs the whole graph: compensation handlers, join upstream sets, problems, fast-path flags."""

from __future__ import annotations

from dataclasses import replace

from civicflow.engine.compiler._containers import JOINS
from civicflow.engine.compiler._context import CompileContext
from civicflow.engine.graph import Node, Trigger
from civicflow.engine.passing import passes_through

__all__ = ["finish"]


def finish(ctx: CompileContext) -> None:
    """Complete the nodes once every container is compiled."""
    nodes = ctx.nodes
    for boundary, handler in ctx.handlers.items():
        b = nodes.get(boundary)
        if b is None or b.trigger is not Trigger.COMPENSATION or b.attached_to not in nodes:
            continue
        nodes[b.attached_to] = replace(nodes[b.attached_to], compensation_handler=handler)
    for node in list(nodes.values()):
        if node.kind in JOINS and len(node.incoming) > 1:
            nodes[node.id] = replace(node, upstream=_upstream(nodes, node))
    for owner, problem in ctx.problems.items():
        if owner in nodes:
            nodes[owner] = replace(nodes[owner], problem=problem)
    for node in list(nodes.values()):
        simple = not (
            node.problem
            or node.inputs
            or node.outputs
            or node.boundaries
            or node.multi_instance
            or node.loop
            or node.compensation_handler
        )
        if simple:
            nodes[node.id] = replace(node, simple=True)
    for node in list(nodes.values()):
        if node.simple and passes_through(node, nodes):
            nodes[node.id] = replace(node, passes=True)


def _upstream(nodes: dict[str, Node], gateway: Node) -> frozenset[str]:
    """Nodes of the gateway's container from which a token can still reach it."""
    sources: dict[str, list[str]] = {}
    for node in nodes.values():
        if node.container != gateway.container:
            continue
        for flow in node.outgoing:
            sources.setdefault(flow.target, []).append(flow.source)
        if node.attached_to:
            sources.setdefault(node.id, []).append(node.attached_to)
    seen: set[str] = set()
    stack = [gateway.id]
    while stack:
        current = stack.pop()
        for source in sources.get(current, ()):
            if source != gateway.id and source not in seen:
                seen.add(source)
                stack.append(source)
    return frozenset(seen)
