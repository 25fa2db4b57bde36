"""Compensation and transaction cancellation (BPMN 2.0.2 §10.6, §13.5.5).

A completed activity with a compensation boundary event leaves a record in its scope. A
completed subprocess leaves one record for itself when it has something to compensate: its
boundary handler (a black box: the records inside are dropped), else its compensation event
subprocess, else the records of what completed inside it (default compensation). Call
activities, multi-instance bodies and processes are transparent: their records move up.

A compensation throw starts the handlers of the records in its scope (or only those of
``activityRef``) in reverse order of completion and, by default, waits until they are done. A
subprocess record re-opens the subprocess as a ``compensation`` instance with its snapshot
variables, runs its compensation event subprocess there (whose own compensation throws reach
the inner records), or compensates the inner records. Cancelling a transaction terminates what
runs inside it, compensates what completed, then triggers its cancel boundary event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.engine import events as ev
from civicflow.engine.graph import Node, NodeKind, Trigger

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor
    from civicflow.engine.state import CompensationRecord, ElementInstance

__all__ = ["cancel_transaction", "compensate", "compensation_sub_process", "handler_done", "register_sub_process"]

SUB_PROCESSES = frozenset({NodeKind.SUB_PROCESS, NodeKind.TRANSACTION, NodeKind.AD_HOC_SUB_PROCESS})


def compensation_sub_process(p: Processor, node: Node) -> str | None:
    """The event subprocess with a compensation start event directly inside ``node``."""
    nodes = p.nodes
    for start in node.event_starts:
        if nodes[start].trigger is Trigger.COMPENSATION:
            return nodes[start].container
    return None


def register_sub_process(p: Processor, node: Node, inst: ElementInstance) -> bool:
    """Before a subprocess completes: register it for compensation; False when there is nothing to."""
    handler = node.compensation_handler or compensation_sub_process(p, node)
    held = any(r.scope == inst.key for r in p.state.compensations.values())
    if handler is None and not held:
        return False
    snapshot = handler is not None and handler != node.compensation_handler
    p.emit(
        ev.CompensationRegistered(
            key=p.new_key(),
            element=node.id,
            scope=inst.scope,
            handler=handler or "",
            inner=inst.key if held or snapshot else 0,
            variables=dict(inst.variables or {}) if snapshot else None,
        )
    )
    return True


def _start_handlers(p: Processor, scope: int, thrower: int, activity: str | None) -> int:
    records = [
        r for r in p.state.compensations.values() if r.scope == scope and (activity is None or r.element == activity)
    ]
    nodes = p.nodes
    for record in sorted(records, key=lambda r: r.key, reverse=True):
        handler = nodes.get(record.handler)
        if handler is not None and handler.kind is not NodeKind.EVENT_SUB_PROCESS:
            p.emit(ev.CompensationStarted(record=record.key, thrower=thrower))
            p.activate(record.handler, record.scope, None, None, role="compensation", origin=thrower)
            continue
        _reopen(p, record, thrower, handler)
    return len(records)


def _reopen(p: Processor, record: CompensationRecord, thrower: int, handler: Node | None) -> None:
    """Compensate a completed subprocess inside a re-opened instance of it."""
    key = p.new_key()
    p.emit(ev.CompensationStarted(record=record.key, thrower=thrower, scope=key))
    p.emit(
        ev.ElementActivated(key=key, element=record.element, scope=record.scope, role="compensation", origin=thrower)
    )
    if record.variables:
        p.emit(ev.VariablesSet(scope=key, variables=dict(record.variables)))
    reopened = p.elements[key]
    if handler is not None:
        start = next(s for s in handler.event_starts or handler.starts if p.nodes[s].trigger is Trigger.COMPENSATION)
        p.activate(handler.id, key, None, (start, None))
    elif not _start_handlers(p, key, key, None):
        p.complete_later(reopened)


def compensate(p: Processor, thrower: ElementInstance, activity: str | None) -> int:
    """Start compensation for the thrower's scope; returns the number of handlers started.

    A throw inside an event subprocess compensates the scope that contains the event subprocess
    (so a compensation event subprocess reaches what completed in its subprocess).
    """
    scope = p.elements.get(thrower.scope)
    key = thrower.scope
    if scope is not None and p.nodes[scope.element].kind is NodeKind.EVENT_SUB_PROCESS:
        key = scope.scope
    return _start_handlers(p, key, thrower.key, activity)


def handler_done(p: Processor, handler: ElementInstance) -> None:
    """A compensation handler finished: resume the thrower when it was the last one."""
    origin = handler.origin
    if any(i.origin == origin and i.role == "compensation" for i in p.elements.values()):
        return
    thrower = p.elements.get(origin)
    if thrower is None:
        return
    if thrower.role != "compensation" and p.nodes[thrower.element].kind is NodeKind.TRANSACTION:
        _finish_cancel(p, thrower)
    else:
        p.complete_later(thrower)


def cancel_transaction(p: Processor, thrower: ElementInstance) -> None:
    """A cancel end event: roll back the enclosing transaction."""
    elements = p.elements
    txn = elements.get(thrower.scope)
    while txn is not None and p.nodes[txn.element].kind is not NodeKind.TRANSACTION:
        txn = elements.get(txn.scope)
    if txn is None:
        p.incident(thrower, "unsupported", "cancel end event outside a transaction")
        return
    p.terminate_children(txn.key)
    if not _start_handlers(p, txn.key, txn.key, None):
        _finish_cancel(p, txn)


def _finish_cancel(p: Processor, txn: ElementInstance) -> None:
    node = p.nodes[txn.element]
    scope = txn.scope
    boundary = next((b for b in node.boundaries if p.nodes[b].trigger is Trigger.CANCEL), None)
    p.terminate(txn.key)
    if boundary is not None:
        p.activate(boundary, scope, None)
    else:
        p.queue.append((2, scope))
