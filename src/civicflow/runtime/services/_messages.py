"""Messages (exactly once per subscription, buffered with a time to live) and signals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction

from civicflow.engine import BroadcastSignal, CorrelateMessage
from civicflow.runtime import step
from civicflow.runtime.clock import current_clock
from civicflow.runtime.errors import CommandRefusedError, MessageNotCorrelatedError
from civicflow.runtime.models import (
    BufferedMessage,
    InstanceStatus,
    MessageSubscription,
    ProcessInstance,
    SignalSubscription,
)
from civicflow.runtime.rows import columns
from civicflow.runtime.values import encode_value, key_text

__all__ = ["Correlation", "broadcast_signal", "correlate_message"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Correlation:
    """Where a message went: an instance it advanced or started, or the buffer."""

    instance: ProcessInstance | None = None
    started: bool = False
    buffered: BufferedMessage | None = None


def correlate_message(
    name: str,
    correlation_key: object = None,
    variables: Mapping[str, Any] | None = None,
    ttl: timedelta | None = None,
) -> Correlation:
    """Deliver a message to one waiting subscription, else a message start event, else the buffer.

    Correlations of one (name, key) are serialized (an advisory lock on PostgreSQL), and a
    subscription is consumed by the step that delivers to it, so each subscription takes exactly
    one message. Without a subscription and without ``ttl`` it raises
    :class:`MessageNotCorrelatedError`.
    """
    key = key_text(correlation_key)
    values = dict(variables or {})
    with transaction.atomic():
        step.lock_message(name, key)
        instance_ids = _waiting(name, key)
        command = CorrelateMessage(name=name, correlation=key, variables=values)
        for instance_id in instance_ids:
            try:
                return Correlation(instance=step.run(instance_id, command).instance)
            except CommandRefusedError:
                continue  # the subscription closed since it was read
        start = (
            MessageSubscription.objects.filter(name=name, definition__isnull=False)
            .select_related("definition")
            .order_by("id")
            .first()
        )
        if start is not None and start.definition is not None:
            result = step.start(start.definition, variables=values, start_event=start.element_id)
            return Correlation(instance=result.instance, started=True)
        if ttl is not None and ttl.total_seconds() > 0:
            now = current_clock().now()
            buffered = BufferedMessage.objects.create(
                name=name, correlation_key=key, variables=encode_value(values), created=now, expires_at=now + ttl
            )
            return Correlation(buffered=buffered)
    raise MessageNotCorrelatedError(
        f"no subscription waits for message {name!r} (correlation key {key!r})", name=name, correlation_key=key
    )


def _waiting(name: str, key: str | None) -> list[Any]:
    """The active instances with a subscription to message ``name`` that takes ``key``, oldest subscription first.

    Plain SQL: every correlation asks, and the ORM's join cost more than the rest of it.
    """
    subs, instances = MessageSubscription._meta.db_table, ProcessInstance._meta.db_table
    read = columns(MessageSubscription, ("instance_id",))
    matches = "s.correlation_key IS NULL" + (" OR s.correlation_key = %s" if key is not None else "")
    sql = (
        f"SELECT {read.on('s')} FROM {subs} s "  # noqa: S608 - names are ours  # nosec B608
        f"JOIN {instances} p ON p.id = s.instance_id WHERE s.name = %s AND p.status = %s AND ({matches}) ORDER BY s.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, InstanceStatus.ACTIVE.value, *([key] if key is not None else [])])
        found = [read.values(row)[1] for row in cursor.fetchall()]
    return list(dict.fromkeys(found))


def broadcast_signal(name: str, variables: Mapping[str, Any] | None = None) -> list[ProcessInstance]:
    """Deliver a signal to every instance waiting for it and start every process with that signal start.

    Each instance advances in its own transaction; an instance that moved on meanwhile is skipped.
    """
    values = dict(variables or {})
    reached: list[ProcessInstance] = []
    instance_ids = list(
        dict.fromkeys(
            SignalSubscription.objects.filter(name=name, instance__isnull=False)
            .order_by("id")
            .values_list("instance_id", flat=True)
        )
    )
    command = BroadcastSignal(name=name, variables=values)
    for instance_id in instance_ids:
        try:
            reached.append(step.run(instance_id, command).instance)
        except CommandRefusedError:
            continue
    starts = SignalSubscription.objects.filter(name=name, definition__isnull=False).select_related("definition")
    reached.extend(
        step.start(start.definition, variables=values, start_event=start.element_id).instance
        for start in starts.order_by("id")
        if start.definition is not None
    )
    return reached
