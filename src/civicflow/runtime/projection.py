"""Rows derived from a step's events: history, tasks, jobs, subscriptions, incidents, outbox.

Called inside the step's transaction. Waits opened and closed within one step never reach the
database; everything else is written in a handful of bulk statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection

from civicflow.engine import Event
from civicflow.runtime.codec import encode_event
from civicflow.runtime.enrich import StepSource, enrich
from civicflow.runtime.models import (
    HistoryEvent,
    Incident,
    IncidentState,
    Job,
    JobKind,
    MessageSubscription,
    Outbox,
    SignalSubscription,
    TaskCandidate,
    TaskState,
    UserTask,
)
from civicflow.runtime.personal import seal_projection
from civicflow.runtime.rows import delete_by_keys, insert_rows, update_by_keys

__all__ = [
    "JOBS_CHANNEL",
    "NOTIFY_HORIZON",
    "OUTBOX_EVENTS",
    "Projection",
    "collect",
    "insert_rows",
    "notify_jobs",
    "project",
    "write",
]

# The PostgreSQL channel workers LISTEN on. A woken worker claims what is due and sleeps until
# the next due job, so every new job due within the horizon (longer than any sane poll interval)
# notifies: timers then fire on time without polling.
JOBS_CHANNEL = "civicflow_jobs"
NOTIFY_HORIZON = timedelta(hours=1)

# Events that others outside the instance act on (notifications, the message bus, webhooks):
# the instance, task and incident lifecycles, published as CloudEvents by civicflow.connectors.
OUTBOX_EVENTS = frozenset(
    {
        "InstanceStarted",
        "InstanceCompleted",
        "InstanceTerminated",
        "TaskCreated",
        "TaskCompleted",
        "TaskCanceled",
        "IncidentRaised",
        "IncidentResolved",
        "MessageSent",
        "SignalBroadcast",
    }
)


@dataclass(slots=True)
class Projection:
    """What one step changes outside the instance row (filled by :func:`collect`)."""

    instance_id: UUID
    job_backoff: timedelta | None = None
    history: list[HistoryEvent] = field(default_factory=list)
    outbox: list[Outbox] = field(default_factory=list)
    jobs: dict[int, Job] = field(default_factory=dict)
    jobs_gone: set[int] = field(default_factory=set)
    jobs_failed: dict[int, tuple[int, str]] = field(default_factory=dict)
    messages: dict[int, MessageSubscription] = field(default_factory=dict)
    signals: dict[int, SignalSubscription] = field(default_factory=dict)
    subscriptions_gone: set[int] = field(default_factory=set)
    tasks: dict[int, tuple[UserTask, tuple[str, ...]]] = field(default_factory=dict)
    tasks_done: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    incidents: dict[int, Incident] = field(default_factory=dict)
    incidents_resolved: set[int] = field(default_factory=set)
    task_users: dict[int, tuple[str, ...]] = field(default_factory=dict)  # candidate users per new task
    deliveries: list[Job] = field(default_factory=list)  # messages and signals thrown to other instances


def collect(
    instance_id: UUID,
    first_seq: int,
    events: list[Event],
    now: datetime,
    *,
    job_backoff: timedelta | None = None,
    source: StepSource | None = None,
) -> Projection:
    """The rows one instance's ``events`` imply, not yet written (see :func:`write`).

    With ``source`` (the step's graph and states) new tasks get their due date, priority and
    candidates from the model, and thrown messages and signals get delivery jobs.
    """
    p = Projection(instance_id=instance_id, job_backoff=job_backoff)
    for offset, event in enumerate(events):
        type_name, element, payload = encode_event(event)
        p.history.append(
            HistoryEvent(
                instance_id=instance_id,
                seq=first_seq + offset,
                type=type_name,
                element_id=element,
                payload=payload,
                timestamp=now,
            )
        )
        if type_name in OUTBOX_EVENTS:
            body = {"instance_id": str(instance_id), "element_id": element, **payload}
            p.outbox.append(Outbox(event_type=type_name, instance_id=instance_id, payload=body, created=now))
        handler = _HANDLERS.get(type_name)
        if handler is not None:
            handler(p, instance_id, event, now)
    if source is not None:
        enrich(p, source, events, now)
        seal_projection(p, source.graph, source.state, events)  # before anything is written
    return p


def _job_created(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.jobs[e.key] = Job(
        instance_id=instance_id,
        key=e.key,
        element_instance=e.owner,
        element_id=e.element,
        kind=JobKind.SERVICE,
        type=e.type,
        retries=e.retries,
        due_at=now,
    )


def _timer_scheduled(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.jobs[e.key] = Job(
        instance_id=instance_id,
        key=e.key,
        element_instance=e.owner,
        element_id=e.element,
        kind=JobKind.TIMER,
        type=e.element,
        retries=1,
        due_at=e.due,
    )


def _job_gone(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    if p.jobs.pop(e.key, None) is None:
        p.jobs_gone.add(e.key)


def _job_failed(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.jobs_failed[e.key] = (e.retries, e.message)


def _subscription_opened(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    common = {"instance_id": instance_id, "key": e.key, "element_instance": e.owner, "element_id": e.element}
    if e.kind == "message":
        p.messages[e.key] = MessageSubscription(name=e.name or "", correlation_key=e.correlation, **common)
    elif e.kind == "signal":
        p.signals[e.key] = SignalSubscription(name=e.name or "", **common)


def _subscription_closed(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    if p.messages.pop(e.key, None) is None and p.signals.pop(e.key, None) is None:
        p.subscriptions_gone.add(e.key)


def _task_created(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    task = UserTask(
        instance_id=instance_id,
        key=e.key,
        element_instance=e.owner,
        element_id=e.element,
        name=e.name or "",
        assignee=e.assignee,
        form_key=e.form_key,
        created=now,
    )
    p.tasks[e.key] = (task, tuple(e.candidate_groups))


def _task_completed(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.tasks_done[e.key] = (TaskState.COMPLETED, e.variables)


def _task_canceled(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.tasks_done[e.key] = (TaskState.CANCELED, {})


def _incident_raised(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.incidents[e.key] = Incident(
        instance_id=instance_id,
        key=e.key,
        element_instance=e.owner,
        element_id=e.element,
        kind=e.kind,
        job_key=e.job,
        message=e.message,
        created=now,
    )


def _incident_resolved(p: Projection, instance_id: UUID, e: Any, now: datetime) -> None:
    p.incidents_resolved.add(e.key)


_HANDLERS = {
    "JobCreated": _job_created,
    "JobCompleted": _job_gone,
    "JobCanceled": _job_gone,
    "JobFailed": _job_failed,
    "TimerScheduled": _timer_scheduled,
    "TimerFired": _job_gone,
    "TimerCanceled": _job_gone,
    "SubscriptionOpened": _subscription_opened,
    "SubscriptionClosed": _subscription_closed,
    "TaskCreated": _task_created,
    "TaskCompleted": _task_completed,
    "TaskCanceled": _task_canceled,
    "IncidentRaised": _incident_raised,
    "IncidentResolved": _incident_resolved,
}


def project(
    instance_id: UUID,
    first_seq: int,
    events: list[Event],
    now: datetime,
    *,
    actor: str | None = None,
    job_backoff: timedelta | None = None,
    source: StepSource | None = None,
) -> Projection:
    """Write the rows ``events`` imply; returns what was written (for callers and tests)."""
    p = collect(instance_id, first_seq, events, now, source=source)
    write([p], now, actor=actor, job_backoff=job_backoff)
    return p


def write(
    projections: list[Projection], now: datetime, *, actor: str | None = None, job_backoff: timedelta | None = None
) -> None:
    """Write the rows of several instances' projections with one statement per table and kind.

    A worker batch writes many instances in one transaction; a single step passes one. The
    statements are plain SQL (:mod:`civicflow.runtime.rows`): the ORM's compiler cost more CPU
    than the database spent on them.
    """
    history = [h for p in projections for h in p.history]
    insert_rows(HistoryEvent, history)
    outbox = [o for p in projections for o in p.outbox]
    if outbox:
        insert_rows(Outbox, outbox)
    delete_by_keys(Job, [(p.instance_id, p.jobs_gone) for p in projections])
    new_jobs: list[Job] = []
    for p in projections:
        for key, (retries, message) in p.jobs_failed.items():
            if key in p.jobs:  # created and failed in one step (a retried incident): adjust before insert
                p.jobs[key].retries = retries
                continue
            due = None if retries <= 0 else now + (p.job_backoff or job_backoff or timedelta(0))
            unlocked = {"lock_owner": None, "lock_expires_at": None}
            update_by_keys(Job, p.instance_id, [key], retries=retries, last_error=message, due_at=due, **unlocked)
        new_jobs.extend(p.jobs.values())
        new_jobs.extend(p.deliveries)
    if new_jobs:
        insert_rows(Job, new_jobs)
        notify_jobs(min(j.due_at for j in new_jobs if j.due_at is not None), now)
    subs_gone = [(p.instance_id, p.subscriptions_gone) for p in projections]
    delete_by_keys(MessageSubscription, subs_gone)
    delete_by_keys(SignalSubscription, subs_gone)
    insert_rows(MessageSubscription, [m for p in projections for m in p.messages.values()])
    insert_rows(SignalSubscription, [s for p in projections for s in p.signals.values()])
    for p in projections:
        _write_tasks(p, p.instance_id, now, actor)
    insert_rows(Incident, [i for p in projections for i in p.incidents.values()])
    for p in projections:
        update_by_keys(Incident, p.instance_id, p.incidents_resolved, state=IncidentState.RESOLVED, resolved=now)


def notify_jobs(first_due: datetime | None, now: datetime) -> None:
    """Wake listening workers (PostgreSQL ``NOTIFY``) when new jobs are due soon.

    Sent inside the writing transaction, so PostgreSQL delivers it only on commit: a worker never
    wakes for a job it cannot see yet. Later jobs are found by the worker's own next-due timer.
    """
    if first_due is None or first_due > now + NOTIFY_HORIZON or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {JOBS_CHANNEL}")


def _write_tasks(p: Projection, instance_id: UUID, now: datetime, actor: str | None) -> None:
    if p.tasks:
        for key, (task, _groups) in p.tasks.items():
            done = p.tasks_done.pop(key, None)
            if done is not None:
                task.state, task.completed = done[0], now
        created = [task for task, _ in p.tasks.values()]
        insert_rows(UserTask, created, returning_ids=True)  # the candidates need the task ids
        candidates = [
            TaskCandidate(task_id=task.pk, kind=TaskCandidate.GROUP, name=group)
            for task, (_, groups) in zip(created, p.tasks.values(), strict=True)
            for group in groups
        ] + [
            TaskCandidate(task_id=task.pk, kind=TaskCandidate.USER, name=user)
            for task, key in zip(created, p.tasks, strict=True)
            for user in p.task_users.get(key, ())
        ]
        insert_rows(TaskCandidate, candidates)
    for key, (state, _variables) in p.tasks_done.items():
        completed_by = actor if state == TaskState.COMPLETED else None
        update_by_keys(UserTask, instance_id, [key], state=state, completed=now, completed_by=completed_by)
