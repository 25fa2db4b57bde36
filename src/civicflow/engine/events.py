"""Events: what happened, in the past tense. They are the history and the only way state changes.

Every event is a frozen, slotted, keyword-only dataclass. ``key`` fields are element-instance,
job, task, timer or subscription keys allocated from the instance's own counter, so replaying
the events reproduces them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "CompensationRegistered",
    "CompensationStarted",
    "ConditionChanged",
    "DecisionEvaluated",
    "ElementActivated",
    "ElementCompleted",
    "ElementPassed",
    "ElementTerminated",
    "ErrorThrown",
    "EscalationThrown",
    "Event",
    "IncidentRaised",
    "IncidentResolved",
    "InstanceCompleted",
    "InstanceStarted",
    "InstanceTerminated",
    "JobCanceled",
    "JobCompleted",
    "JobCreated",
    "JobFailed",
    "JoinTokensConsumed",
    "LoopAdvanced",
    "LoopStarted",
    "MessageBuffered",
    "MessageCorrelated",
    "MessageExpired",
    "MessageSent",
    "SequenceFlowTaken",
    "SignalBroadcast",
    "SubscriptionClosed",
    "SubscriptionOpened",
    "TaskCanceled",
    "TaskCompleted",
    "TaskCreated",
    "TimerCanceled",
    "TimerFired",
    "TimerScheduled",
    "VariablesSet",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceStarted:
    instance_id: str
    process: str
    key: int  # the process element instance
    at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceCompleted:
    instance_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceTerminated:
    instance_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementActivated:
    key: int
    element: str
    scope: int  # parent element instance; 0 for the root process
    flow: str | None = None  # the sequence flow that led here
    role: str = ""  # "" | "body" (multi-instance or loop body) | "inner" (one of its iterations)
    joined: tuple[str, ...] = ()  # flows whose waiting tokens a converging gateway consumed
    origin: int = 0  # the compensation throw a compensation handler runs for


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementCompleted:
    key: int
    element: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementPassed:
    """An element activated and completed in the same step: ``ElementActivated`` and
    ``ElementCompleted`` in one event, for elements that never wait (``Node.passes``: a task
    without work, a FEEL script task, a gateway, a none end event).

    A script's ``VariablesSet`` follows it. The element instance never appears in the state.
    """

    key: int
    element: str
    scope: int
    flow: str | None = None  # the sequence flow that led here
    joined: tuple[str, ...] = ()  # a parallel join: the flows whose waiting tokens it consumed


@dataclass(frozen=True, slots=True, kw_only=True)
class ElementTerminated:
    key: int
    element: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SequenceFlowTaken:
    flow: str
    scope: int
    target: str
    into_join: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class JoinTokensConsumed:
    """A complex gateway waiting for reset (instance ``key``) consumed tokens on awaited ``flows``."""

    key: int
    element: str
    scope: int
    flows: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VariablesSet:
    scope: int
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionEvaluated:
    """A business rule task evaluated a DMN decision; its ``VariablesSet`` (the result) follows.

    ``explanation`` is :func:`civicflow.dmn.explanation_references` of the evaluation: per
    decision its id, per decision table its id, hit policy, input labels and matched rule ids.
    It holds no input or output values, so the audit trail can keep it whole (GDPR Art. 22
    review). ``version`` is the deployed decision's version when the decision port knows one.
    """

    key: int  # the business rule task's element instance
    element: str
    decision: str
    version: int | None = None
    explanation: list[Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopStarted:
    """A multi-instance or loop body fixes its iterations (``total`` -1: a standard loop)."""

    key: int
    total: int
    items: list[Any] | None = None  # kept for sequential iterations only
    collect: bool = False  # an output collection is gathered


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionChanged:
    """A conditional subscription's condition changed value."""

    key: int
    satisfied: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopAdvanced:
    """A multi-instance or loop body records an iteration's outcome."""

    key: int  # the body
    started: int = 0  # iterations started so far
    completed: int = 0
    output: tuple[int, Any] | None = None  # (index, value) for the output collection


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCreated:
    key: int
    owner: int
    element: str
    name: str | None = None
    assignee: str | None = None
    candidate_groups: tuple[str, ...] = ()
    form_key: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCompleted:
    key: int
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskCanceled:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class JobCreated:
    key: int
    owner: int
    element: str
    type: str
    retries: int


@dataclass(frozen=True, slots=True, kw_only=True)
class JobCompleted:
    key: int
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class JobFailed:
    key: int
    retries: int
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class JobCanceled:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentRaised:
    key: int
    owner: int
    element: str
    kind: str
    message: str
    job: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentResolved:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerScheduled:
    key: int
    owner: int  # element instance whose wait it is (catch event, activity, scope, gateway)
    element: str  # the timer event
    due: datetime
    repetitions: int | None = None  # remaining after this one; None = unbounded cycle
    interval: str | None = None  # ISO 8601 duration of a cycle


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerCanceled:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionOpened:
    key: int
    owner: int
    element: str
    kind: str  # "message" | "signal" | "conditional"
    name: str | None = None
    correlation: str | None = None
    satisfied: bool = False  # conditional: the condition's value when opened


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionClosed:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageCorrelated:
    subscription: int
    name: str
    correlation: str | None
    variables: dict[str, Any]
    buffered: int | None = None  # the buffered message consumed, if any


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageBuffered:
    key: int
    name: str
    correlation: str | None
    variables: dict[str, Any]
    expires: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageExpired:
    key: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSent:
    owner: int
    name: str
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalBroadcast:
    name: str
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorThrown:
    owner: int
    code: str | None
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationThrown:
    owner: int
    code: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompensationRegistered:
    """A completed activity with a compensation handler, kept until its scope's compensation.

    A completed subprocess is registered too when it has a compensation event subprocess or
    records of its own inside: ``inner`` is its (ended) instance, whose records it holds, and
    ``variables`` the snapshot its compensation event subprocess sees (BPMN 2.0.2 §10.6).
    ``handler`` is the boundary handler, the event subprocess, or "" (compensate the inner records).
    """

    key: int
    element: str
    scope: int
    handler: str
    inner: int = 0
    variables: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompensationStarted:
    """A registered compensation handler starts on behalf of a compensation throw.

    ``scope`` is the re-opened subprocess instance that takes over the record's inner records
    (0: they are dropped, a boundary handler compensates the subprocess as a black box).
    """

    record: int
    thrower: int
    scope: int = 0


Event = (
    InstanceStarted
    | InstanceCompleted
    | InstanceTerminated
    | ElementActivated
    | ElementCompleted
    | ElementPassed
    | ElementTerminated
    | SequenceFlowTaken
    | JoinTokensConsumed
    | VariablesSet
    | DecisionEvaluated
    | LoopAdvanced
    | LoopStarted
    | ConditionChanged
    | TaskCreated
    | TaskCompleted
    | TaskCanceled
    | JobCreated
    | JobCompleted
    | JobFailed
    | JobCanceled
    | IncidentRaised
    | IncidentResolved
    | TimerScheduled
    | TimerFired
    | TimerCanceled
    | SubscriptionOpened
    | SubscriptionClosed
    | MessageCorrelated
    | MessageBuffered
    | MessageExpired
    | MessageSent
    | SignalBroadcast
    | ErrorThrown
    | EscalationThrown
    | CompensationRegistered
    | CompensationStarted
)
