"""The user task read model's scheduling and assignment fields, computed from the BPMN model.

The engine's ``TaskCreated`` carries the assignee and candidate groups as written (an
expression is not evaluated) and no due date, follow-up date, priority or candidate users. Work
queues need them, so the runtime reads them from the element's extensions and evaluates them
with the variables the task sees when it is created:

- Camunda 7: ``camunda:assignee``, ``candidateGroups``, ``candidateUsers``, ``dueDate``,
  ``followUpDate``, ``priority``, ``formKey``;
- Zeebe: ``zeebe:assignmentDefinition``, ``zeebe:taskSchedule``, ``zeebe:priorityDefinition``,
  ``zeebe:formDefinition``.

A value with a leading ``=`` is FEEL; JUEL (``${...}``) cannot run here and leaves the field
empty; other text is literal. Dates are ISO 8601 date-times (a date alone is midnight), or ISO
8601 durations counted from the task's creation. Lists are FEEL lists or comma-separated text.
A value that cannot be computed leaves its field at the default rather than failing the step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import civicflow.bpmn
from civicflow.bpmn import Expression
from civicflow.bpmn.errors import TimerFormatError
from civicflow.bpmn.model import UserTask, iter_flow_elements
from civicflow.bpmn.timers import parse_date_time, parse_duration
from civicflow.engine import CompiledExpression, ExpressionError, FeelEvaluator, Graph
from civicflow.runtime.clock import CurrentClock

__all__ = ["TaskFields", "TaskSpec", "attach_specs", "evaluate", "spec_for"]

_EXTRAS_KEY = "civicflow.runtime.user_tasks"
_FEEL = FeelEvaluator(clock=CurrentClock())

Value = str | CompiledExpression
"""A literal text or a compiled FEEL expression."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskSpec:
    """The read-model fields of one user task element, as the model states them."""

    assignee: Value | None = None
    candidate_groups: Value | None = None
    candidate_users: Value | None = None
    due: Value | None = None
    follow_up: Value | None = None
    priority: Value | None = None
    form_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskFields:
    """The evaluated fields of one created task."""

    assignee: str | None = None
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    due: datetime | None = None
    follow_up: datetime | None = None
    priority: int | None = None
    form_key: str | None = None


def _value(expression: Expression | None) -> Value | None:
    if expression is None or expression.is_juel or not expression.raw.strip():
        return None
    if expression.is_static:
        return expression.raw.strip()
    text = expression.feel
    if text is None:
        return None
    try:
        return _FEEL.compile(text)
    except ExpressionError:
        return None  # the validator reported it at deployment


def _spec(task: UserTask) -> TaskSpec:
    ext = task.ext
    a, s = ext.assignment, ext.schedule
    form = ext.form
    return TaskSpec(
        assignee=_value(a.assignee) if a else None,
        candidate_groups=_value(a.candidate_groups) if a else None,
        candidate_users=_value(a.candidate_users) if a else None,
        due=_value(s.due_date) if s else None,
        follow_up=_value(s.follow_up_date) if s else None,
        priority=_value(ext.priority),
        form_key=(form.form_key or form.form_id or form.external_reference) if form else None,
    )


def attach_specs(graph: Graph, models: Iterable[civicflow.bpmn.Definitions]) -> Graph:
    """Keep the user task specs of ``models`` with their compiled ``graph`` (in its extras)."""
    specs: dict[str, TaskSpec] = {}
    for model in models:
        for process in model.processes:
            for element in iter_flow_elements(process):
                if isinstance(element, UserTask):
                    specs[element.id] = _spec(element)
    graph.extras[_EXTRAS_KEY] = specs
    return graph


def spec_for(graph: Graph, element_id: str) -> TaskSpec | None:
    specs: dict[str, TaskSpec] = graph.extras.get(_EXTRAS_KEY, {})
    return specs.get(element_id)


def _compute(value: Value | None, variables: dict[str, Any]) -> Any:
    if value is None or isinstance(value, str):
        return value
    try:
        return value(variables)
    except ExpressionError:
        return None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(dict.fromkeys(str(item).strip() for item in items if item is not None and str(item).strip()))


def _instant(value: Any, created: datetime) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            if text.lstrip("-").upper().startswith("P"):
                return parse_duration(text).add_to(created)
            moment = parse_date_time(text)
        except TimerFormatError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=created.tzinfo)


def _priority(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        return None


def evaluate(spec: TaskSpec, variables: dict[str, Any], created: datetime) -> TaskFields:
    """The task's fields with ``variables`` (what the task sees) at ``created``."""
    assignee = _compute(spec.assignee, variables)
    return TaskFields(
        assignee=str(assignee).strip() or None if assignee is not None else None,
        candidate_groups=_names(_compute(spec.candidate_groups, variables)),
        candidate_users=_names(_compute(spec.candidate_users, variables)),
        due=_instant(_compute(spec.due, variables), created),
        follow_up=_instant(_compute(spec.follow_up, variables), created),
        priority=_priority(_compute(spec.priority, variables)),
        form_key=spec.form_key,
    )
