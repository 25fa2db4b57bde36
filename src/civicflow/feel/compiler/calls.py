"""Function definitions (``function(a, b) body``) and invocations with positional or named arguments."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import CompileContext, Fn, Scope, compile_node, compiles, describe
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.functions import is_function
from civicflow.feel.types import FeelType, is_instance

__all__ = ["UserFunction", "builtin_function", "builtin_names"]

# Multi-word built-in names, for the parser while civicflow.feel.builtins is not importable.
_FALLBACK_NAMES = (
    "date and time",
    "years and months duration",
    "string length",
    "upper case",
    "lower case",
    "substring before",
    "substring after",
    "starts with",
    "ends with",
    "list contains",
    "list replace",
    "insert before",
    "index of",
    "distinct values",
    "get value",
    "get entries",
    "context put",
    "context merge",
    "round up",
    "round down",
    "round half up",
    "round half down",
    "day of year",
    "day of week",
    "month of year",
    "week of year",
    "string join",
    "met by",
    "overlaps before",
    "overlaps after",
    "finished by",
    "started by",
)


_TABLE: list[Mapping[str, Any]] = []


def _builtins() -> Mapping[str, Any]:
    if _TABLE:
        return _TABLE[0]
    try:
        module = importlib.import_module("civicflow.feel.builtins")
    except ImportError:
        return {}
    table: Mapping[str, Any] = getattr(module, "BUILTINS", {})
    if table:
        _TABLE.append(table)
    return table


def builtin_function(name: str) -> Any:
    """The built-in function called ``name``, or None."""
    return _builtins().get(name)


def builtin_names() -> tuple[str, ...]:
    """Names of the built-in functions (multi-word ones matter to the parser)."""
    names = tuple(_builtins())
    return names if names else _FALLBACK_NAMES


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UserFunction:
    """A function defined in FEEL; it closes over the scope where it was defined."""

    parameters: tuple[str, ...]
    parameter_types: tuple[FeelType | None, ...]
    body: Fn
    scope: Scope
    span: ast.Span
    name: str | None = None

    def call(self, ev: Evaluation, args: list[Any], named: dict[str, Any] | None) -> Any:
        ev.step()
        if named is not None:
            unknown = set(named) - set(self.parameters)
            if unknown:
                ev.warn("function", f"unknown parameter {sorted(unknown)[0]!r}", self.span)
                return None
            args = [named.get(p) for p in self.parameters]
        elif len(args) != len(self.parameters):
            ev.warn("function", f"expected {len(self.parameters)} arguments, got {len(args)}", self.span)
            return None
        local = dict(self.scope)
        for param, param_type, arg in zip(self.parameters, self.parameter_types, args, strict=True):
            if param_type is not None and arg is not None and not is_instance(arg, param_type):
                ev.warn("function", f"argument {param!r} is {describe(arg)}, not {param_type}", self.span)
                return None
            local[param] = arg
        return self.body(local, ev)


@compiles(ast.FunctionDef)
def _function_definition(node: ast.FunctionDef, cx: CompileContext) -> Fn:
    span = node.span
    names = tuple(p.name for p in node.parameters)
    if node.external:
        return _external(node, names, cx)
    from civicflow.feel.compiler.instance import resolve_type

    types = tuple(resolve_type(p.type, cx) if p.type is not None else None for p in node.parameters)
    body = compile_node(node.body, cx.bind(*names))

    def fn(scope: Scope, ev: Evaluation) -> Any:
        return UserFunction(parameters=names, parameter_types=types, body=body, scope=scope, span=span)

    return fn


def _external(node: ast.FunctionDef, names: tuple[str, ...], cx: CompileContext) -> Fn:
    mapping_fn = compile_node(node.body, cx)
    resolver, span = cx.externals, node.span

    def external(scope: Scope, ev: Evaluation) -> Any:
        function = resolver(mapping_fn(scope, ev), names) if resolver is not None else None
        if function is None:
            ev.warn("function", "this external function binding is not supported", span)
        return function

    return external


@compiles(ast.Invocation)
def _invocation(node: ast.Invocation, cx: CompileContext) -> Fn:
    target = compile_node(node.function, cx)
    args = tuple(compile_node(arg, cx) for arg in node.args)
    span = node.span
    if node.named is not None:
        named = tuple((name, compile_node(value, cx)) for name, value in node.named)

        def call_named(scope: Scope, ev: Evaluation) -> Any:
            function = target(scope, ev)
            values = {name: value(scope, ev) for name, value in named}
            if not is_function(function):
                ev.warn("function", f"cannot invoke {describe(function)}", span)
                return None
            return function.call(ev, [], values)

        return call_named

    def call(scope: Scope, ev: Evaluation) -> Any:
        function = target(scope, ev)
        values = [arg(scope, ev) for arg in args]
        if not is_function(function):
            ev.warn("function", f"cannot invoke {describe(function)}", span)
            return None
        return function.call(ev, values, None)

    return call
