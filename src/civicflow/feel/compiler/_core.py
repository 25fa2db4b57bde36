"""Shared machinery of the compiler: closure types, the compile context, the node registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from civicflow.feel import ast
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.temporal import parse_at_literal
from civicflow.feel.types import FeelType, type_of

__all__ = [
    "MISSING",
    "CompileContext",
    "ExternalResolver",
    "Fn",
    "Scope",
    "TestFn",
    "compile_node",
    "compiles",
    "constant",
    "describe",
    "references",
]

Scope = dict[str, Any]
Fn = Callable[[Scope, Evaluation], Any]
TestFn = Callable[[Any, Scope, Evaluation], "bool | None"]
N = TypeVar("N", bound=ast.Node)

ExternalResolver = Callable[[Any, tuple[str, ...]], Any]
"""Turns the evaluated mapping of ``function(a) external {...}`` and its parameter names into a
FEEL function, or None when the binding is not supported (DMN supplies one for Java methods)."""

MISSING: Any = object()
"""Marks a name absent from the scope (a present name may hold null)."""


@dataclass(frozen=True, slots=True)
class CompileContext:
    """What the compiler knows statically about where a node sits."""

    text: str
    local_names: frozenset[str] = frozenset()
    types: Mapping[str, FeelType] | None = None
    externals: ExternalResolver | None = None

    def bind(self, *names: str) -> CompileContext:
        """The context inside a construct that introduces ``names``."""
        return CompileContext(self.text, self.local_names | frozenset(names), self.types, self.externals)

    def source(self, node: ast.Node) -> str:
        return self.text[node.span[0] : node.span[1]]


_REGISTRY: dict[type, Callable[[Any, CompileContext], Fn]] = {}


def compiles(node_type: type[N]) -> Callable[[Callable[[N, CompileContext], Fn]], Callable[[N, CompileContext], Fn]]:
    """Register the compiler of one node type."""

    def register(fn: Callable[[N, CompileContext], Fn]) -> Callable[[N, CompileContext], Fn]:
        _REGISTRY[node_type] = fn
        return fn

    return register


def compile_node(node: ast.Node, cx: CompileContext) -> Fn:
    """Compile an expression node into a closure ``fn(scope, ev)``."""
    return _REGISTRY[type(node)](node, cx)


_NO_VALUE: Any = object()


def constant(node: ast.Node) -> tuple[bool, Any]:
    """(True, value) when ``node`` is a literal whose value is known at compile time."""
    if isinstance(node, ast.NumberLit | ast.StringLit | ast.BooleanLit):
        return True, node.value
    if isinstance(node, ast.NullLit):
        return True, None
    if isinstance(node, ast.TemporalLit):
        value = parse_at_literal(node.text)
        return (value is not None), value
    return False, _NO_VALUE


def references(node: object, name: str) -> bool:
    """Whether ``name`` is referenced anywhere under ``node`` (used to spot ``?`` in unary tests)."""
    if isinstance(node, ast.NameRef):
        return node.name == name
    if isinstance(node, tuple):
        return any(references(item, name) for item in node)
    if isinstance(node, ast.Node):
        return any(references(getattr(node, slot), name) for slot in _slots(type(node)))
    return False


def _slots(cls: type) -> tuple[str, ...]:
    slots: list[str] = []
    for klass in cls.__mro__:
        slots.extend(getattr(klass, "__slots__", ()))
    return tuple(s for s in slots if s != "span")


def describe(value: Any) -> str:
    """A short type description of a value, for warning messages."""
    return "null" if value is None else str(type_of(value))
