"""Compensation and transaction cancellation.

A completed activity with a compensation boundary event leaves a record in its scope; a
finished subprocess hands its records to the enclosing scope. A compensation throw starts the
handlers of the records in its scope (or only those of ``activityRef``) in reverse order of
completion and, by default, waits until they are done. Cancelling a transaction terminates
what runs inside it, compensates what completed, then triggers its cancel boundary event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.engine import events as ev
from civicflow.engine.graph import NodeKind, Trigger

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor
    from civicflow.engine.state import ElementInstance

__all__ = ["cancel_transaction", "compensate", "handler_done"]


def _start_handlers(p: Processor, scope: int, thrower: int, activity: str | None) -> int:
    records = [
        r for r in p.state.compensations.values() if r.scope == scope and (activity is None or r.element == activity)
    ]
    for record in sorted(records, key=lambda r: r.key, reverse=True):
        p.emit(ev.CompensationStarted(record=record.key, thrower=thrower))
        p.activate(record.handler, record.scope, None, None, role="compensation", origin=thrower)
    return len(records)


def compensate(p: Processor, thrower: ElementInstance, activity: str | None) -> int:
    """Start compensation for the thrower's scope; returns the number of handlers started."""
    return _start_handlers(p, thrower.scope, thrower.key, activity)


def handler_done(p: Processor, handler: ElementInstance) -> None:
    """A compensation handler finished: resume the thrower when it was the last one."""
    origin = handler.origin
    if any(i.origin == origin and i.role == "compensation" for i in p.elements.values()):
        return
    thrower = p.elements.get(origin)
    if thrower is None:
        return
    if p.nodes[thrower.element].kind is NodeKind.TRANSACTION:
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
