"""Event definitions: message, timer, signal, conditional, error, escalation, link, compensation;
multiple events as one part node per definition."""

from __future__ import annotations

from typing import Any

from civicflow.bpmn import model as m
from civicflow.engine.compiler._context import CompileContext
from civicflow.engine.graph import Node, TimerSpec, Trigger
from civicflow.engine.ports import CompiledExpression

__all__ = ["event_fields", "message_name"]


def event_fields(ctx: CompileContext, n: m.Event, fields: dict[str, Any]) -> None:
    """Fill a node's event fields (trigger and what it needs)."""
    if isinstance(n, m.BoundaryEvent):
        fields["attached_to"] = n.attached_to_ref
        fields["interrupting"] = n.cancel_activity
    if isinstance(n, m.StartEvent):
        fields["interrupting"] = n.is_interrupting
    if len(n.event_definitions) > 1:
        _multiple(ctx, n, fields)
        return
    if n.event_definitions:
        _definition(ctx, n, n.event_definitions[0], fields)


def message_name(ctx: CompileContext, ref: str | None) -> tuple[str | None, CompiledExpression | None]:
    """The name of a referenced message and its compiled correlation key."""
    if ref is None:
        return None, None
    msg = ctx.messages.get(ref)
    if msg is None:
        return ref, None
    key = None
    if msg.ext.correlation_key is not None:
        key = ctx.expr(ref, msg.ext.correlation_key)
    return msg.name or msg.id, key


def _multiple(ctx: CompileContext, n: m.Event, fields: dict[str, Any]) -> None:
    """A multiple event: one part node per definition, waited on (or thrown) by the event."""
    fields["trigger"] = Trigger.PARALLEL_MULTIPLE if n.parallel_multiple else Trigger.MULTIPLE
    parts: list[str] = []
    for index, ed in enumerate(n.event_definitions):
        part: dict[str, Any] = {
            key: fields[key]
            for key in ("kind", "process", "container", "name", "attached_to", "interrupting")
            if key in fields
        }
        part_id = f"{n.id}#{index}"
        part.update(id=part_id, part_of=n.id)
        _definition(ctx, n, ed, part)
        ctx.nodes[part_id] = Node(**part)
        parts.append(part_id)
    fields["parts"] = tuple(parts)


def _definition(ctx: CompileContext, n: m.Event, ed: m.EventDefinition, fields: dict[str, Any]) -> None:
    fields["trigger"] = ed.trigger
    if isinstance(ed, m.MessageEventDefinition):
        name, key = message_name(ctx, ed.message_ref)
        fields["message"] = name or n.id
        fields["correlation_key"] = key
        if n.ext.task_definition is not None:
            fields["job_type"] = n.ext.task_definition.job_type
    elif isinstance(ed, m.TimerEventDefinition):
        fields["timer"] = _timer(ctx, n.id, ed)
    elif isinstance(ed, m.SignalEventDefinition):
        fields["signal"] = ctx.signals.get(ed.signal_ref or "", ed.signal_ref) or n.id
    elif isinstance(ed, m.ConditionalEventDefinition):
        fields["condition"] = ctx.expr(n.id, ed.condition)
    elif isinstance(ed, m.ErrorEventDefinition):
        fields["code"] = ctx.errors.get(ed.error_ref or "", ed.error_ref)
    elif isinstance(ed, m.EscalationEventDefinition):
        fields["code"] = ctx.escalations.get(ed.escalation_ref or "", ed.escalation_ref)
    elif isinstance(ed, m.LinkEventDefinition):
        fields["link"] = ed.name or n.name or n.id
    elif isinstance(ed, m.CompensateEventDefinition):
        fields["compensate_activity"] = ed.activity_ref
        fields["wait_for_completion"] = ed.wait_for_completion is not False


def _timer(ctx: CompileContext, owner: str, ed: m.TimerEventDefinition) -> TimerSpec | None:
    for kind, expression in (("date", ed.time_date), ("duration", ed.time_duration), ("cycle", ed.time_cycle)):
        if expression is None:
            continue
        if expression.is_static and not expression.is_juel:
            return TimerSpec(kind=kind, text=expression.raw.strip())
        return TimerSpec(kind=kind, expression=ctx.expr(owner, expression))
    ctx.problems.setdefault(owner, "timer without a date, duration or cycle")
    return None
