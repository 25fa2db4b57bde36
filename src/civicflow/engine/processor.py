"""The processor: turns one command into events, applying each as it is written.

Work inside one command runs from a FIFO ready queue (``COMPLETE`` and ``CHECK`` items);
activation of a flow's target happens when the flow is taken, so nothing recurses deeper than
one element and a loop of any length runs in linear time. A command that runs more than
``Context.step_budget`` steps without reaching a wait raises an incident instead of hanging.
"""

from __future__ import annotations

from collections import ChainMap, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civicflow.engine import events as ev
from civicflow.engine.apply import APPLIERS
from civicflow.engine.behaviours import BEHAVIOURS, Behaviour
from civicflow.engine.behaviours.compensation import SUB_PROCESSES, handler_done, register_sub_process
from civicflow.engine.behaviours.gateways import fire_ready_joins
from civicflow.engine.behaviours.loops import activate_body, body_output, inner_done, inner_output
from civicflow.engine.behaviours.scopes import adhoc_check, called_process_done
from civicflow.engine.behaviours.waits import check_conditions, open_wait
from civicflow.engine.errors import ExpressionError
from civicflow.engine.fast_events import element_activated, element_completed, flow_taken, variables_set
from civicflow.engine.graph import CONTAINERS, Graph, Node, NodeKind, Trigger
from civicflow.engine.passing import pass_start, take_flows
from civicflow.engine.ports import Clock, DecisionEvaluator, IdGenerator, NoDecisions, SequentialIds
from civicflow.engine.state import ElementInstance, InstanceState

__all__ = ["COMPLETE", "EMPTY", "Context", "Payload", "Processor"]

COMPLETE = 1
CHECK = 2
EMPTY: Mapping[str, Any] = {}

# A trigger's payload: (start event of an event subprocess or None, variables or None).
Payload = tuple[str | None, dict[str, Any] | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a command runs with: time, ids, decisions, and the step budget."""

    clock: Clock
    ids: IdGenerator = field(default_factory=SequentialIds)
    decisions: DecisionEvaluator = field(default_factory=NoDecisions)
    step_budget: int = 1_000_000


class Processor:
    """Writes and applies the events of one command."""

    __slots__ = (
        "behaviours",
        "chosen",
        "ctx",
        "elements",
        "events",
        "graph",
        "leaving",
        "nodes",
        "queue",
        "starting",
        "state",
        "steps",
    )

    def __init__(self, graph: Graph, state: InstanceState, ctx: Context) -> None:
        self.graph = graph
        self.nodes = graph.nodes
        self.state = state
        self.elements = state.elements
        self.ctx = ctx
        self.events: list[ev.Event] = []
        self.queue: deque[tuple[int, int]] = deque()
        self.steps = 0
        self.chosen: dict[int, Any] = {}  # flows a gateway chose on activation, taken on completion
        self.behaviours: dict[NodeKind, Behaviour] = BEHAVIOURS
        self.starting = False  # StartInstance activates the process: its start event may pass
        # complete() runs a behaviour's leave as the last thing of a queue step: the flows it
        # takes may pass their targets (civicflow.engine.passing); take() consumes the flag
        self.leaving = False

    # writing -----------------------------------------------------------------------------------
    def emit(self, event: ev.Event) -> None:
        self.events.append(event)
        APPLIERS[type(event)](self.state, event)

    def new_key(self) -> int:
        """The key the next keyed event will carry (applying it moves the counter on)."""
        return self.state.next_key

    # variables ---------------------------------------------------------------------------------
    def visible(self, key: int) -> Mapping[str, Any]:
        """Variables visible from an element instance: its own, then enclosing scopes up to its process."""
        elements = self.elements
        inst = elements[key]
        found: list[dict[str, Any]] = []
        while True:
            if inst.variables:
                found.append(inst.variables)
            if inst.role == "process":
                break
            inst = elements[inst.scope]
        if not found:
            return EMPTY
        if len(found) == 1:
            return found[0]
        return ChainMap(*found)

    def set_variables(self, key: int, variables: Mapping[str, Any], *, local: bool = False) -> None:
        """Set variables where they are defined (nearest scope), else on the process scope."""
        if not variables:
            return
        elements = self.elements
        start = elements[key]
        if local or start.role == "process":
            self.emit(variables_set(key, dict(variables)))
            return
        if len(variables) == 1:
            # One name (a script's or decision's result variable): no grouping by scope needed.
            for name, value in variables.items():
                inst = start
                while inst.role != "process" and not (inst.variables and name in inst.variables):
                    inst = elements[inst.scope]
                event = variables_set(inst.key, {name: value})
                self.events.append(event)
                _variables_set(self.state, event)
            return
        groups: dict[int, dict[str, Any]] = {}
        for name, value in variables.items():
            inst = start
            while inst.role != "process" and not (inst.variables and name in inst.variables):
                inst = elements[inst.scope]
            groups.setdefault(inst.key, {})[name] = value
        for scope, values in groups.items():
            self.emit(ev.VariablesSet(scope=scope, variables=values))

    def evaluate(self, expression: Any, key: int) -> Any:
        return expression(self.visible(key))

    def map_outputs(self, node: Node, inst: ElementInstance) -> bool:
        """Apply a node's output mappings from its own scope to the enclosing one; False on failure."""
        if not node.outputs:
            return True
        scope = self.visible(inst.key)
        try:
            values = {target: source(scope) for target, source in node.outputs}
        except ExpressionError as exc:
            self.incident(inst, "io-mapping", str(exc))
            return False
        self.set_variables(inst.scope, values)
        return True

    # incidents ---------------------------------------------------------------------------------
    def incident(self, inst: ElementInstance, kind: str, message: str, job: int | None = None) -> None:
        self.emit(
            ev.IncidentRaised(
                key=self.new_key(), owner=inst.key, element=inst.element, kind=kind, message=message, job=job
            )
        )

    # token movement ----------------------------------------------------------------------------
    def activate(
        self,
        node_id: str,
        scope: int,
        flow: str | None = None,
        payload: Payload | None = None,
        *,
        role: str = "",
        joined: tuple[str, ...] = (),
        origin: int = 0,
        local: dict[str, Any] | None = None,
    ) -> ElementInstance | None:
        """Create an element instance and run its behaviour's activation."""
        elements = self.elements
        if scope not in elements and scope != 0:
            if flow is not None:  # the token still went over the flow: keep that in the history
                self.emit(flow_taken(flow, scope, node_id, into_join=False))
            return None  # its scope ended meanwhile
        node = self.nodes[node_id]
        if node.simple and not role and not local:
            if (
                self.starting
                and node.passes
                and payload is None
                and node.kind is NodeKind.START
                and pass_start(self, node, scope)
            ):
                return None  # passed: no element instance stays
            key = self.state.next_key
            event = element_activated(key, node_id, scope, flow, joined=joined)
            self.events.append(event)
            _activated(self.state, event)
            inst = elements[key]
            self.behaviours[node.kind].activate(self, node, inst, payload)
            return inst
        if not role and (node.multi_instance is not None or node.loop is not None):
            role = "body"
        key = self.state.next_key
        self.emit(element_activated(key, node_id, scope, flow, joined=joined, role=role, origin=origin))
        inst = self.elements[key]
        if local:
            self.emit(variables_set(key, local))
        if node.problem is not None:
            self.incident(inst, "unsupported", node.problem)
            return inst
        if role == "body":
            if node.boundaries:
                self.open_boundaries(node, inst)
            activate_body(self, node, inst)
            return inst
        if node.inputs:
            view = self.visible(key)
            try:
                values = {target: source(view) for target, source in node.inputs}
            except ExpressionError as exc:
                self.incident(inst, "io-mapping", str(exc))
                return inst
            self.emit(ev.VariablesSet(scope=key, variables=values))
        if node.boundaries and role != "inner":
            self.open_boundaries(node, inst)
        self.behaviours[node.kind].activate(self, node, inst, payload)
        return inst

    def complete_later(self, inst: ElementInstance) -> None:
        self.queue.append((COMPLETE, inst.key))

    def complete(self, key: int) -> None:
        elements = self.elements
        inst = elements.get(key)
        if inst is None:
            return
        node = self.nodes[inst.element]
        role = inst.role
        if (
            node.simple
            and not role
            and not inst.owned
            and not (node.kind in SUB_PROCESSES and (node.event_starts or self.state.compensations))
        ):
            event = element_completed(key, inst.element)
            self.events.append(event)
            _completed(self.state, event)
            self.leaving = True
            self.behaviours[node.kind].leave(self, node, inst)
            self.leaving = False
            parent = elements.get(inst.scope)
            if parent is not None and (parent.children == 0 or parent.element in self.graph.ad_hoc):
                self.queue.append((CHECK, parent.key))
            return
        if role != "body" and node.outputs and role != "process" and not self.map_outputs(node, inst):
            return
        if inst.owned:
            self.release(inst)
        child_vars = inst.variables if role == "process" else None
        output: Any = None
        if role == "inner":
            output = inner_output(self, node, inst)
        elif role == "body":
            body_output(self, node, inst)
        registered = False
        if role in ("", "inner") and node.kind in SUB_PROCESSES:
            # before it completes, so that its record holds the records made inside it
            registered = register_sub_process(self, node, inst)
        self.emit(element_completed(key, inst.element))
        if node.compensation_handler and role in ("", "inner") and not registered:
            self.emit(
                ev.CompensationRegistered(
                    key=self.new_key(), element=node.id, scope=inst.scope, handler=node.compensation_handler
                )
            )
        if role == "":
            self.leaving = True
            self.behaviours[node.kind].leave(self, node, inst)
            self.leaving = False
        elif role == "inner":
            inner_done(self, inst, output)
            return
        elif role == "process":
            if inst.scope == 0:
                self.emit(ev.InstanceCompleted(instance_id=self.state.instance_id))
                return
            called_process_done(self, inst, child_vars or {})
            return
        elif role == "compensation":
            handler_done(self, inst)
        elif role == "body":
            self.leaving = True
            self.behaviours[node.kind].leave(self, node, inst)
            self.leaving = False
        parent = self.elements.get(inst.scope)
        if parent is not None and (parent.children == 0 or parent.element in self.graph.ad_hoc):
            self.queue.append((CHECK, parent.key))

    def take(self, inst: ElementInstance, flows: Any) -> None:
        """Take sequence flows out of a completed element instance.

        A flow into a converging gateway is written as ``SequenceFlowTaken`` (the join counts its
        tokens). Any other flow is recorded by its target's ``ElementActivated.flow`` (or
        ``ElementPassed.flow``), so it is not written twice. Targets that never wait are passed
        on the spot (:mod:`civicflow.engine.passing`), but only when complete() takes the flows
        as the last thing of a queue step (``leaving``): a take anywhere else may be followed by
        more of its caller's work, which the queue would have run before those targets completed.
        """
        scope = inst.scope
        leaving = self.leaving
        self.leaving = False  # whatever this take starts may be followed by more of the caller's
        if scope in self.elements:
            take_flows(self, scope, flows, 0, pending=not leaving)
            return
        for flow in flows:  # the scope ended meanwhile: activate() records the flows and stops
            self.activate(flow.target, scope, flow.id)

    def check_scope(self, key: int) -> None:
        """A child of ``key`` ended: complete the scope when nothing is left in it."""
        inst = self.elements.get(key)
        if inst is None:
            return
        node = self.nodes[inst.element]
        role = inst.role
        if role == "body" or (role != "process" and node.kind not in CONTAINERS):
            return
        if node.kind is NodeKind.AD_HOC_SUB_PROCESS:
            adhoc_check(self, node, inst)
            return
        if inst.children:
            return
        pending_join = self.state.joins and any(scope == key for scope, _ in self.state.joins)
        if pending_join and fire_ready_joins(self, key):
            return
        if self.state.incidents and any(i.owner == key for i in self.state.incidents.values()):
            return
        self.complete(key)

    # ending ------------------------------------------------------------------------------------
    def release(self, inst: ElementInstance) -> None:
        """Cancel everything an element instance waits on."""
        state = self.state
        for key in list(inst.owned or ()):
            if key in state.timers:
                self.emit(ev.TimerCanceled(key=key))
            elif key in state.subscriptions:
                self.emit(ev.SubscriptionClosed(key=key))
            elif key in state.jobs:
                self.emit(ev.JobCanceled(key=key))
            elif key in state.tasks:
                self.emit(ev.TaskCanceled(key=key))

    def terminate(self, key: int, *, keep_root: bool = False) -> None:
        """Terminate an element instance and everything inside it, innermost first."""
        elements = self.elements
        root = elements.get(key)
        if root is None:
            return
        order = [key]
        if root.children:
            by_scope: dict[int, list[int]] = {}
            for inst in elements.values():
                by_scope.setdefault(inst.scope, []).append(inst.key)
            stack = [key]
            while stack:
                parent = stack.pop()
                for child in by_scope.get(parent, ()):
                    order.append(child)
                    stack.append(child)
        if keep_root:
            order.pop(0)
        state = self.state
        for k in reversed(order):
            current = elements.get(k)
            if current is None:
                continue
            if current.owned:
                self.release(current)
            if state.incidents:
                for incident in [i for i in state.incidents.values() if i.owner == k]:
                    self.emit(ev.IncidentResolved(key=incident.key))
            self.emit(ev.ElementTerminated(key=k, element=current.element))

    def terminate_children(self, key: int) -> None:
        self.terminate(key, keep_root=True)

    # boundary events ---------------------------------------------------------------------------
    def open_boundaries(self, node: Node, inst: ElementInstance) -> None:
        nodes = self.nodes
        for boundary_id in node.boundaries:
            boundary = nodes[boundary_id]
            if boundary.trigger in _WAITING_TRIGGERS:
                open_wait(self, boundary, inst)

    # running -----------------------------------------------------------------------------------
    def run(self) -> None:
        """Drain the ready queue, then re-check joins and conditions until nothing moves."""
        queue = self.queue
        budget = self.ctx.step_budget
        while True:
            while queue:
                self.steps += 1
                op, key = queue.popleft()
                if self.steps > budget:
                    queue.clear()
                    inst = self.elements.get(key)
                    if inst is not None:
                        self.incident(inst, "step-budget", f"more than {budget} steps without a wait state")
                    return
                if op == COMPLETE:
                    self.complete(key)
                else:
                    self.check_scope(key)
            if not self._settle():
                return

    def _settle(self) -> bool:
        """Fire inclusive joins no token can reach any more and conditions that became true."""
        moved = False
        if self.state.joins:
            for scope in sorted({scope for scope, _ in self.state.joins}):
                if fire_ready_joins(self, scope):
                    moved = True
        if self.state.subscriptions and check_conditions(self):
            moved = True
        return moved or bool(self.queue)


_WAITING_TRIGGERS = frozenset(
    {Trigger.MESSAGE, Trigger.TIMER, Trigger.SIGNAL, Trigger.CONDITIONAL, Trigger.MULTIPLE, Trigger.PARALLEL_MULTIPLE}
)


_activated = APPLIERS[ev.ElementActivated]
_completed = APPLIERS[ev.ElementCompleted]
_variables_set = APPLIERS[ev.VariablesSet]
