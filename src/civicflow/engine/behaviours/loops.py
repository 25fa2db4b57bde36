"""Multi-instance (parallel and sequential) and standard loops.

The activity gets a *body* instance (it owns the boundary events and the output collection)
with one *inner* instance per iteration. Inner instances get ``loopCounter`` (1-based) and the
input element as local variables. The completion condition sees ``nrOfInstances``,
``nrOfActiveInstances``, ``nrOfCompletedInstances`` and ``loopCounter``.
"""

from __future__ import annotations

from collections import ChainMap
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from civicflow.engine import events as ev
from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Node

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor
    from civicflow.engine.state import ElementInstance

__all__ = ["activate_body", "body_output", "inner_done", "inner_output"]

_ONE = Decimal(1)


def activate_body(p: Processor, node: Node, body: ElementInstance) -> None:
    mi = node.multi_instance
    if mi is None:
        loop = node.loop
        p.emit(ev.LoopStarted(key=body.key, total=-1))
        if loop is not None and loop.test_before and not _loop_condition(p, node, body):
            p.complete_later(body)
            return
        _start(p, node, body, 0, None)
        return
    view = p.visible(body.key)
    items: list[Any] | None = None
    try:
        if mi.collection is not None:
            value = mi.collection(view)
            if not isinstance(value, list):
                raise ExpressionError(f"the input collection is not a list but {type(value).__name__}")
            items = value
            total = len(value)
        else:
            count = mi.cardinality(view) if mi.cardinality is not None else None
            if not isinstance(count, Decimal | int) or count < 0:
                raise ExpressionError(f"the loop cardinality is not a non-negative number: {count!r}")
            total = int(count)
    except ExpressionError as exc:
        p.incident(body, "multi-instance", str(exc))
        return
    p.emit(
        ev.LoopStarted(
            key=body.key, total=total, items=items if mi.sequential else None, collect=mi.output_collection is not None
        )
    )
    if total == 0:
        p.complete_later(body)
        return
    if mi.sequential:
        _start(p, node, body, 0, items)
        return
    p.emit(ev.LoopAdvanced(key=body.key, started=total))
    element = mi.input_element
    result = _result_name(node)
    for index in range(total):
        local: dict[str, Any] = {"loopCounter": Decimal(index + 1)}
        if element is not None and items is not None:
            local[element] = items[index]
        if result is not None:
            local[result] = None
        p.activate(node.id, body.key, None, None, role="inner", local=local)


def _result_name(node: Node) -> str | None:
    """An output element that names a variable is local to each iteration, so that parallel
    iterations do not overwrite each other's result (Zeebe does the same)."""
    mi = node.multi_instance
    if mi is None or mi.output_element is None:
        return None
    text = mi.output_element.text.strip()
    return text if text.isidentifier() else None


def _start(p: Processor, node: Node, body: ElementInstance, index: int, items: list[Any] | None) -> None:
    p.emit(ev.LoopAdvanced(key=body.key, started=1))
    local: dict[str, Any] = {"loopCounter": Decimal(index + 1)}
    mi = node.multi_instance
    if mi is not None and mi.input_element is not None and items is not None:
        local[mi.input_element] = items[index]
    result = _result_name(node)
    if result is not None:
        local[result] = None
    p.activate(node.id, body.key, None, None, role="inner", local=local)


def inner_output(p: Processor, node: Node, inner: ElementInstance) -> Any:
    """The output element of an inner instance, read before it completes."""
    mi = node.multi_instance
    if mi is None or mi.output_collection is None:
        return None
    if mi.output_element is None:
        return None
    try:
        return mi.output_element(p.visible(inner.key))
    except ExpressionError:
        return None


def body_output(p: Processor, node: Node, body: ElementInstance) -> None:
    mi = node.multi_instance
    if mi is None or mi.output_collection is None:
        return
    outputs = list(body.loop.outputs or []) if body.loop is not None else []
    p.set_variables(body.scope, {mi.output_collection: outputs})


def _loop_condition(p: Processor, node: Node, body: ElementInstance) -> bool:
    loop = node.loop
    if loop is None or loop.condition is None:
        return False
    try:
        return loop.condition(p.visible(body.key)) is True
    except ExpressionError as exc:
        p.incident(body, "loop", str(exc))
        return False


def inner_done(p: Processor, inner: ElementInstance, output: Any) -> None:
    """An iteration completed: record its output, then decide on the next one or the end."""
    body = p.elements.get(inner.scope)
    if body is None:
        return
    node = p.nodes[body.element]
    mi = node.multi_instance
    counter = (inner.variables or {}).get("loopCounter", _ONE)
    index = int(counter) - 1
    collect = mi is not None and mi.output_collection is not None
    p.emit(ev.LoopAdvanced(key=body.key, completed=1, output=(index, output) if collect else None))
    loop = body.loop
    if loop is None:
        return
    if mi is None:
        spec = node.loop
        if spec is not None and spec.maximum is not None and loop.completed >= spec.maximum:
            p.complete_later(body)
        elif _loop_condition(p, node, body):
            _start(p, node, body, loop.started, None)
        else:
            p.complete_later(body)
        return
    if mi.completion is not None:
        view = ChainMap(
            {
                "nrOfInstances": Decimal(loop.total),
                "nrOfActiveInstances": Decimal(body.children),
                "nrOfCompletedInstances": Decimal(loop.completed),
                "loopCounter": Decimal(index + 1),
            },
            dict(p.visible(body.key)),
        )
        try:
            done = mi.completion(view) is True
        except ExpressionError as exc:
            p.incident(body, "multi-instance", str(exc))
            return
        if done:
            if body.children:
                p.terminate_children(body.key)
            p.complete_later(body)
            return
    if mi.sequential and loop.started < loop.total:
        _start(p, node, body, loop.started, loop.items)
        return
    if loop.completed >= loop.total and not body.children:
        p.complete_later(body)
