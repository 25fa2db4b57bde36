"""Events: start, end, intermediate catch and throw, boundary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.engine import events as ev
from civicflow.engine.behaviours.flows import leave_activity
from civicflow.engine.behaviours.waits import broadcast, open_wait
from civicflow.engine.graph import Node, NodeKind, Trigger

if TYPE_CHECKING:
    from civicflow.engine.processor import Payload, Processor
    from civicflow.engine.state import ElementInstance

__all__ = [
    "activate_boundary",
    "activate_catch",
    "activate_end",
    "activate_start",
    "activate_throw",
    "leave_throw",
]


def _take_payload(p: Processor, inst: ElementInstance, payload: Payload | None) -> None:
    if payload is not None and payload[1]:
        p.set_variables(inst.key, payload[1])


def activate_start(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if node.trigger is Trigger.PARALLEL_MULTIPLE:
        # the instance started on one trigger (or none): wait for the others before going on
        occurred = payload[0] if payload is not None else None
        _take_payload(p, inst, payload)
        for part in node.parts:
            if part != occurred:
                open_wait(p, p.nodes[part], inst)
        if inst.owned:
            return
    else:
        _take_payload(p, inst, payload)
    p.complete_later(inst)


def activate_boundary(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    _take_payload(p, inst, payload)
    p.complete_later(inst)


def activate_catch(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if payload is not None or node.trigger in (Trigger.LINK, Trigger.NONE):
        _take_payload(p, inst, payload)
        p.complete_later(inst)
        return
    open_wait(p, node, inst)


def _throw(p: Processor, node: Node, inst: ElementInstance) -> bool:
    """Throw the event's trigger; False when the element must wait or was interrupted."""
    if node.parts:  # a multiple throw event throws all of its definitions, in document order
        return all(_throw(p, p.nodes[part], inst) for part in node.parts)
    trigger = node.trigger
    if trigger is Trigger.MESSAGE:
        if node.job_type:
            p.emit(
                ev.JobCreated(
                    key=p.new_key(), owner=inst.key, element=node.id, type=node.job_type, retries=node.retries
                )
            )
            return False
        p.emit(ev.MessageSent(owner=inst.key, name=node.message or node.id, variables={}))
    elif trigger is Trigger.SIGNAL:
        name = node.signal or node.id
        p.emit(ev.SignalBroadcast(name=name, variables={}))
        broadcast(p, name, {})
        return inst.key in p.elements
    elif trigger is Trigger.ESCALATION:
        from civicflow.engine.behaviours.throwing import throw_escalation

        throw_escalation(p, inst, node.code)
        return inst.key in p.elements
    elif trigger is Trigger.ERROR:
        from civicflow.engine.behaviours.throwing import throw_error

        throw_error(p, inst, node.code, "")
        return False
    elif trigger is Trigger.COMPENSATION:
        from civicflow.engine.behaviours.compensation import compensate

        started = compensate(p, inst, node.compensate_activity)
        return not (started and node.wait_for_completion)
    elif trigger is Trigger.CANCEL:
        from civicflow.engine.behaviours.compensation import cancel_transaction

        cancel_transaction(p, inst)
        return False
    return True


def activate_throw(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if _throw(p, node, inst):
        p.complete_later(inst)


def activate_end(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if node.trigger is Trigger.TERMINATE:
        scope = p.elements[inst.scope]
        for child in [i.key for i in p.elements.values() if i.scope == scope.key and i.key != inst.key]:
            p.terminate(child)
        if scope.owned:
            p.release(scope)
        p.complete_later(inst)
        return
    if _throw(p, node, inst):
        p.complete_later(inst)


def leave_throw(p: Processor, node: Node, inst: ElementInstance) -> None:
    if node.trigger is Trigger.LINK:
        container = p.nodes[node.container or ""]
        target = dict(container.links).get(node.link or "")
        if target is not None:
            p.activate(target, inst.scope, None)
        return
    leave_activity(p, node, inst)


_ = NodeKind
