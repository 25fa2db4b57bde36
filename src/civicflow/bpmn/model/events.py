"""Events and their event definitions (BPMN 2.0.2 §10.5)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model.base import BaseElement, ElementKind, FlowNode

__all__ = [
    "BoundaryEvent",
    "CancelEventDefinition",
    "CompensateEventDefinition",
    "ConditionalEventDefinition",
    "EndEvent",
    "ErrorEventDefinition",
    "EscalationEventDefinition",
    "Event",
    "EventDefinition",
    "EventTrigger",
    "IntermediateCatchEvent",
    "IntermediateThrowEvent",
    "LinkEventDefinition",
    "MessageEventDefinition",
    "SignalEventDefinition",
    "StartEvent",
    "TerminateEventDefinition",
    "TimerEventDefinition",
]


class EventTrigger(StrEnum):
    """What an event catches or throws; MULTIPLE when it has several definitions."""

    NONE = "none"
    MESSAGE = "message"
    TIMER = "timer"
    SIGNAL = "signal"
    CONDITIONAL = "conditional"
    ERROR = "error"
    ESCALATION = "escalation"
    TERMINATE = "terminate"
    LINK = "link"
    COMPENSATION = "compensation"
    CANCEL = "cancel"
    MULTIPLE = "multiple"
    PARALLEL_MULTIPLE = "parallelMultiple"


@dataclass(frozen=True, slots=True, kw_only=True)
class EventDefinition(BaseElement):
    """Base of the event definitions."""

    trigger: ClassVar[EventTrigger]


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.MESSAGE
    message_ref: str | None = None
    operation_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerEventDefinition(EventDefinition):
    """Exactly one of date, duration, cycle is expected (ISO 8601 or an expression)."""

    trigger: ClassVar[EventTrigger] = EventTrigger.TIMER
    time_date: Expression | None = None
    time_duration: Expression | None = None
    time_cycle: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.SIGNAL
    signal_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionalEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.CONDITIONAL
    condition: Expression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.ERROR
    error_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.ESCALATION
    escalation_ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TerminateEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.TERMINATE


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkEventDefinition(EventDefinition):
    """Link events pair a throw and a catch by ``name`` within one process level."""

    trigger: ClassVar[EventTrigger] = EventTrigger.LINK
    name: str | None = None
    sources: tuple[str, ...] = ()
    target: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompensateEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.COMPENSATION
    activity_ref: str | None = None
    wait_for_completion: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelEventDefinition(EventDefinition):
    trigger: ClassVar[EventTrigger] = EventTrigger.CANCEL


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(FlowNode):
    """Base of the five event kinds."""

    kind: ClassVar[ElementKind]
    event_definitions: tuple[EventDefinition, ...] = ()
    parallel_multiple: bool = False

    @property
    def trigger(self) -> EventTrigger:
        """The single trigger, NONE without definitions, (PARALLEL_)MULTIPLE with several."""
        if not self.event_definitions:
            return EventTrigger.NONE
        if len(self.event_definitions) > 1:
            return EventTrigger.PARALLEL_MULTIPLE if self.parallel_multiple else EventTrigger.MULTIPLE
        return self.event_definitions[0].trigger


@dataclass(frozen=True, slots=True, kw_only=True)
class StartEvent(Event):
    """``is_interrupting`` matters only for the start event of an event subprocess."""

    kind: ClassVar[ElementKind] = ElementKind.START_EVENT
    is_interrupting: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class EndEvent(Event):
    kind: ClassVar[ElementKind] = ElementKind.END_EVENT


@dataclass(frozen=True, slots=True, kw_only=True)
class IntermediateCatchEvent(Event):
    kind: ClassVar[ElementKind] = ElementKind.INTERMEDIATE_CATCH_EVENT


@dataclass(frozen=True, slots=True, kw_only=True)
class IntermediateThrowEvent(Event):
    kind: ClassVar[ElementKind] = ElementKind.INTERMEDIATE_THROW_EVENT


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundaryEvent(Event):
    """Attached to an activity; ``cancel_activity`` False means non-interrupting."""

    kind: ClassVar[ElementKind] = ElementKind.BOUNDARY_EVENT
    attached_to_ref: str = ""
    cancel_activity: bool = True
