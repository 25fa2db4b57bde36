"""The execution graph: a process model compiled once per deployment, immutable afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from civicflow.bpmn.model.events import EventTrigger
from civicflow.engine.ports import CompiledExpression

__all__ = [
    "CallSpec",
    "Flow",
    "Graph",
    "LoopSpec",
    "MultiInstanceSpec",
    "Node",
    "NodeKind",
    "TimerSpec",
    "Trigger",
]


class NodeKind(StrEnum):
    """The behaviour an element gets; one entry per kind in the behaviour table."""

    PROCESS = "process"
    START = "startEvent"
    END = "endEvent"
    CATCH = "intermediateCatchEvent"
    THROW = "intermediateThrowEvent"
    BOUNDARY = "boundaryEvent"
    TASK = "task"
    MANUAL_TASK = "manualTask"
    USER_TASK = "userTask"
    SERVICE_TASK = "serviceTask"
    SCRIPT_TASK = "scriptTask"
    BUSINESS_RULE_TASK = "businessRuleTask"
    SEND_TASK = "sendTask"
    RECEIVE_TASK = "receiveTask"
    SUB_PROCESS = "subProcess"
    EVENT_SUB_PROCESS = "eventSubProcess"
    TRANSACTION = "transaction"
    AD_HOC_SUB_PROCESS = "adHocSubProcess"
    CALL_ACTIVITY = "callActivity"
    EXCLUSIVE = "exclusiveGateway"
    PARALLEL = "parallelGateway"
    INCLUSIVE = "inclusiveGateway"
    COMPLEX = "complexGateway"
    EVENT_BASED = "eventBasedGateway"


# What an event catches or throws: the BPMN model's own enum (MULTIPLE is any one of the event's
# definitions, its ``parts``; PARALLEL_MULTIPLE all of them).
Trigger = EventTrigger


CONTAINERS = frozenset(
    {
        NodeKind.PROCESS,
        NodeKind.SUB_PROCESS,
        NodeKind.EVENT_SUB_PROCESS,
        NodeKind.TRANSACTION,
        NodeKind.AD_HOC_SUB_PROCESS,
    }
)
ACTIVITIES = frozenset(
    {
        NodeKind.TASK,
        NodeKind.MANUAL_TASK,
        NodeKind.USER_TASK,
        NodeKind.SERVICE_TASK,
        NodeKind.SCRIPT_TASK,
        NodeKind.BUSINESS_RULE_TASK,
        NodeKind.SEND_TASK,
        NodeKind.RECEIVE_TASK,
        NodeKind.SUB_PROCESS,
        NodeKind.TRANSACTION,
        NodeKind.AD_HOC_SUB_PROCESS,
        NodeKind.CALL_ACTIVITY,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """A sequence flow; ``condition`` None means unconditional."""

    id: str
    source: str
    target: str
    condition: CompiledExpression | None = None
    is_default: bool = False
    into_join: bool = False  # the target is a converging gateway that counts arriving tokens


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerSpec:
    """A timer definition: exactly one of date, duration, cycle; static text or an expression."""

    kind: str  # "date" | "duration" | "cycle"
    text: str | None = None
    expression: CompiledExpression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MultiInstanceSpec:
    """Multi-instance characteristics, expressions compiled."""

    sequential: bool
    collection: CompiledExpression | None = None
    cardinality: CompiledExpression | None = None
    input_element: str | None = None
    output_collection: str | None = None
    output_element: CompiledExpression | None = None
    completion: CompiledExpression | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoopSpec:
    """Standard loop characteristics."""

    condition: CompiledExpression | None = None
    test_before: bool = False
    maximum: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallSpec:
    """A call activity's target and variable passing."""

    process_id: str | None = None
    process_expression: CompiledExpression | None = None
    propagate_parent: bool = True
    propagate_child: bool = True
    inputs: tuple[tuple[str, CompiledExpression], ...] = ()  # camunda:in (target, source)
    outputs: tuple[tuple[str, CompiledExpression], ...] = ()  # camunda:out (target, source)
    all_in: bool = False
    all_out: bool = False


Mapping_ = tuple[tuple[str, CompiledExpression], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """One flow node, with everything its behaviour needs precomputed."""

    id: str
    kind: NodeKind
    process: str
    container: str | None  # id of the enclosing container node; None for a process
    name: str | None = None
    outgoing: tuple[Flow, ...] = ()
    incoming: tuple[str, ...] = ()
    default_flow: str | None = None
    # events
    trigger: Trigger = Trigger.NONE
    message: str | None = None
    correlation_key: CompiledExpression | None = None
    timer: TimerSpec | None = None
    signal: str | None = None
    code: str | None = None  # error or escalation code; None catches all
    condition: CompiledExpression | None = None  # conditional event, complex activation, ad-hoc completion
    link: str | None = None
    interrupting: bool = True
    attached_to: str | None = None
    boundaries: tuple[str, ...] = ()
    compensate_activity: str | None = None
    wait_for_completion: bool = True
    parts: tuple[str, ...] = ()  # a multiple event: one node per definition, id "EVENT#i"
    part_of: str | None = None  # the multiple event a part belongs to
    parallel: bool = False  # event-based gateway with eventGatewayType="Parallel"
    instantiate: bool = False  # event-based gateway that starts the process
    # activities
    job_type: str | None = None
    retries: int = 3
    script: CompiledExpression | None = None
    result_variable: str | None = None
    inputs: Mapping_ = ()
    outputs: Mapping_ = ()
    assignee: str | None = None
    candidate_groups: tuple[str, ...] = ()
    form_key: str | None = None
    decision: str | None = None
    call: CallSpec | None = None
    multi_instance: MultiInstanceSpec | None = None
    loop: LoopSpec | None = None
    for_compensation: bool = False
    compensation_handler: str | None = None
    sequential: bool = False  # ad-hoc ordering
    cancel_remaining: bool = True
    # containers
    starts: tuple[str, ...] = ()  # none start events
    event_starts: tuple[str, ...] = ()  # start events of event subprocesses directly inside
    children: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # link name -> catch event id
    upstream: frozenset[str] = frozenset()  # inclusive/complex join: nodes that can still reach it
    properties: tuple[tuple[str, str], ...] = ()
    problem: str | None = None  # why this node cannot run (raises an incident when reached)
    simple: bool = False  # no mappings, boundaries, loops, handler or problem: the fast path applies
    passes: bool = False  # completes as soon as it is activated: one ElementPassed (civicflow.engine.passing)


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    """All processes of one deployment, by id; node ids are unique across the deployment."""

    nodes: dict[str, Node]
    processes: tuple[str, ...]
    executable: tuple[str, ...]
    message_starts: dict[str, tuple[str, str]] = field(default_factory=dict)  # message -> (process, start)
    messages: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    ad_hoc: frozenset[str] = frozenset()  # ad-hoc subprocesses re-check completion after every child

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def process_id(self, process_id: str | None = None) -> str:
        """The process to start: the given one or the only executable one."""
        if process_id is not None:
            if process_id not in self.processes:
                from civicflow.engine.errors import ModelNotExecutableError

                raise ModelNotExecutableError(f"no process {process_id!r} in the model")
            return process_id
        candidates = self.executable or self.processes
        if len(candidates) != 1:
            from civicflow.engine.errors import ModelNotExecutableError

            raise ModelNotExecutableError(f"the model has {len(candidates)} processes: pass a process id")
        return candidates[0]
