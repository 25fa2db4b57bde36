"""Errors and escalations travel up the scopes to the nearest boundary event or event subprocess.

At each level the event subprocesses inside the scope are tried, then the boundary events of
the activity itself; a catch with the thrown code wins over a catch-all one at the same level.
Called processes are crossed: an error thrown in a called process reaches the call activity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.engine import events as ev
from civicflow.engine.behaviours.waits import deliver
from civicflow.engine.graph import Node, Trigger

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor
    from civicflow.engine.state import ElementInstance

__all__ = ["find_catch", "throw_error", "throw_escalation"]


def _match(p: Processor, candidates: tuple[str, ...], trigger: Trigger, code: str | None) -> Node | None:
    nodes = p.nodes
    catch_all: Node | None = None
    for node_id in candidates:
        node = nodes[node_id]
        if node.trigger is not trigger:
            continue
        if node.code is not None and node.code == code:
            return node
        if node.code is None and catch_all is None:
            catch_all = node
    return catch_all


def find_catch(
    p: Processor, thrower: ElementInstance, trigger: Trigger, code: str | None
) -> tuple[ElementInstance, Node] | None:
    """The innermost (owner instance, catching event node) for a thrown error or escalation."""
    elements = p.elements
    nodes = p.nodes
    current: ElementInstance | None = thrower
    came_from: str | None = None
    while current is not None:
        node = nodes[current.element]
        if node.event_starts:
            starts = tuple(s for s in node.event_starts if nodes[s].container != came_from)
            found = _match(p, starts, trigger, code)
            if found is not None:
                return current, found
        if node.boundaries and current.role != "inner":
            found = _match(p, node.boundaries, trigger, code)
            if found is not None:
                return current, found
        came_from = current.element
        current = elements.get(current.scope)
    return None


def throw_error(p: Processor, thrower: ElementInstance, code: str | None, message: str) -> bool:
    """Throw a BPMN error from ``thrower``; an unhandled error raises an incident on it."""
    p.emit(ev.ErrorThrown(owner=thrower.key, code=code, message=message))
    catch = find_catch(p, thrower, Trigger.ERROR, code)
    if catch is None:
        p.incident(thrower, "unhandled-error", f"no catch for error {code!r}" + (f": {message}" if message else ""))
        return False
    owner, node = catch
    deliver(p, owner.key, node.id, None)
    return True


def throw_escalation(p: Processor, thrower: ElementInstance, code: str | None) -> bool:
    """Throw an escalation; uncaught escalations are ignored (BPMN 2.0.2 §10.5.4)."""
    p.emit(ev.EscalationThrown(owner=thrower.key, code=code))
    catch = find_catch(p, thrower, Trigger.ESCALATION, code)
    if catch is None:
        return False
    owner, node = catch
    deliver(p, owner.key, node.id, None)
    return True
