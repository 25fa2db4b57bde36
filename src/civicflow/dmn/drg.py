"""The decision requirements graph of a loaded model (and its imports), evaluated on demand.

Every element is compiled the first time it is needed and the closure kept: a model with a
thousand decisions loads in the time it takes to read the XML. Required decisions are evaluated
once per evaluation (memoised); a value supplied for a decision overrides evaluating it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from civicflow.dmn._feel import Closure, DmnEvaluation
from civicflow.dmn.boxed import BoxCompiler, DmnFunction
from civicflow.dmn.explanation import DecisionExplanation, TableExplanation
from civicflow.dmn.itemdefs import TypeRegistry
from civicflow.dmn.model import BusinessKnowledgeModel, Decision, DecisionService, Definitions, InputData, Ref
from civicflow.dmn.types import ANY, DmnType, FunctionType, coerce, conform_argument, feel_type
from civicflow.feel.types import FeelType

__all__ = ["Graph", "Run", "ValueKey", "service_result"]

ValueKey = tuple[str, str]  # (namespace, element name): how inputs and supplied decisions are keyed


@dataclass(frozen=True, slots=True)
class _Compiled:
    body: Closure
    requirements: tuple[tuple[str, str | None, str, Ref], ...]  # (kind, import prefix, name, ref)
    result_type: DmnType


class Graph:
    """All elements of a model and its imports, addressed by :class:`Ref`."""

    def __init__(self, main: Definitions, models: dict[str, Definitions]) -> None:
        self.main = main
        self.models = models
        self.types = TypeRegistry(models)
        self.decisions: dict[Ref, Decision] = {}
        self.inputs: dict[Ref, InputData] = {}
        self.bkms: dict[Ref, BusinessKnowledgeModel] = {}
        self.services: dict[Ref, DecisionService] = {}
        for ns, d in models.items():
            for dec in d.decisions:
                self.decisions[Ref(namespace=ns, id=dec.id)] = dec
            for inp in d.input_data:
                self.inputs[Ref(namespace=ns, id=inp.id)] = inp
            for bkm in d.bkms:
                self.bkms[Ref(namespace=ns, id=bkm.id)] = bkm
            for ds in d.decision_services:
                self.services[Ref(namespace=ns, id=ds.id)] = ds
        self._import_names = {ns: {i.namespace: i.name for i in d.imports} for ns, d in models.items()}
        self._compiled: dict[Ref, _Compiled] = {}
        self._functions: dict[Ref, Any] = {}
        self._feel_types: dict[str, dict[str, FeelType]] = {}

    # --- names ------------------------------------------------------------------------------

    def element_name(self, ref: Ref) -> str | None:
        for table in (self.decisions, self.inputs, self.bkms, self.services):
            element = table.get(ref)
            if element is not None:
                return element.name
        return None

    def prefix(self, ref: Ref, namespace: str) -> str | None:
        """The import name under which the model ``namespace`` sees ``ref`` (None: same model)."""
        if ref.namespace == namespace:
            return None
        return self._import_names.get(namespace, {}).get(ref.namespace)

    def resolve_type(self, type_ref: str | None, namespace: str) -> DmnType:
        return self.types.resolve(type_ref, namespace)

    def feel_types(self, namespace: str) -> dict[str, FeelType] | None:
        """Item definitions visible in a model, as FEEL types (for ``instance of``)."""
        found = self._feel_types.get(namespace)
        if found is None:
            found = {}
            model = self.models[namespace]
            for item in model.item_definitions:
                found[item.name] = feel_type(self.resolve_type(item.name, namespace))
            for imp in model.imports:
                imported = self.models.get(imp.namespace)
                for item in imported.item_definitions if imported else ():
                    found[f"{imp.name}.{item.name}"] = feel_type(self.resolve_type(item.name, imp.namespace))
            self._feel_types[namespace] = found
        return found or None

    def boxes(self, namespace: str, label: str) -> BoxCompiler:
        return BoxCompiler(
            resolve_type=lambda t: self.resolve_type(t, namespace), label=label, types=self.feel_types(namespace)
        )

    # --- compilation ------------------------------------------------------------------------

    def _requirements(self, namespace: str, refs: Iterable[tuple[str, Ref]]) -> tuple[Any, ...]:
        out = []
        for kind, ref in refs:
            name = self.element_name(ref)
            if name is None:
                continue  # a dangling reference: the name is simply absent from scope (null + warning)
            out.append((kind, self.prefix(ref, namespace), name, ref))
        return tuple(out)

    @staticmethod
    def _names(requirements: tuple[Any, ...], extra: Iterable[str]) -> frozenset[str]:
        names = set(extra)
        for _, prefix, name, _ in requirements:
            if prefix is None:
                names.add(name)
            else:
                names.add(prefix)
                names.add(f"{prefix}.{name}")
        return frozenset(names)

    def compiled_decision(self, ref: Ref) -> _Compiled:
        found = self._compiled.get(ref)
        if found is None:
            decision = self.decisions[ref]
            ns = ref.namespace
            reqs = self._requirements(
                ns,
                [("decision", r) for r in decision.required_decisions]
                + [("input", r) for r in decision.required_inputs]
                + [("knowledge", r) for r in decision.required_knowledge],
            )
            # inputs of the same model are in scope even when a requirement was forgotten
            names = self._names(reqs, (i.name for i in self.models[ns].input_data))
            boxes = self.boxes(ns, decision.name)
            found = _Compiled(
                body=boxes.compile(decision.expression, names),
                requirements=reqs,
                result_type=self.resolve_type(decision.type_ref, ns),
            )
            self._compiled[ref] = found
        return found

    def function(self, ref: Ref) -> Any:
        """The FEEL function value of a BKM or decision service."""
        found = self._functions.get(ref)
        if found is None:
            if ref in self.bkms:
                found = self._bkm_function(ref, self.bkms[ref])
            elif ref in self.services:
                found = _ServiceFunction(self, ref, self.services[ref])
            self._functions[ref] = found
        return found

    def _bkm_function(self, ref: Ref, bkm: BusinessKnowledgeModel) -> Any:
        ns = ref.namespace
        reqs = self._requirements(ns, [("knowledge", r) for r in bkm.required_knowledge])
        names = self._names(reqs, ())
        scope: dict[str, Any] = {}
        # BKMs may call each other (even recursively): bind lazily through a shared scope dict
        for _, prefix, name, req in reqs:
            function = self.function(req) if req != ref else None
            _bind(scope, prefix, name, function)
        if bkm.logic is None:
            return DmnFunction(
                name=bkm.name, parameters=(), param_types=(), result_type=ANY, body=lambda s, e: None, scope=scope
            )
        boxes = self.boxes(ns, bkm.name)
        logic = bkm.logic
        params = tuple(p.name for p in logic.parameters)
        body = boxes.compile(logic.body, names | {bkm.name} | frozenset(params))
        result_type = ANY
        if logic.body is not None and getattr(logic.body, "type_ref", None):
            result_type = self.resolve_type(logic.body.type_ref, ns)
        function = DmnFunction(
            name=bkm.name,
            parameters=params,
            param_types=tuple(self.resolve_type(p.type_ref, ns) for p in logic.parameters),
            result_type=result_type,
            body=body,
            scope=scope,
        )
        scope.setdefault(bkm.name, function)
        return function


def _bind(scope: dict[str, Any], prefix: str | None, name: str, value: Any) -> None:
    if prefix is None:
        scope[name] = value
        return
    scope[f"{prefix}.{name}"] = value
    group = scope.get(prefix)
    if not isinstance(group, dict):
        group = {}
        scope[prefix] = group
    group[name] = value


class Run:
    """One evaluation: supplied values, memoised decisions, the warnings and explanation."""

    def __init__(self, graph: Graph, ev: DmnEvaluation, values: dict[ValueKey, Any]) -> None:
        self.graph = graph
        self.ev = ev
        self.values = values
        self.memo: dict[Ref, Any] = {}
        self.active: set[Ref] = set()

    def input_value(self, ref: Ref) -> Any:
        if ref in self.memo:
            return self.memo[ref]
        inp = self.graph.inputs[ref]
        value = self.values.get((ref.namespace, inp.name))
        target = self.graph.resolve_type(inp.type_ref, ref.namespace)
        if target is not ANY:
            value = coerce(value, target, self.ev, f"input data {inp.name!r}")
        self.memo[ref] = value
        return value

    def scope_for(self, requirements: tuple[Any, ...], namespace: str) -> dict[str, Any]:
        scope: dict[str, Any] = {}
        for (ns, name), value in self.values.items():
            if ns == namespace:
                scope[name] = value
        for kind, prefix, name, ref in requirements:
            if kind == "decision":
                value = self.decision_value(ref)
            elif kind == "input":
                value = self.input_value(ref)
            else:
                value = self.graph.function(ref)
            _bind(scope, prefix, name, value)
        return scope

    def decision_value(self, ref: Ref) -> Any:
        if ref in self.memo:
            return self.memo[ref]
        graph, ev = self.graph, self.ev
        decision = graph.decisions[ref]
        key = (ref.namespace, decision.name)
        if key in self.values:
            compiled_type = graph.resolve_type(decision.type_ref, ref.namespace)
            value = self.values[key]
            if compiled_type is not ANY:
                value = coerce(value, compiled_type, ev, f"decision {decision.name!r}")
            self.memo[ref] = value
            if ev.explanation is not None:
                ev.decided.append(
                    DecisionExplanation(decision=decision.name, id=decision.id, value=value, supplied=True)
                )
            return value
        if ref in self.active:
            ev.warn("dmn", f"decision {decision.name!r} requires itself; result is null")
            return None
        self.active.add(ref)
        try:
            compiled = graph.compiled_decision(ref)
            scope = self.scope_for(compiled.requirements, ref.namespace)
            explanation = ev.explanation
            start = len(explanation) if explanation is not None else 0
            outer = ev.decision
            ev.decision = decision.name
            try:
                value = compiled.body(scope, ev)
            finally:
                ev.decision = outer
            if compiled.result_type is not ANY:
                value = coerce(value, compiled.result_type, ev, f"decision {decision.name!r}")
        finally:
            self.active.discard(ref)
        self.memo[ref] = value
        if explanation is not None:
            tables: tuple[TableExplanation, ...] = tuple(
                t for t in explanation[start:] if isinstance(t, TableExplanation) and t.decision == decision.name
            )
            ev.decided.append(DecisionExplanation(decision=decision.name, id=decision.id, value=value, tables=tables))
        return value

    def service(self, ref: Ref, params: dict[Ref, Any]) -> dict[str, Any]:
        """Evaluate a decision service with its parameters (refs of input decisions/data) bound."""
        graph = self.graph
        ds = graph.services[ref]
        values: dict[ValueKey, Any] = {}
        for param, value in params.items():
            name = graph.element_name(param)
            if name is not None:
                values[(param.namespace, name)] = value
        inner = Run(graph, self.ev, values)
        outputs = {}
        for out in ds.output_decisions:
            if out in graph.decisions:
                outputs[graph.decisions[out].name] = inner.decision_value(out)
        return outputs


class _ServiceFunction:
    """A decision service seen as a FEEL function: parameters are its input data, then input decisions."""

    __slots__ = ("_graph", "_ref", "_service", "_type", "name", "parameters", "refs")

    def __init__(self, graph: Graph, ref: Ref, service: DecisionService) -> None:
        self._graph = graph
        self._ref = ref
        self._service = service
        self.refs = tuple(service.input_data) + tuple(service.input_decisions)
        self.name = service.name
        self.parameters = tuple(graph.element_name(r) or r.id for r in self.refs)

    def call(self, ev: Any, args: list[Any], named: dict[str, Any] | None) -> Any:
        if named is not None:
            unknown = [k for k in named if k not in self.parameters]
            if unknown:
                ev.warn("invocation", f"{self.name}: no parameter named {unknown[0]!r}; result is null")
                return None
            values = [named.get(p) for p in self.parameters]
        elif len(args) != len(self.parameters):
            ev.warn("invocation", f"{self.name}: expected {len(self.parameters)} arguments, got {len(args)}")
            return None
        else:
            values = list(args)
        graph = self._graph
        for ref, value in zip(self.refs, values, strict=True):
            element = graph.inputs.get(ref) or graph.decisions.get(ref)
            target = graph.resolve_type(element.type_ref if element else None, ref.namespace)
            if not conform_argument(value, target, ev)[0]:
                ev.warn(
                    "invocation", f"{self.name}: argument for {element.name if element else ref.id!r} does not conform"
                )
                return None
        if not isinstance(ev, DmnEvaluation):  # pragma: no cover - FEEL passes our evaluation through
            ev = DmnEvaluation(limits=ev.limits, clock=ev.clock)
        run = Run(self._graph, ev, {})
        outputs = run.service(self._ref, dict(zip(self.refs, values, strict=True)))
        return service_result(self._graph, self._ref, outputs, ev)


def service_result(graph: Graph, ref: Ref, outputs: dict[str, Any], ev: DmnEvaluation) -> Any:
    """The value of a decision service: its single output, or a context of all outputs, typed."""
    service = graph.services[ref]
    value: Any = next(iter(outputs.values())) if len(outputs) == 1 else outputs
    declared = graph.resolve_type(service.type_ref, ref.namespace)
    target = declared.output if isinstance(declared, FunctionType) else declared
    if target is not ANY:
        value = coerce(value, target, ev, f"decision service {service.name!r}")
    return value
