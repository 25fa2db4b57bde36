"""Waiting for something outside: timers, messages, signals, conditions, and delivering them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civicflow.engine import events as ev
from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Node, NodeKind, Trigger
from civicflow.engine.timers import next_due, parse_timer

if TYPE_CHECKING:
    from civicflow.engine.processor import Processor
    from civicflow.engine.state import ElementInstance, Subscription, Timer

__all__ = ["broadcast", "check_conditions", "correlate", "deliver", "fire_timer", "open_wait"]


def _correlation(p: Processor, node: Node, owner: ElementInstance) -> str | None:
    if node.correlation_key is None:
        return None
    value = node.correlation_key(p.visible(owner.key))
    if value is None:
        raise ExpressionError("the correlation key is null", expression=getattr(node.correlation_key, "text", None))
    from civicflow.engine.values import key_text

    return key_text(value)


def open_wait(p: Processor, node: Node, owner: ElementInstance) -> None:
    """Open the timer or subscription of event ``node`` on behalf of ``owner``."""
    if node.parts:
        for part in node.parts:
            open_wait(p, p.nodes[part], owner)
        return
    trigger = node.trigger
    if node.kind is NodeKind.RECEIVE_TASK:
        trigger = Trigger.MESSAGE
    try:
        if trigger is Trigger.TIMER:
            _schedule(p, node, owner)
        elif trigger is Trigger.MESSAGE:
            correlation = _correlation(p, node, owner)
            key = p.new_key()
            p.emit(
                ev.SubscriptionOpened(
                    key=key,
                    owner=owner.key,
                    element=node.id,
                    kind="message",
                    name=node.message,
                    correlation=correlation,
                )
            )
            _take_buffered(p, p.state.subscriptions[key])
        elif trigger is Trigger.SIGNAL:
            p.emit(
                ev.SubscriptionOpened(
                    key=p.new_key(), owner=owner.key, element=node.id, kind="signal", name=node.signal
                )
            )
        elif trigger is Trigger.CONDITIONAL:
            p.emit(ev.SubscriptionOpened(key=p.new_key(), owner=owner.key, element=node.id, kind="conditional"))
    except ExpressionError as exc:
        p.incident(owner, "subscription", str(exc))


def _schedule(p: Processor, node: Node, owner: ElementInstance) -> None:
    spec = node.timer
    if spec is None:
        raise ExpressionError(f"timer {node.id!r} has no definition")
    now = p.ctx.clock.now()
    value: Any = spec.text if spec.expression is None else spec.expression(p.visible(owner.key))
    timer = parse_timer(spec.kind, value, now)
    p.emit(
        ev.TimerScheduled(
            key=p.new_key(),
            owner=owner.key,
            element=node.id,
            due=timer.due,
            repetitions=timer.repetitions,
            interval=timer.interval,
        )
    )


def _take_buffered(p: Processor, sub: Subscription) -> None:
    state = p.state
    if not state.buffered:
        return
    now = p.ctx.clock.now()
    for message in sorted(state.buffered.values(), key=lambda m: m.key):
        if message.expires <= now:
            p.emit(ev.MessageExpired(key=message.key))
            continue
        if message.name == sub.name and (sub.correlation is None or sub.correlation == message.correlation):
            p.emit(
                ev.MessageCorrelated(
                    subscription=sub.key,
                    name=message.name,
                    correlation=message.correlation,
                    variables=message.variables,
                    buffered=message.key,
                )
            )
            deliver(p, sub.owner, sub.element, message.variables)
            return


def deliver(p: Processor, owner_key: int, element: str, variables: dict[str, Any] | None) -> None:
    """An awaited event happened: trigger the boundary event, event subprocess or catch element."""
    owner = p.elements.get(owner_key)
    if owner is None:
        return
    node = p.nodes[element]
    if node.part_of is not None:
        node = p.nodes[node.part_of]
        if node.trigger is Trigger.PARALLEL_MULTIPLE:
            if not _all_parts_occurred(p, owner, node, element, variables):
                return
            variables = None  # each part's variables were set when it occurred
    if node.kind is NodeKind.BOUNDARY:
        scope = owner.scope
        if node.interrupting:
            p.terminate(owner.key)
        p.activate(node.id, scope, None, (None, variables))
        return
    if node.kind is NodeKind.START and owner.element != node.id:
        if node.interrupting:
            if owner.owned:
                p.release(owner)
            p.terminate_children(owner.key)
        p.activate(node.container or "", owner.key, None, (node.id, variables))
        return
    owner_node = p.nodes[owner.element]
    if owner_node.kind is NodeKind.EVENT_BASED and owner_node.parallel:
        _parallel_branch(p, owner, owner_node, node, variables)
        return
    if owner_node.kind is NodeKind.EVENT_BASED:
        if owner.owned:
            p.release(owner)
        p.emit(ev.ElementCompleted(key=owner.key, element=owner.element))
        flow = next(f for f in owner_node.outgoing if f.target == node.id)
        p.activate(node.id, owner.scope, flow.id, (None, variables or {}))  # records the flow taken
        return
    if owner.owned:
        p.release(owner)
    if variables:
        p.set_variables(owner.key, variables, local=bool(node.outputs))
    p.complete_later(owner)


def _waits_of(p: Processor, owner: ElementInstance, elements: set[str]) -> list[int]:
    """Keys of the timers and subscriptions ``owner`` holds for ``elements``."""
    state = p.state
    found = []
    for key in owner.owned or ():
        wait = state.timers.get(key) or state.subscriptions.get(key)
        if wait is not None and wait.element in elements:
            found.append(key)
    return found


def _close(p: Processor, keys: list[int]) -> None:
    for key in keys:
        if key in p.state.timers:
            p.emit(ev.TimerCanceled(key=key))
        else:
            p.emit(ev.SubscriptionClosed(key=key))


def _all_parts_occurred(
    p: Processor, owner: ElementInstance, node: Node, part: str, variables: dict[str, Any] | None
) -> bool:
    """A part of a parallel multiple event occurred: True once every part has (BPMN 2.0.2 §10.5.1)."""
    _close(p, _waits_of(p, owner, {part}))
    if variables:
        p.set_variables(owner.key, variables)
    return not _waits_of(p, owner, set(node.parts))


def _parallel_branch(
    p: Processor, owner: ElementInstance, gateway: Node, node: Node, variables: dict[str, Any] | None
) -> None:
    """A parallel event-based gateway: each event continues its own branch; the gateway completes
    when all of them occurred."""
    _close(p, _waits_of(p, owner, {node.id, *node.parts}))
    flow = next(f for f in gateway.outgoing if f.target == node.id)
    p.activate(node.id, owner.scope, flow.id, (None, variables or {}))
    if owner.key in p.elements and not owner.owned:
        p.emit(ev.ElementCompleted(key=owner.key, element=owner.element))


def correlate(p: Processor, sub: Subscription, variables: dict[str, Any], correlation: str | None) -> None:
    p.emit(
        ev.MessageCorrelated(subscription=sub.key, name=sub.name or "", correlation=correlation, variables=variables)
    )
    deliver(p, sub.owner, sub.element, variables)


def broadcast(p: Processor, name: str, variables: dict[str, Any]) -> int:
    """Deliver a signal to every subscription for it; returns how many caught it."""
    subs = [s for s in p.state.subscriptions.values() if s.kind == "signal" and s.name == name]
    for sub in sorted(subs, key=lambda s: s.key):
        if sub.key in p.state.subscriptions:
            deliver(p, sub.owner, sub.element, variables)
    return len(subs)


def fire_timer(p: Processor, timer: Timer) -> None:
    p.emit(ev.TimerFired(key=timer.key))
    node = p.nodes[timer.element]
    repeats = timer.interval is not None and (timer.repetitions is None or timer.repetitions > 0)
    keeps_running = node.kind in (NodeKind.BOUNDARY, NodeKind.START) and not node.interrupting
    if node.part_of is not None and p.nodes[node.part_of].trigger is Trigger.PARALLEL_MULTIPLE:
        keeps_running = False  # a part of a parallel multiple event occurs once
    due = next_due(timer.interval, timer.due) if repeats and keeps_running and timer.interval is not None else None
    if due is not None:
        p.emit(
            ev.TimerScheduled(
                key=p.new_key(),
                owner=timer.owner,
                element=timer.element,
                due=due,
                repetitions=None if timer.repetitions is None else timer.repetitions - 1,
                interval=timer.interval,
            )
        )
    deliver(p, timer.owner, timer.element, None)


def check_conditions(p: Processor) -> bool:
    """Trigger conditional events whose condition became true; True when one did."""
    moved = False
    for sub in sorted([s for s in p.state.subscriptions.values() if s.kind == "conditional"], key=lambda s: s.key):
        if sub.key not in p.state.subscriptions:
            continue
        node = p.nodes[sub.element]
        if node.condition is None:
            continue
        try:
            value = node.condition(p.visible(sub.owner)) is True
        except ExpressionError:
            value = False
        if value == sub.satisfied:
            continue
        p.emit(ev.ConditionChanged(key=sub.key, satisfied=value))
        if value:
            deliver(p, sub.owner, sub.element, None)
            moved = True
    return moved
