"""``apply(state, event)``: the only code that changes instance state.

One small function per event type, registered in :data:`APPLIERS`. Replaying a history with
these functions from an empty state rebuilds the state exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from civicflow.engine import events as ev
from civicflow.engine.state import (
    BufferedMessage,
    CompensationRecord,
    ElementInstance,
    Incident,
    InstanceState,
    InstanceStatus,
    Job,
    LoopState,
    Subscription,
    Timer,
    UserTask,
)

__all__ = ["APPLIERS", "apply", "replay"]


def _bump(state: InstanceState, key: int) -> None:
    if key >= state.next_key:
        state.next_key = key + 1


def _own(state: InstanceState, owner: int, key: int) -> None:
    inst = state.elements.get(owner)
    if inst is not None:
        if inst.owned is None:
            inst.owned = [key]
        else:
            inst.owned.append(key)


def _disown(state: InstanceState, owner: int, key: int) -> None:
    inst = state.elements.get(owner)
    if inst is not None and inst.owned is not None and key in inst.owned:
        inst.owned.remove(key)
        if not inst.owned:
            inst.owned = None


def _instance_started(state: InstanceState, e: ev.InstanceStarted) -> None:
    state.instance_id = e.instance_id
    state.process = e.process
    state.root = e.key
    state.status = InstanceStatus.ACTIVE


def _instance_completed(state: InstanceState, e: ev.InstanceCompleted) -> None:
    state.status = InstanceStatus.COMPLETED


def _instance_terminated(state: InstanceState, e: ev.InstanceTerminated) -> None:
    state.status = InstanceStatus.TERMINATED


def _element_activated(state: InstanceState, e: ev.ElementActivated) -> None:
    key = e.key
    state.elements[key] = ElementInstance(key, e.element, e.scope, e.role, e.origin)
    if key >= state.next_key:
        state.next_key = key + 1
    parent = state.elements.get(e.scope)
    if parent is not None:
        parent.children += 1
    if e.joined:
        if e.role == "reset":
            # a complex gateway waiting for reset: one token still needed on each of these flows
            state.joins[(key, e.element)] = dict.fromkeys(e.joined, 1)
            return
        _consume(state, e.scope, e.element, e.joined)


def _consume(state: InstanceState, scope: int, gateway: str, joined: tuple[str, ...]) -> None:
    """A converging gateway fired: one waiting token less on each of the ``joined`` flows."""
    counts = state.joins.get((scope, gateway))
    if counts is not None:
        for flow in joined:
            left = counts.get(flow, 0) - 1
            if left > 0:
                counts[flow] = left
            else:
                counts.pop(flow, None)
        if not counts:
            del state.joins[(scope, gateway)]


def _gone(state: InstanceState, key: int) -> None:
    inst = state.elements.pop(key, None)
    if inst is None:
        return
    parent = state.elements.get(inst.scope)
    if parent is not None:
        parent.children -= 1
    if inst.children == 0 and not state.joins:
        return
    for join_key in [k for k in state.joins if k[0] == key]:
        del state.joins[join_key]


def _element_completed(state: InstanceState, e: ev.ElementCompleted) -> None:
    inst = state.elements.get(e.key)
    _gone(state, e.key)
    if state.compensations and inst is not None:
        _hand_up(state, e.key, inst)


def _hand_up(state: InstanceState, key: int, inst: ElementInstance) -> None:
    """Records of what completed inside an ended instance: held, handed up, or dropped."""
    records = [r for r in state.compensations.values() if r.scope == key]
    if not records:
        return
    if inst.role == "compensation":
        # a re-opened subprocess finished compensating: what it left alone stays uncompensated
        for record in records:
            _drop(state, record)
    elif any(r.inner == key for r in state.compensations.values()):
        return  # held by the subprocess's own record (registered just before it completed)
    else:
        # bodies, processes and call activities are transparent: their records move up
        for record in records:
            record.scope = inst.scope


def _drop(state: InstanceState, record: CompensationRecord) -> None:
    state.compensations.pop(record.key, None)
    if record.inner:
        for inner in [r for r in state.compensations.values() if r.scope == record.inner]:
            _drop(state, inner)


def _element_passed(state: InstanceState, e: ev.ElementPassed) -> None:
    # activated and completed at once: the instance is never alive, only its key is used up
    if e.key >= state.next_key:
        state.next_key = e.key + 1
    if e.joined:
        _consume(state, e.scope, e.element, e.joined)


def _element_terminated(state: InstanceState, e: ev.ElementTerminated) -> None:
    _gone(state, e.key)
    if state.compensations:
        for record in [r for r in state.compensations.values() if r.scope == e.key]:
            _drop(state, record)


def _flow_taken(state: InstanceState, e: ev.SequenceFlowTaken) -> None:
    if e.into_join:
        counts = state.joins.setdefault((e.scope, e.target), {})
        counts[e.flow] = counts.get(e.flow, 0) + 1


def _join_tokens_consumed(state: InstanceState, e: ev.JoinTokensConsumed) -> None:
    counts = state.joins.get((e.scope, e.element))
    awaited = state.joins.get((e.key, e.element))
    for flow in e.flows:
        if counts is not None:
            left = counts.get(flow, 0) - 1
            if left > 0:
                counts[flow] = left
            else:
                counts.pop(flow, None)
        if awaited is not None:
            awaited.pop(flow, None)
    if counts is not None and not counts:
        del state.joins[(e.scope, e.element)]
    if awaited is not None and not awaited:
        del state.joins[(e.key, e.element)]


def _variables_set(state: InstanceState, e: ev.VariablesSet) -> None:
    inst = state.elements[e.scope]
    if inst.variables is None:
        inst.variables = dict(e.variables)
    else:
        inst.variables.update(e.variables)


def _loop_advanced(state: InstanceState, e: ev.LoopAdvanced) -> None:
    inst = state.elements[e.key]
    loop = inst.loop
    if loop is None:
        loop = inst.loop = LoopState(-1, None)
    loop.started += e.started
    loop.completed += e.completed
    if e.output is not None:
        index, value = e.output
        if loop.outputs is None:
            loop.outputs = []
        outputs = loop.outputs
        while len(outputs) <= index:
            outputs.append(None)
        outputs[index] = value


def _loop_started(state: InstanceState, e: ev.LoopStarted) -> None:
    loop = state.elements[e.key].loop = LoopState(e.total, e.items)
    if e.collect:
        loop.outputs = [None] * max(e.total, 0)


def _condition_changed(state: InstanceState, e: ev.ConditionChanged) -> None:
    state.subscriptions[e.key].satisfied = e.satisfied


def _task_created(state: InstanceState, e: ev.TaskCreated) -> None:
    state.tasks[e.key] = UserTask(
        key=e.key,
        owner=e.owner,
        element=e.element,
        name=e.name,
        assignee=e.assignee,
        candidate_groups=e.candidate_groups,
        form_key=e.form_key,
    )
    _bump(state, e.key)
    _own(state, e.owner, e.key)


def _task_done(state: InstanceState, e: ev.TaskCompleted | ev.TaskCanceled) -> None:
    task = state.tasks.pop(e.key, None)
    if task is not None:
        _disown(state, task.owner, e.key)


def _job_created(state: InstanceState, e: ev.JobCreated) -> None:
    state.jobs[e.key] = Job(key=e.key, owner=e.owner, element=e.element, type=e.type, retries=e.retries)
    _bump(state, e.key)
    _own(state, e.owner, e.key)


def _job_done(state: InstanceState, e: ev.JobCompleted | ev.JobCanceled) -> None:
    job = state.jobs.pop(e.key, None)
    if job is not None:
        _disown(state, job.owner, e.key)


def _job_failed(state: InstanceState, e: ev.JobFailed) -> None:
    job = state.jobs[e.key]
    job.retries = e.retries
    job.message = e.message


def _incident_raised(state: InstanceState, e: ev.IncidentRaised) -> None:
    state.incidents[e.key] = Incident(
        key=e.key, owner=e.owner, element=e.element, kind=e.kind, message=e.message, job=e.job
    )
    _bump(state, e.key)


def _incident_resolved(state: InstanceState, e: ev.IncidentResolved) -> None:
    state.incidents.pop(e.key, None)


def _timer_scheduled(state: InstanceState, e: ev.TimerScheduled) -> None:
    state.timers[e.key] = Timer(
        key=e.key, owner=e.owner, element=e.element, due=e.due, repetitions=e.repetitions, interval=e.interval
    )
    _bump(state, e.key)
    _own(state, e.owner, e.key)


def _timer_gone(state: InstanceState, e: ev.TimerFired | ev.TimerCanceled) -> None:
    timer = state.timers.pop(e.key, None)
    if timer is not None:
        _disown(state, timer.owner, e.key)


def _subscription_opened(state: InstanceState, e: ev.SubscriptionOpened) -> None:
    state.subscriptions[e.key] = Subscription(
        key=e.key,
        owner=e.owner,
        element=e.element,
        kind=e.kind,
        name=e.name,
        correlation=e.correlation,
        satisfied=e.satisfied,
    )
    _bump(state, e.key)
    _own(state, e.owner, e.key)


def _subscription_closed(state: InstanceState, e: ev.SubscriptionClosed) -> None:
    sub = state.subscriptions.pop(e.key, None)
    if sub is not None:
        _disown(state, sub.owner, e.key)


def _message_correlated(state: InstanceState, e: ev.MessageCorrelated) -> None:
    if e.buffered is not None:
        state.buffered.pop(e.buffered, None)


def _message_buffered(state: InstanceState, e: ev.MessageBuffered) -> None:
    state.buffered[e.key] = BufferedMessage(
        key=e.key, name=e.name, correlation=e.correlation, variables=dict(e.variables), expires=e.expires
    )
    _bump(state, e.key)


def _message_expired(state: InstanceState, e: ev.MessageExpired) -> None:
    state.buffered.pop(e.key, None)


def _compensation_registered(state: InstanceState, e: ev.CompensationRegistered) -> None:
    state.compensations[e.key] = CompensationRecord(
        key=e.key,
        element=e.element,
        scope=e.scope,
        handler=e.handler,
        inner=e.inner,
        variables=dict(e.variables) if e.variables is not None else None,
    )
    _bump(state, e.key)


def _compensation_started(state: InstanceState, e: ev.CompensationStarted) -> None:
    record = state.compensations.pop(e.record, None)
    if record is None or not record.inner:
        return
    for inner in [r for r in state.compensations.values() if r.scope == record.inner]:
        if e.scope:
            inner.scope = e.scope
        else:
            _drop(state, inner)


def _history_only(state: InstanceState, e: Any) -> None:
    """Events kept for the audit trail and process mining; no state changes."""


APPLIERS: dict[type[Any], Callable[[InstanceState, Any], None]] = {
    ev.InstanceStarted: _instance_started,
    ev.InstanceCompleted: _instance_completed,
    ev.InstanceTerminated: _instance_terminated,
    ev.ElementActivated: _element_activated,
    ev.ElementCompleted: _element_completed,
    ev.ElementPassed: _element_passed,
    ev.ElementTerminated: _element_terminated,
    ev.SequenceFlowTaken: _flow_taken,
    ev.JoinTokensConsumed: _join_tokens_consumed,
    ev.VariablesSet: _variables_set,
    ev.LoopAdvanced: _loop_advanced,
    ev.LoopStarted: _loop_started,
    ev.ConditionChanged: _condition_changed,
    ev.TaskCreated: _task_created,
    ev.TaskCompleted: _task_done,
    ev.TaskCanceled: _task_done,
    ev.JobCreated: _job_created,
    ev.JobCompleted: _job_done,
    ev.JobCanceled: _job_done,
    ev.JobFailed: _job_failed,
    ev.IncidentRaised: _incident_raised,
    ev.IncidentResolved: _incident_resolved,
    ev.TimerScheduled: _timer_scheduled,
    ev.TimerFired: _timer_gone,
    ev.TimerCanceled: _timer_gone,
    ev.SubscriptionOpened: _subscription_opened,
    ev.SubscriptionClosed: _subscription_closed,
    ev.MessageCorrelated: _message_correlated,
    ev.MessageBuffered: _message_buffered,
    ev.MessageExpired: _message_expired,
    ev.MessageSent: _history_only,
    ev.SignalBroadcast: _history_only,
    ev.ErrorThrown: _history_only,
    ev.EscalationThrown: _history_only,
    ev.DecisionEvaluated: _history_only,
    ev.CompensationRegistered: _compensation_registered,
    ev.CompensationStarted: _compensation_started,
}


def apply(state: InstanceState, event: ev.Event) -> None:
    """Change ``state`` as ``event`` says."""
    APPLIERS[type(event)](state, event)


def replay(events: Iterable[ev.Event], state: InstanceState | None = None) -> InstanceState:
    """Rebuild a state from its history."""
    state = InstanceState() if state is None else state
    for event in events:
        APPLIERS[type(event)](state, event)
    return state
