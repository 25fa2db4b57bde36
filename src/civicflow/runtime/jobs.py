"""Running one claimed job through the step: complete, fail (with backoff), throw, fire a timer.

Claiming, locking, the retry loop and the worker process live with ``civicflow worker``; this
module only turns a job's outcome into the engine command and persists it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from uuid import UUID

from civicflow.engine import CompleteJob, FailJob, FireTimer, InstanceState, ThrowBpmnError
from civicflow.runtime import deliveries, start_timers, step
from civicflow.runtime.clock import current_clock
from civicflow.runtime.errors import RuntimeServiceError
from civicflow.runtime.models import Job, JobKind, ProcessInstance
from civicflow.runtime.personal import loads
from civicflow.runtime.values import plain

__all__ = [
    "HANDLERS",
    "JobBpmnError",
    "JobHandler",
    "backoff",
    "complete_job",
    "execute_job",
    "fail_job",
    "fire_timer",
    "job_variables",
    "register",
    "state_in_memory",
    "throw_bpmn_error",
]

JobHandler = Callable[[Job], Mapping[str, Any] | None]
"""Runs the work of a job; returns variables for the process (or None), raises to fail."""

HANDLERS: dict[str, JobHandler] = {}


def register(job_type: str) -> Callable[[JobHandler], JobHandler]:
    """Register a handler for a job type (``@register("noop")``)."""

    def add(handler: JobHandler) -> JobHandler:
        HANDLERS[job_type] = handler
        return handler

    return add


@register("noop")
def _noop(job: Job) -> None:
    """The built-in connector that does nothing (benchmarks, placeholders)."""


class JobBpmnError(RuntimeServiceError):
    """Raised by a handler to throw a BPMN error that boundary events or event subprocesses catch."""

    def __init__(self, code: str, message: str = "", *, variables: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.variables = dict(variables or {})
        super().__init__(message or code)


def backoff(attempt: int) -> timedelta:
    """Exponential backoff: 1 s, 2 s, 4 s ... at most one hour."""
    return timedelta(seconds=min(2 ** max(attempt, 0), 3600))


# The state a batching worker holds in memory while a handler runs: ahead of the stored row.
_in_memory: ContextVar[tuple[UUID, InstanceState] | None] = ContextVar("civicflow_job_state", default=None)


@contextmanager
def state_in_memory(instance_id: UUID, state: InstanceState) -> Iterator[None]:
    """Let :func:`job_variables` see ``state`` (not yet committed) for jobs of ``instance_id``."""
    token = _in_memory.set((instance_id, state))
    try:
        yield
    finally:
        _in_memory.reset(token)


def job_variables(job: Job, *, local: bool = False) -> dict[str, Any]:
    """The variables visible at the job's element (its scopes up to the process), as plain values.

    ``local`` gives only the element's own scope: its input mappings (connectors read options there).
    """
    held = _in_memory.get()
    if held is not None and held[0] == job.instance_id:
        state = held[1]
    else:
        state = loads(ProcessInstance.objects.values_list("state", flat=True).get(pk=_owner(job)))
    inst = state.elements.get(job.element_instance)
    chain = []
    while inst is not None:
        chain.append(inst.variables or {})
        if local or inst.role == "process":
            break
        inst = state.elements.get(inst.scope)
    values: dict[str, Any] = {}
    for scope in reversed(chain):
        values.update(scope)
    found: dict[str, Any] = plain(values)
    return found


def _owner(job: Job) -> UUID:
    """The instance of an instance job (the functions below never see start timers or deliveries)."""
    if job.instance_id is None:
        raise RuntimeServiceError(f"job {job.pk} belongs to no instance")
    return job.instance_id


def complete_job(job: Job, variables: Mapping[str, Any] | None = None) -> step.StepResult:
    return step.run(_owner(job), CompleteJob(job=job.key, variables=dict(variables or {})))


def fail_job(
    job: Job, message: str, *, retries: int | None = None, retry_in: timedelta | None = None
) -> step.StepResult:
    """Record a failure; with no retries left the engine raises a ``job-failed`` incident."""
    left = job.retries - 1 if retries is None else retries
    command = FailJob(job=job.key, retries=max(left, 0), message=message)
    return step.run(_owner(job), command, job_backoff=retry_in if retry_in is not None else backoff(job.attempts))


def throw_bpmn_error(
    job: Job, code: str, message: str = "", variables: Mapping[str, Any] | None = None
) -> step.StepResult:
    command = ThrowBpmnError(job=job.key, code=code, message=message, variables=dict(variables or {}))
    return step.run(_owner(job), command)


def fire_timer(job: Job) -> step.StepResult:
    return step.run(_owner(job), FireTimer(timer=job.key))


def execute_job(job: Job, handler: JobHandler | None = None) -> step.StepResult | None:
    """Run one claimed job and persist its outcome in one step.

    Timers fire; other jobs run ``handler`` (default: the registered one for the job type). A
    handler exception fails the job (one retry fewer, backoff); :class:`JobBpmnError`
    throws the BPMN error. A job type without a handler fails without retries (an incident).

    A job of no instance (a timer start event, a thrown message or signal) answers the started
    instance's step for a start timer, else None: see :func:`execute_detached`.
    """
    if job.instance_id is None:
        return execute_detached(job)
    if job.kind == JobKind.TIMER:
        return fire_timer(job)
    run = handler or HANDLERS.get(job.type)
    if run is None:
        return fail_job(job, f"no handler for job type {job.type!r}", retries=0)
    try:
        result = run(job)
    except JobBpmnError as exc:
        return throw_bpmn_error(job, exc.code, str(exc), exc.variables)
    except Exception as exc:  # noqa: BLE001 - any handler failure is the job's failure, never the worker's
        return fail_job(job, f"{type(exc).__name__}: {exc}")
    return complete_job(job, result)


def execute_detached(job: Job) -> step.StepResult | None:
    """Run a job that belongs to no instance, in its own transaction.

    A start timer starts an instance (answered) and schedules its next cycle; a message or
    signal delivery reaches its receivers (None). A delivery that fails (no receiver for a message
    without a time to live) keeps its job with one retry fewer and backoff; with no retries left
    ``due_at`` becomes NULL and ``last_error`` says why: an operator can set ``due_at`` again.
    """
    if job.kind == JobKind.TIMER:
        return start_timers.fire(job)
    try:
        deliveries.deliver(job)
    except RuntimeServiceError as exc:
        left = job.retries - 1
        due = current_clock().now() + backoff(job.attempts) if left > 0 else None
        Job.objects.filter(pk=job.pk).update(
            retries=max(left, 0), due_at=due, last_error=str(exc), lock_owner=None, lock_expires_at=None
        )
    return None
