"""The simulation model: a BPMN process reduced to what a discrete-event simulation walks.

Built from the engine's compiled graph (the same reading of BPMN the engine executes) and the
model's lanes, which CivicFlow reads as departments: a user or manual task in a lane is work for
that department's resource pool, unless it is assigned to one person (such as the applicant).
Event subprocesses are not simulated (nothing starts them), and a call activity is one step with
a fitted duration.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

import civicflow.bpmn
from civicflow.bpmn.errors import BpmnError
from civicflow.bpmn.model import element_lanes
from civicflow.bpmn.timers import parse_duration
from civicflow.engine import FeelEvaluator, NodeKind, Trigger, compile_graph
from civicflow.engine.graph import Node
from civicflow.simulation._errors import SimulationError

__all__ = ["SimFlow", "SimKind", "SimModel", "SimNode", "load_model"]


class SimKind(StrEnum):
    EVENT = "event"  # start, throw and end events: instant
    WAIT = "wait"  # intermediate catch events: a delay
    TASK = "task"  # activities: a delay, taken by a pool when ``pool`` is set
    SUBPROCESS = "subprocess"
    BOUNDARY = "boundary"
    EXCLUSIVE = "exclusive"
    PARALLEL = "parallel"
    INCLUSIVE = "inclusive"
    EVENT_BASED = "event-based"


_KINDS = {
    NodeKind.START: SimKind.EVENT,
    NodeKind.END: SimKind.EVENT,
    NodeKind.THROW: SimKind.EVENT,
    NodeKind.CATCH: SimKind.WAIT,
    NodeKind.BOUNDARY: SimKind.BOUNDARY,
    NodeKind.SUB_PROCESS: SimKind.SUBPROCESS,
    NodeKind.TRANSACTION: SimKind.SUBPROCESS,
    NodeKind.AD_HOC_SUB_PROCESS: SimKind.SUBPROCESS,
    NodeKind.EXCLUSIVE: SimKind.EXCLUSIVE,
    NodeKind.PARALLEL: SimKind.PARALLEL,
    NodeKind.INCLUSIVE: SimKind.INCLUSIVE,
    NodeKind.COMPLEX: SimKind.INCLUSIVE,  # without its activation condition: waits like an inclusive join
    NodeKind.EVENT_BASED: SimKind.EVENT_BASED,
}
# Human work: the kinds a department's staff do, and so queue for a pool.
_HUMAN = frozenset({NodeKind.USER_TASK, NodeKind.MANUAL_TASK, NodeKind.TASK})


@dataclass(frozen=True, slots=True, kw_only=True)
class SimFlow:
    id: str
    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SimNode:
    id: str
    name: str
    kind: SimKind
    lane: str | None = None
    pool: str | None = None
    outgoing: tuple[SimFlow, ...] = ()
    default_flow: str | None = None
    incoming: int = 0
    boundaries: tuple[str, ...] = ()
    attached_to: str | None = None
    interrupting: bool = True
    timer_seconds: float | None = None  # a fixed timer duration (catch or boundary event)
    container: str | None = None  # enclosing subprocess; None at process level
    starts: tuple[str, ...] = ()  # a subprocess's start events
    upstream: frozenset[str] = frozenset()  # inclusive join: nodes that can still reach it
    terminate: bool = False
    removed: bool = False  # a scenario took the step out: tokens pass straight through, no events


@dataclass(frozen=True, slots=True, kw_only=True)
class SimModel:
    process_id: str
    start: str
    nodes: dict[str, SimNode] = field(default_factory=dict)

    def node(self, node_id: str) -> SimNode:
        return self.nodes[node_id]

    @property
    def pools(self) -> tuple[str, ...]:
        return tuple(sorted({n.pool for n in self.nodes.values() if n.pool}))

    def replace_nodes(self, nodes: dict[str, SimNode]) -> SimModel:
        return replace(self, nodes=nodes)


def _timer_seconds(node: Node) -> float | None:
    timer = node.timer
    if timer is None or timer.kind != "duration" or not timer.text or timer.expression is not None:
        return None
    try:
        duration = parse_duration(timer.text)
    except BpmnError:
        return None
    if duration.years or duration.months:
        return None  # months have no fixed length: the fitted delay stands in
    return duration.exact.total_seconds()


def _sim_node(node: Node, lane: str | None) -> SimNode:
    kind = _KINDS.get(node.kind, SimKind.TASK)
    # A task given to one person by expression (the applicant's survey) is nobody's department work.
    personal = node.assignee is not None and not node.candidate_groups
    pool = lane if node.kind in _HUMAN and lane and not personal else None
    return SimNode(
        id=node.id,
        name=node.name or node.id,
        kind=kind,
        lane=lane,
        pool=pool,
        outgoing=tuple(SimFlow(id=f.id, target=f.target) for f in node.outgoing),
        default_flow=node.default_flow,
        incoming=len(node.incoming),
        boundaries=node.boundaries,
        attached_to=node.attached_to,
        interrupting=node.interrupting,
        timer_seconds=_timer_seconds(node) if node.trigger == Trigger.TIMER else None,
        container=node.container,
        starts=node.starts,
        upstream=node.upstream,
        terminate=node.kind == NodeKind.END and node.trigger == Trigger.TERMINATE,
    )


def load_model(source: bytes, *, process_id: str | None = None) -> SimModel:
    """Read a BPMN file's executable process as a simulation model."""
    try:
        definitions = civicflow.bpmn.load(source)
        graph = compile_graph(definitions, FeelEvaluator())
        chosen = graph.process_id(process_id)
    except BpmnError as error:
        raise SimulationError(f"cannot read the model: {error}") from None
    lanes = {ref: lane.name or lane.id for ref, lane in element_lanes(definitions).items()}
    process = graph.node(chosen)
    nodes: dict[str, SimNode] = {}
    skip: set[str] = set()
    for node in graph.nodes.values():
        if node.process != chosen or node.kind == NodeKind.PROCESS or node.part_of is not None:
            continue
        if node.kind == NodeKind.EVENT_SUB_PROCESS or (node.container and node.container in skip):
            skip.add(node.id)
            continue
        nodes[node.id] = _sim_node(node, lanes.get(node.id))
    if not process.starts:
        raise SimulationError(f"process {chosen!r} has no none start event to simulate from")
    container = {n.id: n.container for n in nodes.values()}
    # the process itself is the container of top-level nodes: simulate them with container None
    nodes = {k: replace(n, container=None if container[k] == chosen else n.container) for k, n in nodes.items()}
    return SimModel(process_id=chosen, start=process.starts[0], nodes=nodes)
