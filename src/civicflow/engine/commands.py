"""Commands: what someone asks the engine to do, in the imperative."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

__all__ = [
    "BroadcastSignal",
    "CancelInstance",
    "Command",
    "CompleteJob",
    "CompleteTask",
    "CorrelateMessage",
    "FailJob",
    "FireTimer",
    "ModifyInstance",
    "ResolveIncident",
    "SetVariables",
    "StartInstance",
    "ThrowBpmnError",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StartInstance:
    """Start the process at its none start event, or at ``start_event`` (message/timer/signal start)."""

    process: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    start_event: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteTask:
    task: int
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteJob:
    job: int
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class FailJob:
    job: int
    retries: int
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrowBpmnError:
    """A worker reports a business error for its job; boundary or event-subprocess handlers catch it."""

    job: int
    code: str
    message: str = ""
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrelateMessage:
    """Deliver a message; with a ``ttl`` it waits that long for a subscription when none is open."""

    name: str
    correlation: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    ttl: timedelta | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FireTimer:
    timer: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastSignal:
    name: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVariables:
    """Set variables on the root scope (or ``scope``), then re-check conditional events."""

    variables: dict[str, Any]
    scope: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveIncident:
    """Retry what raised the incident (a job gets ``retries`` again; an element re-runs)."""

    incident: int
    retries: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelInstance:
    reason: str = "canceled"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModifyInstance:
    """Move tokens: terminate the element instances of ``terminate`` and activate ``activate``."""

    activate: tuple[str, ...] = ()
    terminate: tuple[str, ...] = ()
    variables: dict[str, Any] = field(default_factory=dict)


Command = (
    StartInstance
    | CompleteTask
    | CompleteJob
    | FailJob
    | ThrowBpmnError
    | CorrelateMessage
    | FireTimer
    | BroadcastSignal
    | SetVariables
    | ResolveIncident
    | CancelInstance
    | ModifyInstance
)
