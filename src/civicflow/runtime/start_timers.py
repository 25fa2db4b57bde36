"""Timer start events: a timer job per definition that starts an instance each time it fires.

The engine schedules timers only inside an instance; a timer start event exists before any
instance, so the runtime keeps it as a :class:`~civicflow.runtime.models.Job` of kind ``timer``
with ``definition`` set and no ``instance``. Deploying a new version of the process replaces
the start timers of the older versions (as Camunda does). Firing starts the instance and
schedules the next cycle in the same transaction, so a cycle neither skips nor doubles a start.

Timer values: ``timeDate`` (ISO 8601 date-time), ``timeDuration`` (from the deployment's time),
``timeCycle`` as an ISO 8601 repeating interval (``R/PT1H``, ``R3/2025-03-01T09:00Z/P1D``) or a
cron expression (:func:`civicflow.bpmn.timers.next_cron`). FEEL expressions are evaluated without
variables (there is no instance yet); ``now()`` sees the runtime clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from civicflow.bpmn.errors import TimerFormatError
from civicflow.bpmn.timers import is_cron, next_cron, parse_cycle, parse_date_time, parse_duration
from civicflow.engine import ExpressionError, Graph, Node, NodeKind, Trigger
from civicflow.runtime import step
from civicflow.runtime.clock import current_clock
from civicflow.runtime.errors import DeploymentError
from civicflow.runtime.models import Job, JobKind, ProcessDefinition

__all__ = ["fire", "replace_start_timers"]

# Catching up after a long outage must not loop for ever over a fast cycle.
_MAX_CATCH_UP = 100_000


def _value(node: Node) -> tuple[str, str]:
    """(kind, text) of a start timer: date, duration or cycle."""
    spec = node.timer
    if spec is None:
        raise ExpressionError(f"timer start event {node.id!r} has no definition")
    value: Any = spec.text if spec.expression is None else spec.expression({})
    if value is None or not str(value).strip():
        raise ExpressionError(f"timer start event {node.id!r} has an empty {spec.kind}")
    return spec.kind, str(value).strip()


def _aware(moment: datetime, now: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)


def first_due(node: Node, now: datetime) -> tuple[datetime | None, dict[str, Any]]:
    """When the start timer fires first, and the payload that computes the following cycles."""
    kind, text = _value(node)
    if kind == "date":
        return _aware(parse_date_time(text), now), {}
    if kind == "duration":
        return parse_duration(text).add_to(now), {}
    if is_cron(text):
        return next_cron(text, now), {"cron": text}
    cycle = parse_cycle(text)
    interval = next((part for part in text.split("/")[1:] if part.lstrip("-").startswith("P")), None)
    if cycle.interval is None or interval is None:
        raise ExpressionError(f"timer cycle {text!r} has no interval")
    due = _aware(cycle.start, now) if cycle.start is not None else cycle.interval.add_to(now)
    remaining = None if cycle.repetitions is None else cycle.repetitions - 1
    payload: dict[str, Any] = {"interval": interval, "repetitions": remaining}
    if cycle.end is not None:
        payload["end"] = _aware(cycle.end, now).isoformat()
    return due, payload


def next_due(payload: dict[str, Any] | None, fired: datetime, now: datetime) -> datetime | None:
    """The next instant after a firing at ``fired``; None when the timer is used up."""
    payload = payload or {}
    if "cron" in payload:
        try:
            return next_cron(payload["cron"], max(fired, now))
        except TimerFormatError:  # no further instant matches (an end year has passed)
            return None
    if "interval" not in payload or payload.get("repetitions") == 0:
        return None
    duration = parse_duration(payload["interval"])
    due = duration.add_to(fired)
    # Keep the cycle's phase but never fire a burst of missed cycles after an outage.
    for _ in range(_MAX_CATCH_UP):
        if due > now:
            break
        due = duration.add_to(due)
    end = payload.get("end")
    if end is not None and due > datetime.fromisoformat(end):
        return None
    return due


def _start_timer_nodes(graph: Graph, process_id: str) -> list[Node]:
    return [
        node
        for node in graph.nodes.values()
        if node.kind is NodeKind.START and node.trigger is Trigger.TIMER and node.container == process_id
    ]


def replace_start_timers(definition: ProcessDefinition, graph: Graph) -> list[Job]:
    """Drop the start timers of older versions of the process; schedule those of ``definition``.

    Raises :class:`DeploymentError` when a timer cannot be computed, so the deployment is refused.
    """
    Job.objects.filter(instance__isnull=True, kind=JobKind.TIMER, definition__process_id=definition.process_id).delete()
    now = current_clock().now()
    created = []
    for node in _start_timer_nodes(graph, definition.process_id):
        try:
            due, payload = first_due(node, now)
        except (ExpressionError, TimerFormatError) as exc:
            raise DeploymentError("a timer start event cannot be scheduled", diagnostics=[f"{node.id}: {exc}"]) from exc
        if due is None:
            continue  # a cron that never matches (30 February): nothing to schedule
        created.append(
            Job(
                definition=definition,
                key=0,
                element_instance=0,
                element_id=node.id,
                kind=JobKind.TIMER,
                type=node.id,
                retries=3,
                due_at=due,
                payload=payload,
            )
        )
    return Job.objects.bulk_create(created) if created else []


def fire(job: Job) -> step.StepResult | None:
    """Start an instance from a start timer job and schedule its next cycle, in one transaction.

    Answers None when the job is gone or was already fired (another worker, a new version).
    """
    with transaction.atomic():
        # no select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join
        current = Job.objects.select_for_update().filter(pk=job.pk, due_at=job.due_at, instance__isnull=True).first()
        if current is None or current.definition_id is None or current.due_at is None:
            return None
        definition = ProcessDefinition.objects.get(pk=current.definition_id)
        result = step.start(definition, start_event=current.element_id)
        upcoming = next_due(current.payload, current.due_at, current_clock().now())
        if upcoming is None:
            current.delete()
        else:
            payload = dict(current.payload or {})
            if payload.get("repetitions") is not None:
                payload["repetitions"] -= 1
            Job.objects.filter(pk=current.pk).update(
                due_at=upcoming, payload=payload, attempts=0, lock_owner=None, lock_expires_at=None, last_error=""
            )
    return result
