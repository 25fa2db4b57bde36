"""BPMN process -> accepting Petri net, for conformance checking of logs against BPMN models.

The translation follows the usual workflow-net mapping (Dijkman, Dumas and Ouyang):

* a place ``source`` holds the initial token and a place ``sink`` the final one;
* each activity (tasks, call activities, subprocess bodies' tasks) and each intermediate or boundary
  event is one transition labelled with its name (or its id when unnamed, or always its id with
  ``label_by=ActivityLabel.ID``, which is how CivicFlow's own history names activities);
* start and end events are silent: they mark where a case begins and ends, which logs do not record;
* sequence flows become places; flows into the same node with exclusive-merge semantics (every
  node except parallel, inclusive and complex joins) share one input place;
* an exclusive or event-based gateway is one silent transition per outgoing branch; a parallel
  gateway is one silent transition;
* inclusive and complex gateways use the common approximation: one silent transition per
  non-empty subset of outgoing flows (split) or incoming flows (join). The join does not wait for
  "all tokens that can still arrive", so the net allows slightly more than BPMN does;
* subprocesses are flattened: the subprocess' input place feeds its start events, its end events
  feed a completion place that a silent transition empties into the outgoing flows;
* loops and multi-instance activities may repeat (one or more times, in sequence);
* interrupting boundary events replace their activity; a non-interrupting one fires at most once
  before its activity completes. Boundary events on subprocesses can only fire before the
  subprocess starts (an approximation);
* when a model can fork, extra tokens reaching ``sink`` (or a subprocess completion place) are
  merged by a silent transition, so parallel branches that end in separate end events still
  reach the final marking. Terminate end events do not remove other tokens.

Event subprocesses and compensation handlers are left out: they can start at any point, which a
plain net cannot express without making every trace fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations
from pathlib import Path

from civicflow.bpmn import BpmnError, Definitions, load
from civicflow.bpmn.model import (
    Activity,
    BoundaryEvent,
    ComplexGateway,
    EndEvent,
    EventBasedGateway,
    ExclusiveGateway,
    FlowNode,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkEventDefinition,
    ParallelGateway,
    Process,
    SequenceFlow,
    StartEvent,
    SubProcess,
)
from civicflow.mining._compiled_net import ConformanceError
from civicflow.mining._petri import PetriNet

__all__ = ["ActivityLabel", "bpmn_to_petri"]

# Subsets of an inclusive gateway's flows grow as 2^n: more branches than this are refused.
MAX_INCLUSIVE_BRANCHES = 8
SOURCE, SINK = "source", "sink"


class ActivityLabel(StrEnum):
    """What a visible transition is labelled with: the element's name (id if unnamed) or its id."""

    NAME = "name"
    ID = "id"


@dataclass(slots=True)
class _Builder:
    label_by: ActivityLabel
    net: PetriNet = field(default_factory=PetriNet)
    nodes: dict[str, FlowNode] = field(default_factory=dict)
    scope: dict[str, str | None] = field(default_factory=dict)  # node id -> enclosing subprocess id
    flows: dict[str, SequenceFlow] = field(default_factory=dict)
    boundaries: dict[str, list[BoundaryEvent]] = field(default_factory=dict)
    # from the flows' sourceRef/targetRef: a node's <incoming>/<outgoing> children are optional
    incoming: dict[str, list[str]] = field(default_factory=dict)
    outgoing: dict[str, list[str]] = field(default_factory=dict)
    forks: bool = False

    def index_flows(self) -> None:
        for flow in self.flows.values():
            self.outgoing.setdefault(flow.source_ref, []).append(flow.id)
            self.incoming.setdefault(flow.target_ref, []).append(flow.id)

    def collect(self, elements: tuple[object, ...], scope: str | None) -> None:
        for element in elements:
            if isinstance(element, SequenceFlow):
                self.flows[element.id] = element
            elif isinstance(element, SubProcess) and element.triggered_by_event:
                continue  # event subprocesses: see the module docstring
            elif isinstance(element, FlowNode):
                if isinstance(element, Activity) and element.is_for_compensation:
                    continue
                self.nodes[element.id] = element
                self.scope[element.id] = scope
                if isinstance(element, BoundaryEvent):
                    self.boundaries.setdefault(element.attached_to_ref, []).append(element)
                if isinstance(element, SubProcess):
                    self.collect(element.flow_elements, element.id)

    def label(self, node: FlowNode) -> str:
        if self.label_by is ActivityLabel.ID:
            return node.id
        return (node.name or "").strip() or node.id

    def place(self, place_id: str) -> str:
        if place_id not in self.net.places:
            self.net.add_place(place_id)
        return place_id

    def transition(self, transition_id: str, label: str | None, inputs: list[str], outputs: list[str]) -> None:
        self.net.add_transition(transition_id, label)
        for place in inputs:
            self.net.add_arc(self.place(place), transition_id)
        for place in outputs:
            self.net.add_arc(transition_id, self.place(place))
        if len(outputs) > 1:
            self.forks = True

    def joins_per_flow(self, node: FlowNode) -> bool:
        return isinstance(node, ParallelGateway | InclusiveGateway | ComplexGateway) and len(self.ins(node)) > 1

    def ins(self, node: FlowNode) -> list[str]:
        return self.incoming.get(node.id, [])

    def outs(self, node: FlowNode) -> list[str]:
        return self.outgoing.get(node.id, [])

    def target_place(self, flow_id: str) -> str:
        flow = self.flows.get(flow_id)
        if flow is None:
            raise ConformanceError(f"sequence flow {flow_id!r} is referenced but not defined")
        target = self.nodes.get(flow.target_ref)
        if target is None:
            raise ConformanceError(f"sequence flow {flow_id!r} leads to unknown element {flow.target_ref!r}")
        return f"sf:{flow_id}" if self.joins_per_flow(target) else f"in:{target.id}"

    def inputs(self, node: FlowNode) -> list[str]:
        if self.joins_per_flow(node):
            return [f"sf:{flow}" for flow in self.ins(node)]
        return [f"in:{node.id}"]

    def end_place(self, node_id: str) -> str:
        scope = self.scope[node_id]
        return SINK if scope is None else f"done:{scope}"

    def outputs(self, node: FlowNode) -> list[str]:
        """Where a node's completion puts tokens: its outgoing flows, or the end of its scope."""
        return [self.target_place(f) for f in self.outs(node)] or [self.end_place(node.id)]

    def build(self) -> PetriNet:
        for node in self.nodes.values():
            self.node(node)
        for sink in [SINK] + [p for p in self.net.places if p.startswith("done:")]:
            if self.forks:
                # extra tokens of finished parallel branches merge into one (module docstring)
                merge = f"merge:{sink}"
                self.net.add_transition(merge, None)
                self.net.add_arc(self.place(sink), merge, 2)
                self.net.add_arc(merge, sink)
        self.net.initial_marking[self.place(SOURCE)] = 1
        self.net.final_marking[self.place(SINK)] = 1
        return self.net

    def node(self, node: FlowNode) -> None:
        nid = node.id
        if isinstance(node, StartEvent):
            scope = self.scope[nid]
            self.transition(f"t:{nid}", None, [SOURCE if scope is None else f"in:{scope}"], self.outputs(node))
        elif isinstance(node, EndEvent):
            self.transition(f"t:{nid}", None, self.inputs(node), [self.end_place(nid)])
        elif isinstance(node, ExclusiveGateway | EventBasedGateway):
            for flow in self.outs(node) or [""]:
                out = [self.target_place(flow)] if flow else [self.end_place(nid)]
                self.transition(f"t:{nid}:{flow}", None, self.inputs(node), out)
        elif isinstance(node, ParallelGateway):
            self.transition(f"t:{nid}", None, self.inputs(node), self.outputs(node))
        elif isinstance(node, InclusiveGateway | ComplexGateway):
            self.inclusive(node)
        elif isinstance(node, BoundaryEvent):
            self.boundary(node)
        elif isinstance(node, IntermediateThrowEvent) and _link_name(node) is not None:
            catches = [
                f"in:{n.id}"
                for n in self.nodes.values()
                if isinstance(n, IntermediateCatchEvent) and _link_name(n) == _link_name(node)
            ]
            if not catches:
                raise ConformanceError(f"link event {nid!r} has no catching link event named {_link_name(node)!r}")
            for i, catch in enumerate(catches):
                self.transition(f"t:{nid}:{i}", None, self.inputs(node), [catch])
        elif isinstance(node, IntermediateCatchEvent) and _link_name(node) is not None:
            self.transition(f"t:{nid}", None, self.inputs(node), self.outputs(node))
        elif isinstance(node, SubProcess):
            done = self.place(f"done:{nid}")
            self.activity_exit(node, f"t:{nid}:complete", None, [done])
        elif isinstance(node, Activity | IntermediateCatchEvent | IntermediateThrowEvent):
            self.activity_exit(node, f"t:{nid}", self.label(node), self.inputs(node))
        else:
            raise ConformanceError(f"element {nid!r} ({node.kind}) has no Petri net translation")

    def activity_exit(self, node: FlowNode, transition: str, label: str | None, inputs: list[str]) -> None:
        """The transition completing ``node``; a loop or multi-instance activity may run again."""
        if isinstance(node, Activity) and node.loop_characteristics is not None:
            again = f"again:{node.id}"
            self.transition(transition, label, inputs, [again])
            self.transition(f"t:{node.id}:repeat", None, [again], self.inputs(node))
            self.transition(f"t:{node.id}:exit", None, [again], self.outputs(node))
        else:
            self.transition(transition, label, inputs, self.outputs(node))

    def inclusive(self, node: InclusiveGateway | ComplexGateway) -> None:
        inputs = self.inputs(node)
        outputs = self.outputs(node)
        if max(len(inputs), len(outputs)) > MAX_INCLUSIVE_BRANCHES:
            raise ConformanceError(
                f"inclusive gateway {node.id!r} has more than {MAX_INCLUSIVE_BRANCHES} branches on one side"
            )
        hub = [f"hub:{node.id}"] if len(inputs) > 1 and len(outputs) > 1 else outputs
        if len(inputs) > 1:
            for size in range(1, len(inputs) + 1):
                for i, chosen in enumerate(combinations(inputs, size)):
                    self.transition(f"t:{node.id}:join{size}.{i}", None, list(chosen), hub)
        split_from = hub if len(inputs) > 1 else inputs
        if len(inputs) == 1 or len(outputs) > 1:
            for size in range(1, len(outputs) + 1):
                for i, chosen in enumerate(combinations(outputs, size)):
                    self.transition(f"t:{node.id}:split{size}.{i}", None, split_from, list(chosen))

    def boundary(self, node: BoundaryEvent) -> None:
        host = self.nodes.get(node.attached_to_ref)
        if host is None:
            raise ConformanceError(
                f"boundary event {node.id!r} is attached to unknown element {node.attached_to_ref!r}"
            )
        host_inputs = self.inputs(host)
        if node.cancel_activity:
            self.transition(f"t:{node.id}", self.label(node), host_inputs, self.outputs(node))
            return
        # non-interrupting: fires at most once, then the activity still completes (a second
        # transition with the activity's label); repeating it would make the net unbounded
        waiting = f"waiting:{node.id}"
        self.transition(f"t:{node.id}", self.label(node), host_inputs, [*self.outputs(node), waiting])
        self.transition(f"t:{host.id}:after:{node.id}", self.host_label(host), [waiting], self.outputs(host))

    def host_label(self, host: FlowNode) -> str | None:
        """The label of the transition completing ``host`` (None for a subprocess: its inner tasks carry labels)."""
        return None if isinstance(host, SubProcess) else self.label(host)


def _link_name(node: IntermediateCatchEvent | IntermediateThrowEvent) -> str | None:
    for definition in node.event_definitions:
        if isinstance(definition, LinkEventDefinition):
            return definition.name or node.name or node.id
    return None


def bpmn_to_petri(
    source: bytes | str | Path | Definitions | Process,
    *,
    process_id: str | None = None,
    label_by: ActivityLabel = ActivityLabel.NAME,
) -> PetriNet:
    """Convert a BPMN file, its bytes, a parsed :class:`Definitions` or one :class:`Process`.

    With several processes (a collaboration) pass ``process_id``; otherwise the executable one
    (or the only one) is used. Raises :class:`ConformanceError` naming the element it cannot map.
    """
    if isinstance(source, Process):
        process = source
    else:
        try:
            definitions = source if isinstance(source, Definitions) else load(source)
        except BpmnError as error:
            raise ConformanceError(str(error)) from error
        try:
            process = definitions.process(process_id)
        except KeyError as error:
            named = f"process {process_id!r} not found" if process_id else "several processes: pass process_id"
            raise ConformanceError(named) from error
    builder = _Builder(label_by=label_by)
    builder.net.name = process.name or process.id
    builder.collect(process.flow_elements, None)
    builder.index_flows()
    if not any(isinstance(n, StartEvent) and builder.scope[n.id] is None for n in builder.nodes.values()):
        raise ConformanceError(f"process {process.id!r} has no start event")
    for node_id, attached in builder.boundaries.items():
        if node_id not in builder.nodes:
            raise ConformanceError(f"boundary event {attached[0].id!r} is attached to unknown element {node_id!r}")
    return builder.build()
