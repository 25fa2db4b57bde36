"""The public face of :mod:`civicflow.dmn`: :func:`load` and :class:`DmnModel`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicflow.dmn._feel import DmnEvaluation
from civicflow.dmn.drg import Graph, Run, ValueKey, service_result
from civicflow.dmn.errors import DmnImportError, DmnInputError, DmnParseError, DmnUnknownDecision
from civicflow.dmn.explanation import DecisionExplanation
from civicflow.dmn.model import BusinessKnowledgeModel, Decision, DecisionService, Definitions, InputData, Ref
from civicflow.dmn.reader import read_definitions
from civicflow.dmn.types import BuiltinType, ConstrainedType, DmnType, ListType, StructureType
from civicflow.feel.evaluation import Clock, FeelLimits, FeelWarning
from civicflow.feel.temporal import parse_date, parse_date_time, parse_duration, parse_time
from civicflow.feel.values import to_feel

__all__ = ["DecisionResult", "DmnModel", "load"]

Source = str | Path | bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionResult:
    """Outputs by decision name, the warnings raised, and what each decision did."""

    outputs: dict[str, Any]
    warnings: tuple[FeelWarning, ...]
    explanation: tuple[DecisionExplanation, ...]

    @property
    def value(self) -> Any:
        """The single output's value (the requested decision's), or the outputs context."""
        if len(self.outputs) == 1:
            return next(iter(self.outputs.values()))
        return self.outputs


def _read(source: Source) -> tuple[Definitions, Path | None]:
    if isinstance(source, bytes):
        return read_definitions(source), None
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DmnParseError(f"cannot read the file: {exc.strerror}", source=str(path)) from None
    return read_definitions(data, source=str(path)), path


def load(source: Source, *, imports: Iterable[Source] = ()) -> DmnModel:
    """Read a DMN model from a path or bytes; ``imports`` supplies the models it imports.

    Imports are matched by namespace. When the model comes from a file and an import is not
    among ``imports``, the ``.dmn`` files beside it are searched for that namespace.
    """
    main, path = _read(source)
    models: dict[str, Definitions] = {main.namespace: main}
    pool = [_read(s)[0] for s in imports]
    pending = [main]
    searched_dir = False
    while pending:
        current = pending.pop()
        for imp in current.imports:
            if imp.namespace in models or (imp.import_type and "DMN" not in imp.import_type.upper()):
                continue
            found = next((d for d in pool if d.namespace == imp.namespace), None)
            if found is None and path is not None and not searched_dir:
                searched_dir = True
                for sibling in sorted(path.parent.glob("*.dmn")):
                    if sibling != path:
                        try:
                            pool.append(_read(sibling)[0])
                        except DmnParseError:
                            continue
                found = next((d for d in pool if d.namespace == imp.namespace), None)
            if found is None:
                raise DmnImportError(
                    f"model {current.name!r} imports {imp.namespace!r} as {imp.name!r}, which was not supplied",
                    namespace=imp.namespace,
                )
            models[found.namespace] = found
            pending.append(found)
    return DmnModel(main, models)


_PARSERS = {
    "date": parse_date,
    "time": parse_time,
    "date and time": parse_date_time,
    "days and time duration": parse_duration,
    "years and months duration": parse_duration,
    "duration": parse_duration,
}


def _parse_temporal(value: Any, target: DmnType | None) -> Any:
    while isinstance(target, ConstrainedType):
        target = target.base
    if isinstance(value, str) and isinstance(target, BuiltinType) and target.name in _PARSERS:
        parsed = _PARSERS[target.name](value)
        return value if parsed is None else parsed
    if isinstance(value, list) and isinstance(target, ListType):
        return [_parse_temporal(v, target.element) for v in value]
    if isinstance(value, dict) and isinstance(target, StructureType):
        fields = dict(target.fields)
        return {k: _parse_temporal(v, fields.get(k)) for k, v in value.items()}
    return value


class DmnModel:
    """A loaded DMN model; evaluate its decisions, decision services and BKMs by name or id."""

    def __init__(self, main: Definitions, models: dict[str, Definitions]) -> None:
        self.definitions = main
        self._graph = Graph(main, models)
        ns = main.namespace
        self._by_name: dict[str, tuple[str, Ref]] = {}
        kinds: tuple[tuple[str, tuple[BusinessKnowledgeModel | DecisionService | Decision, ...]], ...] = (
            ("bkm", main.bkms),
            ("service", main.decision_services),
            ("decision", main.decisions),
        )
        for kind, elements in kinds:
            for el in elements:
                ref = Ref(namespace=ns, id=el.id)
                self._by_name[el.id] = (kind, ref)
                self._by_name[el.name] = (kind, ref)
        self._input_keys: dict[str, ValueKey] = {}
        for d in models.values():
            prefix = None if d is main else next((i.name for i in main.imports if i.namespace == d.namespace), None)
            named: tuple[InputData | Decision, ...] = (*d.input_data, *d.decisions)
            for item in named:
                self._input_keys[f"{{{d.namespace}}}{item.name}"] = (d.namespace, item.name)
                if d is main:
                    self._input_keys[item.name] = (d.namespace, item.name)
                elif prefix is not None:
                    self._input_keys[f"{prefix}.{item.name}"] = (d.namespace, item.name)

    @property
    def name(self) -> str:
        return self.definitions.name

    @property
    def namespace(self) -> str:
        return self.definitions.namespace

    @property
    def decision_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.definitions.decisions)

    def from_json(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Inputs decoded from JSON with ISO 8601 strings parsed where the input data's type is temporal.

        JSON has no dates; this lets ``{"Start": "2025-01-31"}`` feed an input of type ``date``.
        """
        if not isinstance(inputs, Mapping):
            raise DmnInputError(f"inputs must be a mapping of names to values, not {type(inputs).__name__}")
        types = {i.name: self._graph.resolve_type(i.type_ref, self.namespace) for i in self.definitions.input_data}
        return {key: _parse_temporal(value, types.get(key)) for key, value in inputs.items()}

    def _values(self, inputs: Mapping[str, Any] | None) -> dict[ValueKey, Any]:
        if inputs is None:
            return {}
        if not isinstance(inputs, Mapping):
            raise DmnInputError(f"inputs must be a mapping of names to values, not {type(inputs).__name__}")
        values: dict[ValueKey, Any] = {}
        for key, value in inputs.items():
            if not isinstance(key, str):
                raise DmnInputError(f"input names must be strings, not {key!r}", name=str(key))
            values[self._input_keys.get(key, (self.namespace, key))] = to_feel(value)
        return values

    def _find(self, name_or_id: str) -> tuple[str, Ref]:
        found = self._by_name.get(name_or_id)
        if found is None:
            raise DmnUnknownDecision(
                name_or_id,
                model=self.name,
                available=tuple(
                    sorted(
                        {e.name for e in self.definitions.decisions}
                        | {s.name for s in self.definitions.decision_services}
                    )
                ),
            )
        return found

    def evaluate(
        self,
        decision: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        clock: Clock | None = None,
        limits: FeelLimits | None = None,
        explain: bool = True,
    ) -> DecisionResult:
        """Evaluate a decision (with the decisions it requires), a decision service or a BKM.

        ``inputs`` maps input data names to values; a value given for a decision's name is used
        instead of evaluating that decision. Elements of imported models are named
        ``import.name`` or ``{namespace}name``. For a BKM, ``inputs`` are its parameters.
        """
        kind, ref = self._find(decision)
        values = self._values(inputs)
        ev = DmnEvaluation(clock=clock, explanation=[] if explain else None)
        if limits is not None:
            ev.limits = limits
        run = Run(self._graph, ev, values)
        if kind == "decision":
            outputs = {self._graph.decisions[ref].name: run.decision_value(ref)}
        elif kind == "service":
            service = self._graph.services[ref]
            params: dict[Ref, Any] = {}
            for param in (*service.input_data, *service.input_decisions):
                name = self._graph.element_name(param)
                if name is not None:
                    params[param] = values.get((param.namespace, name))
            outputs = run.service(ref, params)
            typed = service_result(self._graph, ref, outputs, ev)
            if len(outputs) == 1:
                outputs = {next(iter(outputs)): typed}
            elif isinstance(typed, dict):
                outputs = typed
            else:
                outputs = dict.fromkeys(outputs)
        else:
            bkm = self._graph.bkms[ref]
            function = self._graph.function(ref)
            named = {key: to_feel(value) for key, value in (inputs or {}).items()}
            outputs = {bkm.name: function.call(ev, [], named)}
        return DecisionResult(outputs=outputs, warnings=tuple(ev.warnings), explanation=tuple(ev.decided))
