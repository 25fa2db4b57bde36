"""Boxed expressions compiled to closures ``fn(scope, ev) -> value``.

Each compiler receives the names in scope at that point, so that FEEL can resolve names with
spaces; nested boxes (context entries, iterator variables, function parameters) extend them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.dmn._feel import Closure, compile_expression
from civicflow.dmn._java import JavaFunction, java_method
from civicflow.dmn.model import (
    Conditional,
    Context,
    DecisionTable,
    Expression,
    Filter,
    FunctionDefinition,
    Invocation,
    Iterator,
    ListExpression,
    LiteralExpression,
    Relation,
)
from civicflow.dmn.table import compile_decision_table
from civicflow.dmn.types import ANY, DmnType, coerce, conform_argument
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.types import FeelType

__all__ = ["BoxCompiler", "DmnFunction"]


def _null(scope: dict[str, Any], ev: Evaluation) -> Any:
    return None


class DmnFunction:
    """A function defined in DMN (BKM, boxed function definition): implements FEEL's FeelFunction."""

    __slots__ = ("_body", "_param_types", "_result_type", "_scope", "name", "parameters")

    def __init__(
        self,
        *,
        name: str | None,
        parameters: tuple[str, ...],
        param_types: tuple[DmnType, ...],
        result_type: DmnType,
        body: Closure,
        scope: dict[str, Any],
    ) -> None:
        self.name = name
        self.parameters = parameters
        self._param_types = param_types
        self._result_type = result_type
        self._body = body
        self._scope = scope

    def call(self, ev: Evaluation, args: list[Any], named: dict[str, Any] | None) -> Any:
        label = self.name or "anonymous function"
        if named is not None:
            unknown = [key for key in named if key not in self.parameters]
            if unknown:
                ev.warn("invocation", f"{label}: no parameter named {unknown[0]!r}; result is null")
                return None
            values = [named.get(p) for p in self.parameters]
        else:
            if len(args) != len(self.parameters):
                ev.warn(
                    "invocation",
                    f"{label}: expected {len(self.parameters)} arguments, got {len(args)}; result is null",
                )
                return None
            values = list(args)
        local = dict(self._scope)
        for pname, ptype, value in zip(self.parameters, self._param_types, values, strict=True):
            ok, local[pname] = conform_argument(value, ptype, ev)
            if not ok:
                ev.warn(
                    "invocation", f"{label}: argument {pname!r} does not conform to {ptype.label!r}; result is null"
                )
                return None
        ev.step()
        result = self._body(local, ev)
        if self._result_type is not ANY:
            result = coerce(result, self._result_type, ev, f"{label} result")
        return result

    def __repr__(self) -> str:
        return f"DmnFunction({self.name!r}, {self.parameters!r})"


@dataclass(frozen=True, slots=True)
class BoxCompiler:
    """Compiles the boxed expressions of one model (``resolve_type`` knows its item definitions)."""

    resolve_type: Callable[[str | None], DmnType]
    label: str
    types: Mapping[str, FeelType] | None = None

    def compile(self, expr: Expression | None, names: frozenset[str]) -> Closure:
        if expr is None:
            return _null
        if isinstance(expr, LiteralExpression):
            if expr.language and "feel" not in expr.language.lower():
                return self._unsupported(f"expression language {expr.language!r}")
            return compile_expression(expr.text, tuple(sorted(names)), self.types)
        if isinstance(expr, DecisionTable):
            return compile_decision_table(
                expr, names=names, resolve_type=self.resolve_type, label=self.label, types=self.types
            )
        if isinstance(expr, Context):
            return self._context(expr, names)
        if isinstance(expr, Invocation):
            return self._invocation(expr, names)
        if isinstance(expr, FunctionDefinition):
            return self.function(expr, names, name=None)
        if isinstance(expr, Relation):
            return self._relation(expr, names)
        if isinstance(expr, ListExpression):
            items = tuple(self.compile(i, names) for i in expr.items)
            return lambda scope, ev: [fn(scope, ev) for fn in items]
        if isinstance(expr, Conditional):
            return self._conditional(expr, names)
        if isinstance(expr, Filter):
            return self._filter(expr, names)
        return self._iterator(expr, names)

    def _unsupported(self, what: str) -> Closure:
        message = f"{self.label}: {what} is not supported; result is null"

        def unsupported(scope: dict[str, Any], ev: Evaluation) -> Any:
            ev.warn("unsupported", message)
            return None

        return unsupported

    def _context(self, expr: Context, names: frozenset[str]) -> Closure:
        entries: list[tuple[str | None, Closure, DmnType]] = []
        inner = set(names)
        for entry in expr.entries:
            var = entry.variable
            if var is not None:
                inner.add(var.name)  # visible to its own value too: recursive functions
            fn = self.compile(entry.expression, frozenset(inner))
            entries.append((var.name if var else None, fn, self.resolve_type(var.type_ref) if var else ANY))
        frozen = tuple(entries)
        label = self.label

        def context(scope: dict[str, Any], ev: Evaluation) -> Any:
            local = dict(scope)  # functions defined in an entry keep this dict: later entries and recursion
            result: dict[str, Any] = {}
            for name, fn, entry_type in frozen:
                value = fn(local, ev)
                if name is None:
                    return value
                if entry_type is not ANY:
                    value = coerce(value, entry_type, ev, f"{label} context entry {name!r}")
                local[name] = value
                result[name] = value
            return result

        return context

    def _invocation(self, expr: Invocation, names: frozenset[str]) -> Closure:
        called = self.compile(expr.called, names)
        bindings = tuple((b.parameter.name, self.compile(b.expression, names)) for b in expr.bindings)
        label = self.label

        def invoke(scope: dict[str, Any], ev: Evaluation) -> Any:
            fn = called(scope, ev)
            if fn is None or not hasattr(fn, "call"):
                ev.warn("invocation", f"{label}: the invoked expression is not a function; result is null")
                return None
            named = {name: value(scope, ev) for name, value in bindings}
            return fn.call(ev, [], named)

        return invoke

    def function(self, expr: FunctionDefinition, names: frozenset[str], *, name: str | None) -> Closure:
        if expr.kind == "JAVA":
            return self._java(expr, names)
        if expr.kind != "FEEL":
            return self._unsupported(f"a function of kind {expr.kind}")
        params = tuple(p.name for p in expr.parameters)
        param_types = tuple(self.resolve_type(p.type_ref) for p in expr.parameters)
        body = self.compile(expr.body, names | frozenset(params))
        result_type = ANY
        if expr.body is not None and getattr(expr.body, "type_ref", None):
            result_type = self.resolve_type(expr.body.type_ref)

        def define(scope: dict[str, Any], ev: Evaluation) -> Any:
            return DmnFunction(
                name=name,
                parameters=params,
                param_types=param_types,
                result_type=result_type,
                body=body,
                scope=scope,
            )

        return define

    def _java(self, expr: FunctionDefinition, names: frozenset[str]) -> Closure:
        binding = self.compile(expr.body, names)
        params = tuple(p.name for p in expr.parameters)
        label = self.label

        def define(scope: dict[str, Any], ev: Evaluation) -> Any:
            context = binding(scope, ev)
            if not isinstance(context, dict):
                ev.warn("unsupported", f"{label}: a Java function needs a context with class and method signature")
                return None
            found = java_method(str(context.get("class")), str(context.get("method signature")))
            if found is None:
                ev.warn(
                    "unsupported",
                    f"{label}: Java method {context.get('class')}.{context.get('method signature')}"
                    " is not emulated; result is null",
                )
                return None
            return JavaFunction(parameters=params, method=found[0], java_types=found[1])

        return define

    def _relation(self, expr: Relation, names: frozenset[str]) -> Closure:
        columns = tuple(c.name for c in expr.columns)
        rows = tuple(tuple(self.compile(cell, names) for cell in row) for row in expr.rows)
        label = self.label

        def relation(scope: dict[str, Any], ev: Evaluation) -> Any:
            out = []
            for row in rows:
                if len(row) != len(columns):
                    ev.warn("dmn", f"{label}: relation row has {len(row)} cells for {len(columns)} columns")
                    return None
                out.append({c: fn(scope, ev) for c, fn in zip(columns, row, strict=True)})
            return out

        return relation

    def _conditional(self, expr: Conditional, names: frozenset[str]) -> Closure:
        test, then, other = (self.compile(e, names) for e in (expr.if_, expr.then, expr.else_))

        def conditional(scope: dict[str, Any], ev: Evaluation) -> Any:
            return then(scope, ev) if test(scope, ev) is True else other(scope, ev)

        return conditional

    def _filter(self, expr: Filter, names: frozenset[str]) -> Closure:
        source = self.compile(expr.in_, names)
        match = self.compile(expr.match, names | {"item"})

        def filter_(scope: dict[str, Any], ev: Evaluation) -> Any:
            items = source(scope, ev)
            if items is None:
                return None
            if not isinstance(items, list):
                items = [items]
            kept = []
            for item in items:
                local = {**scope, **item, "item": item} if isinstance(item, dict) else {**scope, "item": item}
                if match(local, ev) is True:
                    kept.append(item)
            return kept

        return filter_

    def _iterator(self, expr: Iterator, names: frozenset[str]) -> Closure:
        source = self.compile(expr.in_, names)
        body = self.compile(expr.body, names | {expr.variable})
        var, kind, label = expr.variable, expr.kind, self.label

        def iterate(scope: dict[str, Any], ev: Evaluation) -> Any:
            items = source(scope, ev)
            if items is None:
                return None
            if not isinstance(items, list):
                items = [items]
            results = []
            for item in items:
                ev.step()
                results.append(body({**scope, var: item}, ev))
            if kind == "for":
                return results
            if any(type(value) is not bool for value in results):
                ev.warn("dmn", f"{label}: {kind} ... satisfies gave a non-boolean; result is null")
                return None
            return any(results) if kind == "some" else all(results)

        return iterate
