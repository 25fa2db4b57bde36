"""Running a batch of claimed jobs: many instances, one transaction.

For every instance with claimed jobs the batch loads the state once, runs each job's handler
and the engine command in memory, and then keeps going with the service jobs those commands
create (up to ``chain_limit``): the next steps of the instance run right away instead of
waiting for a commit, a notification and a new claim. Everything then commits in **one**
transaction: one ``UPDATE ... WHERE version = old`` per instance (one statement for the whole
batch on PostgreSQL) and one bulk insert per table for all instances' history, jobs and outbox
rows. The transaction rule holds per instance: its state, history, jobs and outbox rows commit
together or not at all.

An instance changed by somebody else meanwhile (the version check matched nothing) has its
work dropped, and its claimed jobs are released to run again: handlers run at least once,
state changes exactly once. Jobs this module does not batch (no instance, or a kind other
than service and timer) run one by one through :func:`civicflow.runtime.jobs.execute_job`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import transaction

from civicflow.engine import (
    Command,
    CommandRejectedError,
    CompleteJob,
    Context,
    Event,
    FailJob,
    FireTimer,
    Graph,
    InstanceState,
    ThrowBpmnError,
    execute,
)
from civicflow.runtime import jobs as job_runner
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.enrich import StepSource
from civicflow.runtime.models import InstanceStatus, Job, JobKind, ProcessInstance
from civicflow.runtime.personal import dumps, loads, with_keys
from civicflow.runtime.projection import collect, write
from civicflow.runtime.rows import update_instances, values_in
from civicflow.runtime.step import consume_buffered, context

__all__ = ["BatchResult", "run_batch"]

log = logging.getLogger("civicflow.worker")

# what a batch reads of each instance (plain SQL, see civicflow.runtime.rows)
_INSTANCE_FIELDS = ("id", "definition_id", "state", "version", "event_count", "status")


@dataclass(slots=True)
class BatchResult:
    """What a batch did, for the worker's logs and the caller's bookkeeping."""

    completed: int = 0  # jobs whose outcome committed (including chained ones)
    failed: int = 0  # of those, jobs that failed (retry later or incident)
    released: list[int] = field(default_factory=list)  # claimed job ids given back
    instances: int = 0  # instances written


@dataclass(slots=True)
class _Work:
    """One instance of the batch, advanced in memory."""

    instance_id: UUID
    graph: Graph
    state: InstanceState
    version: int
    event_count: int
    claimed: list[Job]
    before: str  # the stored state text the batch started from
    events: list[Event] = field(default_factory=list)
    ran: int = 0
    failed: int = 0
    backoff: timedelta | None = None


def _command(job: Job) -> tuple[Command, timedelta | None]:
    """Run the job's work; the engine command that records its outcome (and a failure's backoff)."""
    if job.kind == JobKind.TIMER:
        return FireTimer(timer=job.key), None
    handler = job_runner.HANDLERS.get(job.type)
    if handler is None:
        return FailJob(job=job.key, retries=0, message=f"no handler for job type {job.type!r}"), None
    try:
        result = handler(job)
    except job_runner.JobBpmnError as exc:
        return ThrowBpmnError(job=job.key, code=exc.code, message=str(exc), variables=exc.variables), None
    except Exception as exc:  # noqa: BLE001 - any handler failure is the job's failure, never the worker's
        message = f"{type(exc).__name__}: {exc}"
        log.info("job failed", extra={"job_key": job.key, "job_type": job.type, "error": message})
        return FailJob(job=job.key, retries=max(job.retries - 1, 0), message=message), job_runner.backoff(job.attempts)
    return CompleteJob(job=job.key, variables=dict(result or {})), None


def _chained(work: _Work, events: list[Event]) -> list[Job]:
    """Service jobs the last command created that this worker can run on the spot."""
    found = []
    for event in events:
        if type(event).__name__ == "JobCreated" and event.type in job_runner.HANDLERS:  # type: ignore[union-attr]
            e: Any = event
            found.append(
                Job(
                    instance_id=work.instance_id,
                    key=e.key,
                    element_instance=e.owner,
                    element_id=e.element,
                    kind=JobKind.SERVICE,
                    type=e.type,
                    retries=e.retries,
                    attempts=1,
                )
            )
    return found


def _advance(work: _Work, ctx: Context, chain_limit: int, keep_going: Callable[[], bool]) -> list[Job]:
    """Run the claimed jobs, then the chain; returns the claimed jobs that were not started."""
    queue = list(work.claimed)
    unstarted: list[Job] = []
    chained = 0
    while queue:
        job = queue.pop(0)
        if not keep_going():
            if job.pk is not None:
                unstarted.append(job)
            continue
        with job_runner.state_in_memory(work.instance_id, work.state):
            command, backoff = _command(job)
        # Chained jobs live only in memory until the batch commits, so their pk is None even
        # though the stubs type it as int.
        saved_pk: int | None = job.pk
        if saved_pk is None and isinstance(command, FailJob):
            # a chained job that failed: leave it as the step created it (due now), so it
            # runs again through a normal claim with its own attempts and backoff
            continue
        try:
            events = execute(work.graph, work.state, command, ctx)
        except CommandRejectedError as exc:
            log.warning("job no longer applies; dropped", extra={"job_key": job.key, "error": str(exc)})
            continue
        work.events.extend(events)
        work.ran += 1
        if backoff is not None:
            work.failed += 1
            work.backoff = max(backoff, work.backoff or backoff)
        if chained < chain_limit and work.state.status.value == InstanceStatus.ACTIVE:
            more = _chained(work, events)[: chain_limit - chained]
            chained += len(more)
            queue.extend(more)
    return unstarted


def _load(claimed: list[Job]) -> tuple[list[_Work], list[Job]]:
    """The instances of the claimed jobs; jobs that cannot be batched come back separately."""
    by_instance: dict[UUID, list[Job]] = {}
    single: list[Job] = []
    for job in claimed:
        if job.instance_id is None or job.kind not in (JobKind.SERVICE, JobKind.TIMER):
            single.append(job)
        else:
            by_instance.setdefault(job.instance_id, []).append(job)
    rows = values_in(ProcessInstance, list(by_instance), _INSTANCE_FIELDS)
    work = []
    for instance_id, definition_id, state, version, event_count, status in rows:
        jobs = by_instance.pop(instance_id)
        if status != InstanceStatus.ACTIVE:
            single.extend(jobs)  # the single path refuses them with a clear error
            continue
        work.append(
            _Work(
                instance_id=instance_id,
                graph=graph_for(definition_id),
                state=loads(state, graph=graph_for(definition_id)),
                version=version,
                event_count=event_count,
                claimed=jobs,
                before=state,
            )
        )
    for jobs in by_instance.values():
        single.extend(jobs)
    return work, single


def _update_instances(items: list[_Work], now: datetime) -> set[UUID]:
    """Write every instance row with its version check; the ids that matched."""
    rows = []
    for w in items:
        done = w.state.status.value != InstanceStatus.ACTIVE
        status, incident = w.state.status.value, bool(w.state.incidents)
        count = w.event_count + len(w.events)
        rows.append(
            (
                w.instance_id,
                w.version,
                dumps(w.graph, w.state, w.events),
                count,
                status,
                incident,
                now if done else None,
            )
        )
    return update_instances(rows)


@with_keys
def run_batch(
    claimed: list[Job], *, chain_limit: int = 100, keep_going: Callable[[], bool] = lambda: True
) -> BatchResult:
    """Run ``claimed`` (locked by this worker) and commit their outcomes; see the module docstring."""
    result = BatchResult()
    work, single = _load(claimed)
    ctx = context()
    now = ctx.clock.now()
    for w in work:
        result.released.extend(j.pk for j in _advance(w, ctx, chain_limit, keep_going))
    work = [w for w in work if w.events]
    if work:
        with transaction.atomic():
            for w in work:
                if any(type(e).__name__ == "SubscriptionOpened" for e in w.events):
                    w.events = consume_buffered(
                        w.graph, w.state, w.events, ctx, instance_id=str(w.instance_id), now=now
                    )
            matched = _update_instances(work, now)
            written = [w for w in work if w.instance_id in matched]
            projections = [
                collect(
                    w.instance_id,
                    w.event_count,
                    w.events,
                    now,
                    job_backoff=w.backoff,
                    source=StepSource(graph=w.graph, state=w.state, before=w.before),
                )
                for w in written
            ]
            write(projections, now)
        for w in work:
            if w.instance_id in matched:
                result.completed += w.ran
                result.failed += w.failed
                result.instances += 1
            else:
                log.info("instance changed meanwhile; jobs released", extra={"instance_id": str(w.instance_id)})
                result.released.extend(j.pk for j in w.claimed)
    for job in single:
        if not keep_going():
            result.released.append(job.pk)
            continue
        try:
            outcome = job_runner.execute_job(job)
        except Exception:  # one job's refusal must not stop the batch
            log.exception("job could not run", extra={"job_id": job.pk, "job_type": job.type})
            continue
        result.completed += 1
        # None: a delivery job or a start timer that another worker already fired; no engine events.
        if outcome is not None:
            result.failed += sum(1 for e in outcome.events if type(e).__name__ == "JobFailed")
    return result
