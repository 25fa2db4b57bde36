"""The transactional step: one engine command, one database transaction.

    load the instance (state + version) -> run ONE engine command in memory -> in ONE
    transaction: UPDATE the instance WHERE version = old, write the rows the events imply

A concurrent change of the same instance makes the UPDATE match no row; the transaction rolls
back and the command runs again on the fresh state, up to :data:`MAX_ATTEMPTS` times. Messages
buffered earlier are consumed inside the same transaction when the step opens a matching
subscription.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from civicflow.engine import (
    Command,
    CommandRejectedError,
    Context,
    CorrelateMessage,
    Event,
    Graph,
    InstanceState,
    StartInstance,
    execute,
)
from civicflow.runtime.clock import UuidIds, current_clock
from civicflow.runtime.definitions import RuntimeDecisions, graph_for
from civicflow.runtime.enrich import StepSource
from civicflow.runtime.errors import CommandRefusedError, ConcurrencyError, NotFoundError
from civicflow.runtime.models import BufferedMessage, InstanceStatus, ProcessDefinition, ProcessInstance
from civicflow.runtime.personal import dumps, keys_for_step, loads
from civicflow.runtime.projection import project
from civicflow.runtime.rows import columns, get_row, insert_rows, update_instances
from civicflow.runtime.values import decode_value

__all__ = ["MAX_ATTEMPTS", "StepResult", "consume_buffered", "context", "lock_message", "run", "start"]

MAX_ATTEMPTS = 10
_STEP_FIELDS = ("id", "definition_id", "state", "version", "event_count", "status", "started")
_DECISIONS = RuntimeDecisions()
_IDS = UuidIds()


@dataclass(frozen=True, slots=True, kw_only=True)
class StepResult:
    """What one step did: the instance row as written and the engine's events."""

    instance: ProcessInstance
    events: list[Event]


class _ConflictError(Exception):
    """The instance row changed since it was read (optimistic lock)."""


def context() -> Context:
    return Context(clock=current_clock(), ids=_IDS, decisions=_DECISIONS)


def _execute(graph: Graph, state: InstanceState, command: Command, ctx: Context, instance_id: str) -> list[Event]:
    try:
        return execute(graph, state, command, ctx)
    except CommandRejectedError as exc:
        raise CommandRefusedError(str(exc), instance_id=instance_id, command=type(command).__name__) from exc


def lock_message(name: str, correlation_key: str | None) -> None:
    """Serialize correlations and subscription openings of one (message name, correlation key).

    PostgreSQL: a transaction-scoped advisory lock. SQLite runs one writer at a time anyway.
    """
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"{name}\x00{correlation_key or ''}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def _first_buffered(name: str | None, correlation: str | None, now: datetime) -> BufferedMessage | None:
    """The oldest unexpired buffered message for a subscription (asked for every one a step opens)."""
    if name is None:
        return None  # (no name matches no stored message: the column is NOT NULL)
    read = columns(BufferedMessage)
    where = "name = %s AND expires_at > %s" + (" AND correlation_key = %s" if correlation is not None else "")
    params = [name, connection.ops.adapt_datetimefield_value(now), *([correlation] if correlation is not None else [])]
    sql = f"SELECT {read.sql} FROM {BufferedMessage._meta.db_table} WHERE {where} ORDER BY id LIMIT 1"  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found: list[BufferedMessage] = read.objects(cursor.fetchall())
    return found[0] if found else None


def consume_buffered(
    graph: Graph, state: InstanceState, events: list[Event], ctx: Context, *, instance_id: str, now: datetime
) -> list[Event]:
    """Deliver buffered messages to the message subscriptions this step opened (same transaction)."""
    fresh = events
    while True:
        # Any: the engine exports the Event union, not its classes; the name test narrows it
        opened_events: list[Any] = [e for e in fresh if type(e).__name__ == "SubscriptionOpened"]
        opened = [
            state.subscriptions[e.key] for e in opened_events if e.kind == "message" and e.key in state.subscriptions
        ]
        if not opened:
            return events
        for sub in sorted(opened, key=lambda s: (s.name or "", s.correlation or "")):
            lock_message(sub.name or "", sub.correlation)
        fresh = []
        for sub in opened:
            if sub.key not in state.subscriptions:
                continue  # an earlier delivery in this loop closed it
            buffered = _first_buffered(sub.name, sub.correlation, now)
            if buffered is None:
                continue
            command = CorrelateMessage(
                name=buffered.name, correlation=buffered.correlation_key, variables=decode_value(buffered.variables)
            )
            delivered = _execute(graph, state, command, ctx, instance_id)
            BufferedMessage.objects.filter(pk=buffered.pk).delete()
            fresh.extend(delivered)
        events = events + fresh


def _finished(state: InstanceState) -> bool:
    return state.status.value != InstanceStatus.ACTIVE


def start(
    definition: ProcessDefinition,
    *,
    variables: dict[str, Any] | None = None,
    business_key: str | None = None,
    idempotency_key: str | None = None,
    start_event: str | None = None,
    parent_id: UUID | None = None,
) -> StepResult:
    """Create and run a new instance up to its first wait state, in one transaction.

    Raises ``IntegrityError`` when the business or idempotency key is taken (the services layer
    turns that into the existing instance or a clear error).
    """
    graph = graph_for(definition.pk)
    ctx = context()
    now = ctx.clock.now()
    state = InstanceState()
    command = StartInstance(process=definition.process_id, variables=variables or {}, start_event=start_event)
    events = _execute(graph, state, command, ctx, "")
    instance_id = state.instance_id
    with transaction.atomic(), keys_for_step():
        events = consume_buffered(graph, state, events, ctx, instance_id=instance_id, now=now)
        row = ProcessInstance(
            id=UUID(instance_id),
            definition=definition,
            business_key=business_key,
            idempotency_key=idempotency_key,
            parent_id=parent_id,
            status=state.status.value,
            has_incident=bool(state.incidents),
            state=dumps(graph, state, events),
            version=1,
            event_count=len(events),
            started=now,
            ended=now if _finished(state) else None,
        )
        # a plain INSERT (see projection.insert_rows): Model.save's signals and compiler cost
        # more CPU than the database spends on the row; a taken key still raises IntegrityError
        insert_rows(ProcessInstance, [row])
        row._state.adding, row._state.db = False, connection.alias
        project(row.pk, 0, events, now, source=StepSource(graph=graph, state=state))
    return StepResult(instance=row, events=events)


def run(
    instance_id: UUID | str,
    command: Command,
    *,
    actor: str | None = None,
    job_backoff: timedelta | None = None,
) -> StepResult:
    """Run ``command`` on a stored instance and persist the outcome, retrying on a version conflict."""
    for _attempt in range(MAX_ATTEMPTS):
        try:
            with keys_for_step():
                return _run_once(instance_id, command, actor=actor, job_backoff=job_backoff)
        except _ConflictError:
            continue
    raise ConcurrencyError(
        f"instance {instance_id} kept changing; gave up after {MAX_ATTEMPTS} attempts", instance_id=str(instance_id)
    )


def _run_once(
    instance_id: UUID | str, command: Command, *, actor: str | None, job_backoff: timedelta | None
) -> StepResult:
    row = get_row(ProcessInstance, instance_id, _STEP_FIELDS)
    if row is None:
        raise NotFoundError(f"no process instance {instance_id}", kind="instance", key=str(instance_id))
    if row.status != InstanceStatus.ACTIVE:
        raise CommandRefusedError(
            f"instance {instance_id} is {row.status}", instance_id=str(instance_id), command=type(command).__name__
        )
    graph = graph_for(row.definition_id)
    state = loads(row.state, graph=graph)
    ctx = context()
    now = ctx.clock.now()
    events = _execute(graph, state, command, ctx, str(instance_id))
    with transaction.atomic():
        events = consume_buffered(graph, state, events, ctx, instance_id=str(instance_id), now=now)
        finished = _finished(state)
        changes: dict[str, Any] = {
            "state": dumps(graph, state, events),
            "version": row.version + 1,
            "event_count": row.event_count + len(events),
            "status": state.status.value,
            "has_incident": bool(state.incidents),
        }
        if finished:
            changes["ended"] = now
        written = (row.pk, row.version, changes["state"], changes["event_count"], changes["status"])
        if not update_instances([(*written, changes["has_incident"], changes.get("ended"))]):
            raise _ConflictError
        source = StepSource(graph=graph, state=state, before=row.state)  # row.state: as read, before the step
        project(row.pk, row.event_count, events, now, actor=actor, job_backoff=job_backoff, source=source)
    for name, value in changes.items():
        setattr(row, name, value)
    return StepResult(instance=row, events=events)
