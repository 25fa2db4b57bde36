"""Rows derived from a step's events: history, tasks, jobs, subscriptions, incidents, outbox.

Called inside the step's transaction. Waits opened and closed within one step never reach the
database; everything else is written in a handful of bulk statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from civicflow.engine import Event
from civicflow.runtime.codec import encode_event
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

__all__ = ["OUTBOX_EVENTS", "Projection", "project"]

# Events that others outside the instance act on (notifications, the message bus, webhooks).
OUTBOX_EVENTS = frozenset(
    {"MessageSent", "InstanceCompleted", "InstanceTerminated", "TaskCreated", "IncidentRaised", "SignalBroadcast"}
)


@dataclass(slots=True)
class Projection:
    """What one step changes outside the instance row (filled by :func:`collect`)."""

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


def _collect(instance_id: UUID, first_seq: int, events: list[Event], now: datetime) -> Projection:
    p = Projection()
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
) -> Projection:
    """Write the rows ``events`` imply; returns what was written (for callers and tests)."""
    p = _collect(instance_id, first_seq, events, now)
    HistoryEvent.objects.bulk_create(p.history)
    if p.outbox:
        Outbox.objects.bulk_create(p.outbox)
    if p.jobs_gone:
        Job.objects.filter(instance_id=instance_id, key__in=p.jobs_gone).delete()
    for key, (retries, message) in p.jobs_failed.items():
        if key in p.jobs:  # created and failed in one step (a retried incident): adjust before insert
            p.jobs[key].retries = retries
            continue
        due = None if retries <= 0 else now + (job_backoff or timedelta(0))
        Job.objects.filter(instance_id=instance_id, key=key).update(
            retries=retries, last_error=message, due_at=due, lock_owner=None, lock_expires_at=None
        )
    if p.jobs:
        Job.objects.bulk_create(p.jobs.values())
    if p.subscriptions_gone:
        MessageSubscription.objects.filter(instance_id=instance_id, key__in=p.subscriptions_gone).delete()
        SignalSubscription.objects.filter(instance_id=instance_id, key__in=p.subscriptions_gone).delete()
    if p.messages:
        MessageSubscription.objects.bulk_create(p.messages.values())
    if p.signals:
        SignalSubscription.objects.bulk_create(p.signals.values())
    _write_tasks(p, instance_id, now, actor)
    if p.incidents:
        Incident.objects.bulk_create(p.incidents.values())
    if p.incidents_resolved:
        Incident.objects.filter(instance_id=instance_id, key__in=p.incidents_resolved).update(
            state=IncidentState.RESOLVED, resolved=now
        )
    return p


def _write_tasks(p: Projection, instance_id: UUID, now: datetime, actor: str | None) -> None:
    if p.tasks:
        for key, (task, _groups) in p.tasks.items():
            done = p.tasks_done.pop(key, None)
            if done is not None:
                task.state, task.completed = done[0], now
        created = UserTask.objects.bulk_create([task for task, _ in p.tasks.values()])
        candidates = [
            TaskCandidate(task_id=task.pk, kind=TaskCandidate.GROUP, name=group)
            for task, (_, groups) in zip(created, p.tasks.values(), strict=True)
            for group in groups
        ]
        if candidates:
            TaskCandidate.objects.bulk_create(candidates)
    for key, (state, _variables) in p.tasks_done.items():
        UserTask.objects.filter(instance_id=instance_id, key=key).update(
            state=state, completed=now, completed_by=actor if state == TaskState.COMPLETED else None
        )
