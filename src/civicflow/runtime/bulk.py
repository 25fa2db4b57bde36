"""Starting many instances of one process in one transaction (imports, load generators, batches).

Each instance is exactly what :func:`civicflow.runtime.step.start` makes (its state, history,
jobs, tasks and outbox rows); only the commit is shared, which is what makes thousands of starts
per second possible on a disk that syncs every commit. All or none of them start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from civicflow.engine import InstanceState, StartInstance, execute
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.enrich import StepSource
from civicflow.runtime.models import InstanceStatus, ProcessDefinition, ProcessInstance
from civicflow.runtime.personal import dumps, with_keys
from civicflow.runtime.projection import collect, write
from civicflow.runtime.rows import insert_rows
from civicflow.runtime.step import consume_buffered, context

__all__ = ["start_many"]


@with_keys
def start_many(definition: ProcessDefinition, variables: Sequence[Mapping[str, Any]]) -> list[UUID]:
    """Start one instance per entry of ``variables``, all in one transaction; their ids in order."""
    graph = graph_for(definition.pk)
    ctx = context()
    now = ctx.clock.now()
    started = []
    for values in variables:
        state = InstanceState()
        events = execute(graph, state, StartInstance(process=definition.process_id, variables=dict(values)), ctx)
        started.append((state, events))
    rows, projections = [], []
    with transaction.atomic():
        for state, events in started:
            if any(type(e).__name__ == "SubscriptionOpened" for e in events):
                events = consume_buffered(graph, state, events, ctx, instance_id=state.instance_id, now=now)
            done = state.status.value != InstanceStatus.ACTIVE
            row = ProcessInstance(
                id=UUID(state.instance_id),
                definition=definition,
                status=state.status.value,
                has_incident=bool(state.incidents),
                state=dumps(graph, state, events),
                version=1,
                event_count=len(events),
                started=now,
                ended=now if done else None,
            )
            rows.append(row)
            projections.append(collect(row.pk, 0, events, now, source=StepSource(graph=graph, state=state)))
        insert_rows(ProcessInstance, rows)  # plain INSERTs (see civicflow.runtime.rows)
        for row in rows:
            row._state.adding, row._state.db = False, connection.alias
        write(projections, now)
    return [row.pk for row in rows]
