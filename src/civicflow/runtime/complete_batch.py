"""Completing many locked service jobs at once: one state update per instance, one transaction.

An external worker fetches a batch of tasks and reports them all together
(``POST /api/v1/external-tasks/complete``). Completing each through :func:`civicflow.runtime.step.run`
costs one read, one transaction and a handful of statements per task; here, as in the worker's
batch path (:mod:`civicflow.runtime.worker._batch`), the instances of all jobs are read in one
statement, every ``CompleteJob`` runs in memory, and everything commits in **one** transaction:
one ``UPDATE ... WHERE version = old`` for all instances (PostgreSQL) and one bulk insert per
table. The transaction rule holds per instance: its state, history, jobs and outbox rows commit
together or not at all, and the version check keeps every state change exactly-once.

An instance changed by somebody else between the read and the commit (its version check
matched nothing) has its jobs completed one by one through :func:`civicflow.runtime.jobs.complete_job`,
which re-reads and retries: the outcome is the same as if the jobs had been sent one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from django.db import transaction

from civicflow.engine import CommandRejectedError, CompleteJob, execute
from civicflow.errors import CivicFlowError
from civicflow.runtime import jobs as job_runner
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.enrich import StepSource
from civicflow.runtime.errors import CommandRefusedError, NotFoundError
from civicflow.runtime.models import InstanceStatus, Job, ProcessInstance
from civicflow.runtime.personal import loads, with_keys
from civicflow.runtime.projection import collect, write
from civicflow.runtime.rows import values_in
from civicflow.runtime.step import consume_buffered, context
from civicflow.runtime.worker._batch import _INSTANCE_FIELDS, _update_instances, _Work

__all__ = ["complete_jobs"]


@with_keys
def complete_jobs(items: Sequence[tuple[Job, Mapping[str, Any]]]) -> dict[int, CivicFlowError | None]:
    """Complete each ``(job, variables)``; per job id None (completed) or the error that refused it.

    The errors are those the one-at-a-time path raises: :class:`NotFoundError` (the instance is
    gone), :class:`CommandRefusedError` (the instance ended, or the job no longer applies).
    Callers check locks first; each job id at most once.
    """
    outcome: dict[int, CivicFlowError | None] = {}
    by_instance: dict[UUID, list[tuple[Job, dict[str, Any]]]] = {}
    for job, variables in items:
        if job.instance_id is None:
            outcome[job.pk] = NotFoundError(f"job {job.pk} belongs to no instance", kind="task", key=job.pk)
            continue
        by_instance.setdefault(job.instance_id, []).append((job, dict(variables)))
    ctx = context()
    now = ctx.clock.now()
    rows = values_in(ProcessInstance, list(by_instance), _INSTANCE_FIELDS)
    work: list[_Work] = []
    pending: dict[UUID, list[tuple[Job, dict[str, Any]]]] = {}
    for instance_id, definition_id, state, version, event_count, status in rows:
        pairs = by_instance.pop(instance_id)
        if status != InstanceStatus.ACTIVE:
            for job, _ in pairs:
                outcome[job.pk] = CommandRefusedError(
                    f"instance {instance_id} is {status}", instance_id=str(instance_id), command="CompleteJob"
                )
            continue
        w = _Work(
            instance_id=instance_id,
            graph=graph_for(definition_id),
            state=loads(state, graph=graph_for(definition_id)),
            version=version,
            event_count=event_count,
            claimed=[job for job, _ in pairs],
            before=state,
        )
        done = []
        for job, variables in pairs:
            try:
                events = execute(w.graph, w.state, CompleteJob(job=job.key, variables=variables), ctx)
            except CommandRejectedError as exc:  # the engine validates before it changes the state
                outcome[job.pk] = CommandRefusedError(str(exc), instance_id=str(instance_id), command="CompleteJob")
                continue
            w.events.extend(events)
            w.ran += 1
            done.append((job, variables))
        if w.events:
            work.append(w)
            pending[instance_id] = done
    for instance_id, pairs in by_instance.items():  # no such instance (any more)
        for job, _ in pairs:
            outcome[job.pk] = NotFoundError(f"no process instance {instance_id}", kind="instance", key=str(instance_id))
    matched: set[UUID] = set()
    if work:
        with transaction.atomic():
            for w in work:
                if any(type(e).__name__ == "SubscriptionOpened" for e in w.events):
                    w.events = consume_buffered(
                        w.graph, w.state, w.events, ctx, instance_id=str(w.instance_id), now=now
                    )
            matched = _update_instances(work, now)
            projections = [
                collect(
                    w.instance_id,
                    w.event_count,
                    w.events,
                    now,
                    source=StepSource(graph=w.graph, state=w.state, before=w.before),
                )
                for w in work
                if w.instance_id in matched
            ]
            write(projections, now)
    for w in work:
        for job, variables in pending[w.instance_id]:
            if w.instance_id in matched:
                outcome[job.pk] = None
                continue
            try:  # changed meanwhile: the single path re-reads and retries on its own
                job_runner.complete_job(job, variables)
                outcome[job.pk] = None
            except CivicFlowError as exc:
                outcome[job.pk] = exc
    return outcome
