"""Compile a BPMN model (civicflow.bpmn) into an execution :class:`Graph`, once per deployment.

What the engine cannot run (a JavaScript script, a JUEL condition) does not stop compilation: the
node gets a ``problem`` and raises an incident when a token reaches it, so that the rest of the
model still runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from civicflow.bpmn import model as m
from civicflow.bpmn.expressions import Expression
from civicflow.engine.errors import ExpressionError, ModelNotExecutableError
from civicflow.engine.graph import (
    CallSpec,
    Flow,
    Graph,
    LoopSpec,
    MultiInstanceSpec,
    Node,
    NodeKind,
    TimerSpec,
    Trigger,
)
from civicflow.engine.passing import passes_through
from civicflow.engine.ports import CompiledExpression, ExpressionEvaluator

__all__ = ["Constant", "compile_graph"]

_KINDS: dict[type[Any], NodeKind] = {
    m.StartEvent: NodeKind.START,
    m.EndEvent: NodeKind.END,
    m.IntermediateCatchEvent: NodeKind.CATCH,
    m.IntermediateThrowEvent: NodeKind.THROW,
    m.BoundaryEvent: NodeKind.BOUNDARY,
    m.Task: NodeKind.TASK,
    m.ManualTask: NodeKind.MANUAL_TASK,
    m.UserTask: NodeKind.USER_TASK,
    m.ServiceTask: NodeKind.SERVICE_TASK,
    m.ScriptTask: NodeKind.SCRIPT_TASK,
    m.BusinessRuleTask: NodeKind.BUSINESS_RULE_TASK,
    m.SendTask: NodeKind.SEND_TASK,
    m.ReceiveTask: NodeKind.RECEIVE_TASK,
    m.SubProcess: NodeKind.SUB_PROCESS,
    m.Transaction: NodeKind.TRANSACTION,
    m.AdHocSubProcess: NodeKind.AD_HOC_SUB_PROCESS,
    m.CallActivity: NodeKind.CALL_ACTIVITY,
    m.ExclusiveGateway: NodeKind.EXCLUSIVE,
    m.ParallelGateway: NodeKind.PARALLEL,
    m.InclusiveGateway: NodeKind.INCLUSIVE,
    m.ComplexGateway: NodeKind.COMPLEX,
    m.EventBasedGateway: NodeKind.EVENT_BASED,
}
_JOINS = frozenset({NodeKind.PARALLEL, NodeKind.INCLUSIVE, NodeKind.COMPLEX})
_FEEL_SCRIPTS = frozenset({"feel", "text/feel", "application/feel"})


@dataclass(frozen=True, slots=True)
class Constant:
    """A static value standing where an expression may be (Zeebe values without ``=``)."""

    text: str
    value: Any

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        return self.value


class _Compiler:
    def __init__(self, definitions: Iterable[m.Definitions], evaluator: ExpressionEvaluator) -> None:
        self.defs = list(definitions)
        self.evaluator = evaluator
        self.nodes: dict[str, Node] = {}
        self.problems: dict[str, str] = {}
        self.messages: dict[str, m.Message] = {}
        self.names: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self.escalations: dict[str, str] = {}
        self.signals: dict[str, str] = {}
        self.handlers: dict[str, str] = {}  # compensation boundary event -> handler activity
        for d in self.defs:
            for msg in d.messages:
                self.messages[msg.id] = msg
            self.errors.update({e.id: e.error_code or e.name or e.id for e in d.errors})
            self.escalations.update({e.id: e.escalation_code or e.name or e.id for e in d.escalations})
            self.signals.update({s.id: s.name or s.id for s in d.signals})

    # expressions -------------------------------------------------------------------------------
    def expr(self, owner: str, expression: Expression | None, *, static: bool = False) -> CompiledExpression | None:
        """Compile an expression; ``static`` allows a Zeebe literal (no leading ``=``)."""
        if expression is None:
            return None
        if static and expression.is_static and not expression.is_juel:
            return Constant(expression.raw, expression.raw.strip())
        text = expression.feel
        if text is None:
            self.problems.setdefault(owner, f"expression {expression.raw!r} is not FEEL")
            return None
        return self.text(owner, text)

    def text(self, owner: str, text: str) -> CompiledExpression | None:
        try:
            return self.evaluator.compile(text)
        except ExpressionError as exc:
            self.problems.setdefault(owner, str(exc))
            return None

    # model -------------------------------------------------------------------------------------
    def run(self) -> Graph:
        processes: list[str] = []
        executable: list[str] = []
        message_starts: dict[str, tuple[str, str]] = {}
        for d in self.defs:
            for process in d.processes:
                if process.id in self.nodes:
                    raise ModelNotExecutableError("duplicate process id", element_id=process.id)
                processes.append(process.id)
                if process.is_executable is not False:
                    executable.append(process.id)
                self.container(process, process.id, None, process.name, NodeKind.PROCESS)
        self.finish()
        for node in self.nodes.values():
            if node.kind is NodeKind.START and node.container == node.process and node.message:
                message_starts.setdefault(node.message, (node.process, node.id))
            if node.kind is NodeKind.EVENT_BASED and node.instantiate and node.container == node.process:
                for flow in node.outgoing:
                    target = self.nodes.get(flow.target)
                    if target is not None and target.message:
                        message_starts.setdefault(target.message, (node.process, target.id))
        messages = {k: (v.name or k) for k, v in self.messages.items()}
        return Graph(
            nodes=self.nodes,
            processes=tuple(processes),
            executable=tuple(executable or processes),
            message_starts=message_starts,
            messages=messages,
            extras={"problems": dict(self.problems)},
            ad_hoc=frozenset(n.id for n in self.nodes.values() if n.kind is NodeKind.AD_HOC_SUB_PROCESS),
        )

    def container(
        self,
        element: m.Process | m.SubProcess,
        process: str,
        parent: str | None,
        name: str | None,
        kind: NodeKind,
    ) -> None:
        flows = [f for f in element.flow_elements if isinstance(f, m.SequenceFlow)]
        nodes = [f for f in element.flow_elements if isinstance(f, m.FlowNode)]
        for art in element.artifacts:
            if isinstance(art, m.Association):
                self.handlers[art.source_ref] = art.target_ref
        kinds: dict[str, NodeKind] = {}
        for n in nodes:
            k = _KINDS.get(type(n))
            if k is None:
                continue
            if k is NodeKind.SUB_PROCESS and isinstance(n, m.SubProcess) and n.triggered_by_event:
                k = NodeKind.EVENT_SUB_PROCESS
            kinds[n.id] = k
        incoming_count: dict[str, int] = {}
        for f in flows:
            incoming_count[f.target_ref] = incoming_count.get(f.target_ref, 0) + 1
        outgoing: dict[str, list[Flow]] = {}
        for f in flows:
            source = next((n for n in nodes if n.id == f.source_ref), None)
            default = getattr(source, "default", None) if source is not None else None
            target_kind = kinds.get(f.target_ref)
            cond = self.expr(f.source_ref, f.condition_expression) if f.condition_expression is not None else None
            outgoing.setdefault(f.source_ref, []).append(
                Flow(
                    id=f.id,
                    source=f.source_ref,
                    target=f.target_ref,
                    condition=cond,
                    is_default=default == f.id,
                    into_join=target_kind in _JOINS and incoming_count.get(f.target_ref, 0) > 1,
                )
            )
        boundaries: dict[str, list[str]] = {}
        for n in nodes:
            if isinstance(n, m.BoundaryEvent):
                boundaries.setdefault(n.attached_to_ref, []).append(n.id)
        starts: list[str] = []
        event_starts: list[str] = []
        links: list[tuple[str, str]] = []
        for n in nodes:
            k = kinds.get(n.id)
            if k is None:
                self.problems.setdefault(n.id, f"{type(n).__name__} is not executable")
                continue
            node = self.node(
                n,
                k,
                process=process,
                container=element.id,
                outgoing=outgoing.get(n.id, []),
                incoming=[f.id for f in flows if f.target_ref == n.id],
                boundaries=boundaries.get(n.id, []),
            )
            if k is NodeKind.START and node.trigger is Trigger.NONE:
                starts.append(n.id)
            if k is NodeKind.CATCH and node.trigger is Trigger.LINK and node.link:
                links.append((node.link, n.id))
            if k is NodeKind.EVENT_SUB_PROCESS:
                assert isinstance(n, m.SubProcess)
                event_starts.extend(
                    s.id for s in n.flow_elements if isinstance(s, m.StartEvent) and s.event_definitions
                )
            self.nodes[n.id] = node
            if isinstance(n, m.SubProcess):
                self.container(n, process, element.id, n.name, k)
        if not starts:
            # a process started by a message, timer or signal: any start event without a trigger
            # of an event subprocess qualifies when none is plain
            starts = [n.id for n in nodes if isinstance(n, m.StartEvent)]
            # an instantiating event-based gateway starts the process (BPMN 2.0.2 §10.5.6)
            starts += [
                n.id
                for n in nodes
                if isinstance(n, m.EventBasedGateway) and n.instantiate and n.id not in incoming_count
            ]
        if element.id in self.nodes:
            base = self.nodes[element.id]
        else:
            base = Node(id=element.id, kind=kind, process=process, container=parent, name=name)
        self.nodes[element.id] = replace(
            base,
            starts=tuple(starts),
            event_starts=tuple(event_starts),
            children=tuple(n.id for n in nodes if n.id in kinds),
            links=tuple(links),
        )

    def node(
        self,
        n: m.FlowNode,
        kind: NodeKind,
        *,
        process: str,
        container: str,
        outgoing: list[Flow],
        incoming: list[str],
        boundaries: list[str],
    ) -> Node:
        ext = n.ext
        fields: dict[str, Any] = {
            "id": n.id,
            "kind": kind,
            "process": process,
            "container": container,
            "name": n.name,
            "outgoing": tuple(outgoing),
            "incoming": tuple(incoming),
            "boundaries": tuple(boundaries),
            "inputs": (),
            "outputs": (),
        }
        default = getattr(n, "default", None)
        if default:
            fields["default_flow"] = default
        if ext.io_mapping is not None:
            fields["inputs"] = self.mappings(n.id, ext.io_mapping.inputs)
            fields["outputs"] = self.mappings(n.id, ext.io_mapping.outputs)
        if ext.properties:
            fields["properties"] = tuple((p.name, p.value or "") for p in ext.properties)
        if isinstance(n, m.Event):
            self.event(n, fields)
        if isinstance(n, m.Activity):
            self.activity(n, fields)
        if isinstance(n, m.ComplexGateway) and n.activation_condition is not None:
            fields["condition"] = self.expr(n.id, n.activation_condition)
        if isinstance(n, m.EventBasedGateway):
            fields["parallel"] = n.event_gateway_type is m.EventBasedGatewayType.PARALLEL
            fields["instantiate"] = n.instantiate
        return Node(**fields)

    def mappings(self, owner: str, params: Iterable[m.IoParameter]) -> tuple[tuple[str, CompiledExpression], ...]:
        out: list[tuple[str, CompiledExpression]] = []
        for p in params:
            if p.source is None:
                if p.value is not None:
                    self.problems.setdefault(owner, f"mapping {p.target!r} uses a Camunda 7 script or list value")
                    continue
                out.append((p.target, Constant("", None)))
                continue
            compiled = self.expr(owner, p.source, static=True)
            if compiled is not None:
                out.append((p.target, compiled))
        return tuple(out)

    def message_name(self, ref: str | None) -> tuple[str | None, CompiledExpression | None]:
        if ref is None:
            return None, None
        msg = self.messages.get(ref)
        if msg is None:
            return ref, None
        key = None
        if msg.ext.correlation_key is not None:
            key = self.expr(ref, msg.ext.correlation_key)
        return msg.name or msg.id, key

    def event(self, n: m.Event, fields: dict[str, Any]) -> None:
        if isinstance(n, m.BoundaryEvent):
            fields["attached_to"] = n.attached_to_ref
            fields["interrupting"] = n.cancel_activity
        if isinstance(n, m.StartEvent):
            fields["interrupting"] = n.is_interrupting
        if len(n.event_definitions) > 1:
            self.multiple(n, fields)
            return
        if n.event_definitions:
            self.definition(n, n.event_definitions[0], fields)

    def multiple(self, n: m.Event, fields: dict[str, Any]) -> None:
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
            self.definition(n, ed, part)
            self.nodes[part_id] = Node(**part)
            parts.append(part_id)
        fields["parts"] = tuple(parts)

    def definition(self, n: m.Event, ed: m.EventDefinition, fields: dict[str, Any]) -> None:
        fields["trigger"] = Trigger(ed.trigger.value)
        if isinstance(ed, m.MessageEventDefinition):
            name, key = self.message_name(ed.message_ref)
            fields["message"] = name or n.id
            fields["correlation_key"] = key
            if n.ext.task_definition is not None:
                fields["job_type"] = n.ext.task_definition.job_type
        elif isinstance(ed, m.TimerEventDefinition):
            fields["timer"] = self.timer(n.id, ed)
        elif isinstance(ed, m.SignalEventDefinition):
            fields["signal"] = self.signals.get(ed.signal_ref or "", ed.signal_ref) or n.id
        elif isinstance(ed, m.ConditionalEventDefinition):
            fields["condition"] = self.expr(n.id, ed.condition)
        elif isinstance(ed, m.ErrorEventDefinition):
            fields["code"] = self.errors.get(ed.error_ref or "", ed.error_ref)
        elif isinstance(ed, m.EscalationEventDefinition):
            fields["code"] = self.escalations.get(ed.escalation_ref or "", ed.escalation_ref)
        elif isinstance(ed, m.LinkEventDefinition):
            fields["link"] = ed.name or n.name or n.id
        elif isinstance(ed, m.CompensateEventDefinition):
            fields["compensate_activity"] = ed.activity_ref
            fields["wait_for_completion"] = ed.wait_for_completion is not False

    def timer(self, owner: str, ed: m.TimerEventDefinition) -> TimerSpec | None:
        for kind, expression in (("date", ed.time_date), ("duration", ed.time_duration), ("cycle", ed.time_cycle)):
            if expression is None:
                continue
            if expression.is_static and not expression.is_juel:
                return TimerSpec(kind=kind, text=expression.raw.strip())
            return TimerSpec(kind=kind, expression=self.expr(owner, expression))
        self.problems.setdefault(owner, "timer without a date, duration or cycle")
        return None

    def activity(self, n: m.Activity, fields: dict[str, Any]) -> None:
        ext = n.ext
        fields["for_compensation"] = n.is_for_compensation
        if isinstance(n, m.ServiceTask | m.SendTask | m.BusinessRuleTask | m.ScriptTask):
            td = ext.task_definition
            if td is not None:
                job_type = td.job_type or td.java_class or td.delegate_expression or td.expression
                if job_type and not (isinstance(n, m.BusinessRuleTask | m.ScriptTask) and td.type is None):
                    fields["job_type"] = job_type
                if td.retries is not None and td.retries.raw.strip().lstrip("=").strip().isdigit():
                    fields["retries"] = int(td.retries.raw.strip().lstrip("=").strip())
            if isinstance(n, m.ServiceTask) and "job_type" not in fields:
                fields["job_type"] = n.id
        if isinstance(n, m.ScriptTask) and "job_type" not in fields:
            self.script(n, fields)
        if isinstance(n, m.BusinessRuleTask) and "job_type" not in fields:
            cd = ext.called_decision
            if cd is None or cd.decision_id.raw.strip() == "":
                self.problems.setdefault(n.id, "business rule task without a decision")
            else:
                fields["decision"] = cd.decision_id.raw.strip().lstrip("=").strip()
                fields["result_variable"] = cd.result_variable or ext.result_variable
        if isinstance(n, m.SendTask | m.ReceiveTask):
            name, key = self.message_name(n.message_ref)
            fields["message"] = name or n.id
            fields["correlation_key"] = key
        if isinstance(n, m.UserTask):
            a = ext.assignment
            if a is not None:
                fields["assignee"] = a.assignee.raw if a.assignee is not None else None
                if a.candidate_groups is not None:
                    fields["candidate_groups"] = tuple(
                        g.strip() for g in a.candidate_groups.raw.split(",") if g.strip()
                    )
            if ext.form is not None:
                fields["form_key"] = ext.form.form_key or ext.form.form_id
        if isinstance(n, m.CallActivity):
            fields["call"] = self.call(n)
        if isinstance(n, m.AdHocSubProcess):
            fields["condition"] = self.expr(n.id, n.completion_condition)
            fields["sequential"] = n.ordering is m.AdHocOrdering.SEQUENTIAL
            fields["cancel_remaining"] = n.cancel_remaining_instances is not False
        lc = n.loop_characteristics
        if isinstance(lc, m.MultiInstanceLoopCharacteristics):
            fields["multi_instance"] = self.multi_instance(n, lc)
        elif isinstance(lc, m.StandardLoopCharacteristics):
            fields["loop"] = LoopSpec(
                condition=self.expr(n.id, lc.loop_condition),
                test_before=lc.test_before,
                maximum=lc.loop_maximum,
            )

    def script(self, n: m.ScriptTask, fields: dict[str, Any]) -> None:
        ext = n.ext
        if ext.script is not None:
            fields["script"] = self.expr(n.id, ext.script.expression)
            fields["result_variable"] = ext.script.result_variable
            return
        fmt = (n.script_format or "feel").strip().lower()
        if fmt not in _FEEL_SCRIPTS:
            self.problems.setdefault(n.id, f"script format {n.script_format!r} is not supported (only FEEL)")
            return
        if n.script is None or not n.script.strip():
            self.problems.setdefault(n.id, "script task without a script")
            return
        text = n.script.strip()
        fields["script"] = self.text(n.id, text[1:].strip() if text.startswith("=") else text)
        fields["result_variable"] = ext.result_variable

    def call(self, n: m.CallActivity) -> CallSpec:
        ce = n.ext.called_element
        if ce is None:
            if not n.called_element:
                self.problems.setdefault(n.id, "call activity without a called element")
            return CallSpec(process_id=n.called_element)
        target = ce.process_id
        spec_id: str | None = n.called_element
        spec_expr: CompiledExpression | None = None
        if target is not None:
            if target.is_static:
                spec_id = target.raw.strip()
            else:
                spec_expr = self.expr(n.id, target)
        inputs = tuple(self.variable_mappings(n.id, ce.inputs))
        outputs = tuple(self.variable_mappings(n.id, ce.outputs))
        all_in = any(v.all_variables for v in ce.inputs)
        all_out = any(v.all_variables for v in ce.outputs)
        c7 = ce.dialect is not m.Dialect.ZEEBE
        return CallSpec(
            process_id=spec_id,
            process_expression=spec_expr,
            propagate_parent=all_in if c7 else ce.propagate_all_parent_variables is not False,
            propagate_child=all_out if c7 else ce.propagate_all_child_variables is not False,
            inputs=inputs,
            outputs=outputs,
            all_in=all_in,
            all_out=all_out,
        )

    def variable_mappings(
        self, owner: str, mappings: Iterable[m.VariableMapping]
    ) -> Iterable[tuple[str, CompiledExpression]]:
        for v in mappings:
            if v.all_variables or v.business_key is not None:
                continue
            source = v.source_expression or v.source
            if source is None:
                continue
            compiled = self.expr(owner, Expression(raw=source) if v.source_expression else Expression(raw="=" + source))
            if compiled is not None:
                yield (v.target or v.source or "", compiled)

    def multi_instance(self, n: m.Activity, lc: m.MultiInstanceLoopCharacteristics) -> MultiInstanceSpec:
        loop = lc.ext.loop or n.ext.loop
        collection = output_element = None
        input_element = output_collection = None
        if loop is not None:
            collection = self.expr(n.id, loop.input_collection)
            input_element = loop.input_element
            output_collection = loop.output_collection
            output_element = self.expr(n.id, loop.output_element)
        if collection is None and lc.loop_data_input_ref:
            collection = self.text(n.id, lc.loop_data_input_ref)
        if input_element is None and lc.input_data_item is not None:
            input_element = lc.input_data_item.name or lc.input_data_item.id
        if output_collection is None and lc.loop_data_output_ref:
            output_collection = lc.loop_data_output_ref
        if output_element is None and lc.output_data_item is not None:
            output_element = self.text(n.id, lc.output_data_item.name or lc.output_data_item.id)
        cardinality = self.expr(n.id, lc.loop_cardinality, static=False) if lc.loop_cardinality else None
        if collection is None and cardinality is None:
            self.problems.setdefault(n.id, "multi-instance without a collection or cardinality")
        return MultiInstanceSpec(
            sequential=lc.is_sequential,
            collection=collection,
            cardinality=cardinality,
            input_element=input_element,
            output_collection=output_collection,
            output_element=output_element,
            completion=self.expr(n.id, lc.completion_condition),
        )

    def finish(self) -> None:
        nodes = self.nodes
        for boundary, handler in self.handlers.items():
            b = nodes.get(boundary)
            if b is None or b.trigger is not Trigger.COMPENSATION or b.attached_to not in nodes:
                continue
            nodes[b.attached_to] = replace(nodes[b.attached_to], compensation_handler=handler)
        for node in list(nodes.values()):
            if node.kind in _JOINS and len(node.incoming) > 1:
                nodes[node.id] = replace(node, upstream=self.upstream(node))
        for owner, problem in self.problems.items():
            if owner in nodes:
                nodes[owner] = replace(nodes[owner], problem=problem)
        for node in list(nodes.values()):
            simple = not (
                node.problem
                or node.inputs
                or node.outputs
                or node.boundaries
                or node.multi_instance
                or node.loop
                or node.compensation_handler
            )
            if simple:
                nodes[node.id] = replace(node, simple=True)
        for node in list(nodes.values()):
            if node.simple and passes_through(node, nodes):
                nodes[node.id] = replace(node, passes=True)

    def upstream(self, gateway: Node) -> frozenset[str]:
        """Nodes of the gateway's container from which a token can still reach it."""
        sources: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if node.container != gateway.container:
                continue
            for flow in node.outgoing:
                sources.setdefault(flow.target, []).append(flow.source)
            if node.attached_to:
                sources.setdefault(node.id, []).append(node.attached_to)
        seen: set[str] = set()
        stack = [gateway.id]
        while stack:
            current = stack.pop()
            for source in sources.get(current, ()):
                if source != gateway.id and source not in seen:
                    seen.add(source)
                    stack.append(source)
        return frozenset(seen)


def compile_graph(definitions: m.Definitions | Iterable[m.Definitions], evaluator: ExpressionEvaluator) -> Graph:
    """Compile one or several BPMN files (a deployment) into one execution graph."""
    defs = [definitions] if isinstance(definitions, m.Definitions) else list(definitions)
    return _Compiler(defs, evaluator).run()
