"""One handler per command type: checks the command against the state, then writes events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from civicflow.engine import commands as cmd
from civicflow.engine import events as ev
from civicflow.engine.behaviours.throwing import throw_error
from civicflow.engine.behaviours.waits import broadcast, correlate, fire_timer
from civicflow.engine.errors import CommandRejectedError
from civicflow.engine.processor import Processor
from civicflow.engine.state import InstanceStatus
from civicflow.engine.values import key_text, to_engine

__all__ = ["HANDLERS"]


def _vars(values: dict[str, Any]) -> dict[str, Any]:
    return {str(k): to_engine(v) for k, v in values.items()}


def _active(p: Processor, command: object) -> None:
    if p.state.status is not InstanceStatus.ACTIVE or not p.state.elements:
        raise CommandRejectedError("the instance is not active", command=type(command).__name__)


def _start(p: Processor, c: cmd.StartInstance) -> None:
    if p.state.elements:
        raise CommandRejectedError("the instance has already started", command="StartInstance")
    process = p.graph.process_id(c.process)
    node = p.nodes[process]
    start = c.start_event
    if start is not None and (start not in p.nodes or p.nodes[start].container != process):
        raise CommandRejectedError(f"{start!r} is not a start event of {process!r}", command="StartInstance")
    if start is None and not node.starts:
        raise CommandRejectedError(f"process {process!r} has no start event", command="StartInstance")
    key = p.new_key()
    p.emit(ev.InstanceStarted(instance_id=p.ctx.ids.new_id(), process=process, key=key, at=p.ctx.clock.now()))
    variables = _vars(c.variables)
    p.starting = True  # the process's start event may pass (civicflow.engine.passing.pass_start)
    p.activate(process, 0, None, (start, None), role="process", local=variables or None)
    p.starting = False


def _complete_task(p: Processor, c: cmd.CompleteTask) -> None:
    _active(p, c)
    task = p.state.tasks.get(c.task)
    if task is None:
        raise CommandRejectedError(f"no open user task {c.task}", command="CompleteTask")
    variables = _vars(c.variables)
    p.emit(ev.TaskCompleted(key=task.key, variables=variables))
    _finish_wait(p, task.owner, variables)


def _finish_wait(p: Processor, owner_key: int, variables: dict[str, Any]) -> None:
    owner = p.elements[owner_key]
    if variables:
        p.set_variables(owner.key, variables, local=bool(p.nodes[owner.element].outputs))
    p.complete_later(owner)


def _complete_job(p: Processor, c: cmd.CompleteJob) -> None:
    _active(p, c)
    job = p.state.jobs.get(c.job)
    if job is None:
        raise CommandRejectedError(f"no open job {c.job}", command="CompleteJob")
    variables = _vars(c.variables)
    p.emit(ev.JobCompleted(key=job.key, variables=variables))
    _finish_wait(p, job.owner, variables)


def _fail_job(p: Processor, c: cmd.FailJob) -> None:
    _active(p, c)
    job = p.state.jobs.get(c.job)
    if job is None:
        raise CommandRejectedError(f"no open job {c.job}", command="FailJob")
    retries = max(c.retries, 0)
    p.emit(ev.JobFailed(key=job.key, retries=retries, message=c.message))
    if retries == 0:
        p.incident(p.elements[job.owner], "job-failed", c.message or "the job failed without retries", job=job.key)


def _throw_error(p: Processor, c: cmd.ThrowBpmnError) -> None:
    _active(p, c)
    job = p.state.jobs.get(c.job)
    if job is None:
        raise CommandRejectedError(f"no open job {c.job}", command="ThrowBpmnError")
    owner = p.elements[job.owner]
    if c.variables:
        p.set_variables(owner.key, _vars(c.variables))
    throw_error(p, owner, c.code, c.message)


def _correlate(p: Processor, c: cmd.CorrelateMessage) -> None:
    _active(p, c)
    correlation = None if c.correlation is None else key_text(to_engine(c.correlation))
    variables = _vars(c.variables)
    candidates = [
        s
        for s in p.state.subscriptions.values()
        if s.kind == "message" and s.name == c.name and (s.correlation is None or s.correlation == correlation)
    ]
    if candidates:
        correlate(p, min(candidates, key=lambda s: s.key), variables, correlation)
        return
    if c.ttl is not None and c.ttl.total_seconds() > 0:
        p.emit(
            ev.MessageBuffered(
                key=p.new_key(),
                name=c.name,
                correlation=correlation,
                variables=variables,
                expires=p.ctx.clock.now() + c.ttl,
            )
        )
        return
    raise CommandRejectedError(
        f"no subscription for message {c.name!r} (key {c.correlation!r})", command="CorrelateMessage"
    )


def _fire_timer(p: Processor, c: cmd.FireTimer) -> None:
    _active(p, c)
    timer = p.state.timers.get(c.timer)
    if timer is None:
        raise CommandRejectedError(f"no timer {c.timer}", command="FireTimer")
    fire_timer(p, timer)


def _signal(p: Processor, c: cmd.BroadcastSignal) -> None:
    _active(p, c)
    p.emit(ev.SignalBroadcast(name=c.name, variables=_vars(c.variables)))
    broadcast(p, c.name, _vars(c.variables))


def _set_variables(p: Processor, c: cmd.SetVariables) -> None:
    _active(p, c)
    scope = p.state.root if c.scope is None else c.scope
    if scope not in p.elements:
        raise CommandRejectedError(f"no scope {scope}", command="SetVariables")
    p.emit(ev.VariablesSet(scope=scope, variables=_vars(c.variables)))


def _resolve(p: Processor, c: cmd.ResolveIncident) -> None:
    incident = p.state.incidents.get(c.incident)
    if incident is None:
        raise CommandRejectedError(f"no incident {c.incident}", command="ResolveIncident")
    p.emit(ev.IncidentResolved(key=incident.key))
    inst = p.elements.get(incident.owner)
    if inst is None:
        return
    if incident.job is not None and incident.job in p.state.jobs:
        p.emit(ev.JobFailed(key=incident.job, retries=max(c.retries, 1), message=""))
        return
    node = p.nodes[inst.element]
    if inst.owned:
        p.release(inst)
    p.behaviours[node.kind].activate(p, node, inst, None)


def _cancel(p: Processor, c: cmd.CancelInstance) -> None:
    _active(p, c)
    p.terminate(p.state.root)
    p.emit(ev.InstanceTerminated(instance_id=p.state.instance_id, reason=c.reason))


def _modify(p: Processor, c: cmd.ModifyInstance) -> None:
    _active(p, c)
    for element in c.terminate:
        for inst in [i for i in p.elements.values() if i.element == element]:
            p.terminate(inst.key)
    if c.variables:
        p.emit(ev.VariablesSet(scope=p.state.root, variables=_vars(c.variables)))
    for element in c.activate:
        node = p.nodes.get(element)
        if node is None:
            raise CommandRejectedError(f"no element {element!r}", command="ModifyInstance")
        scope = next(
            (i.key for i in p.elements.values() if i.element == node.container and i.role in ("", "process")), None
        )
        if scope is None:
            raise CommandRejectedError(f"the scope of {element!r} is not active", command="ModifyInstance")
        p.activate(element, scope, None)
    p.queue.append((2, p.state.root))


HANDLERS: dict[type[Any], Callable[[Processor, Any], None]] = {
    cmd.StartInstance: _start,
    cmd.CompleteTask: _complete_task,
    cmd.CompleteJob: _complete_job,
    cmd.FailJob: _fail_job,
    cmd.ThrowBpmnError: _throw_error,
    cmd.CorrelateMessage: _correlate,
    cmd.FireTimer: _fire_timer,
    cmd.BroadcastSignal: _signal,
    cmd.SetVariables: _set_variables,
    cmd.ResolveIncident: _resolve,
    cmd.CancelInstance: _cancel,
    cmd.ModifyInstance: _modify,
}
