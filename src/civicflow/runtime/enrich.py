"""Rows of a step that need the model or the instance state, not just the events.

The engine's events say *that* a user task was created or a message thrown; the runtime needs
more for its read models and deliveries (a task's due date and candidate users, a thrown
message's correlation key, the element's called process). Those come from the compiled graph
and the state, which the step passes as a :class:`StepSource` to ``projection.collect``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from civicflow.engine import Event, Graph, InstanceState
from civicflow.runtime.personal import loads
from civicflow.runtime.throws import thrown
from civicflow.runtime.usertasks import evaluate, spec_for
from civicflow.runtime.values import visible_variables

if TYPE_CHECKING:
    from civicflow.runtime.projection import Projection

__all__ = ["StepSource", "enrich"]

_THROWN = frozenset({"MessageSent", "SignalBroadcast"})


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSource:
    """What a step ran on: the graph, the state after it, and the stored state before it.

    ``before`` is the ``dumps_state`` text the step started from; None for a new instance.
    """

    graph: Graph
    state: InstanceState
    before: str | None = None


def enrich(p: Projection, source: StepSource, events: list[Event], now: datetime) -> None:
    """Fill the read-model fields of the step's new tasks and add its delivery jobs to ``p``."""
    graph = source.graph
    for key, (task, groups) in p.tasks.items():
        node = graph.nodes.get(task.element_id)
        if node is not None:
            task.process_id = node.process
        spec = spec_for(graph, task.element_id)
        if spec is None:
            continue
        fields = evaluate(spec, visible_variables(source.state, task.element_instance), now)
        task.assignee = fields.assignee or task.assignee
        task.due, task.follow_up = fields.due, fields.follow_up
        if fields.priority is not None:
            task.priority = fields.priority
        task.form_key = task.form_key or fields.form_key
        if spec.candidate_groups is not None:
            groups = fields.candidate_groups  # evaluated: replaces the engine's text as written
        p.tasks[key] = (task, groups)
        if fields.candidate_users:
            p.task_users[key] = fields.candidate_users
    if any(type(e).__name__ in _THROWN for e in events):
        before = loads(source.before) if source.before else InstanceState()
        p.deliveries.extend(thrown(graph, before, events, _uuid(p.instance_id), now))


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
